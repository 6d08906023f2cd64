// Bank cards bound for withdrawals: encrypted at rest, found again by keyed hash, shown masked.
import type { AppContext } from "../../context.js";
import { DomainError } from "../../http/errors.js";
import {
  countLiveBankCards,
  findAccount,
  insertBankCard,
  isUniqueViolation,
  listLiveBankCards,
  liveCardWithHash,
  lockAccount,
  removeBankCard,
} from "./account-store.js";
import { maskCard, maskName } from "./mask.js";
import { notifySecurityEvent } from "./security-events.js";

export const MAX_LIVE_CARDS = 10;

export type Actor = { id: string; ip: string | null };

/** The Luhn (mod 10) check every bank card number carries in its last digit. */
export function passesLuhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** Spaces and dashes as people type them are dropped; anything else must be 12-19 digits. */
export function normaliseCardNumber(value: string): string {
  return value.replace(/[\s-]/g, "");
}

const normaliseName = (name: string) => name.trim().replace(/\s+/g, " ");

export async function bindBankCard(
  ctx: AppContext,
  actor: Actor,
  input: { cardNumber: string; holderName: string; bankName?: string | undefined },
): Promise<{ id: string; masked: string }> {
  const number = normaliseCardNumber(input.cardNumber);
  if (!/^\d{12,19}$/.test(number) || !passesLuhn(number)) throw new DomainError("invalid_card_number");
  const holderName = normaliseName(input.holderName);
  const hash = ctx.crypto.lookupHash(number);
  const last4 = number.slice(-4);
  const masked = maskCard(last4);
  try {
    return await ctx.db.transaction().execute(async (tx) => {
      const account = await lockAccount(tx, actor.id);
      if (!account) throw new DomainError("not_found");
      // The name is verified once an ID number was approved against proof; before that, any
      // holder is accepted and the withdrawal review looks at it instead.
      if (account.id_number_hash && account.name && normaliseName(account.name) !== holderName) {
        throw new DomainError("holder_name_mismatch");
      }
      if (await liveCardWithHash(tx, actor.id, hash)) throw new DomainError("card_already_bound");
      if ((await countLiveBankCards(tx, actor.id)) >= MAX_LIVE_CARDS) {
        throw new DomainError("conflict", { detail: `At most ${MAX_LIVE_CARDS} cards can be bound` });
      }
      const now = ctx.clock.now();
      const id = await insertBankCard(tx, {
        userId: actor.id,
        enc: ctx.crypto.encrypt(number),
        hash,
        last4,
        holderName,
        bankName: input.bankName?.trim() || null,
        now,
      });
      await ctx.audit.record(tx, {
        actor: { id: actor.id, kind: "customer", ip: actor.ip },
        action: "bank_card.bound",
        target: { type: "bank_card", id },
        details: { last4 },
      });
      await notifySecurityEvent(tx, ctx, account, { kind: "bank_card_bound", masked });
      return { id, masked };
    });
  } catch (err) {
    if (isUniqueViolation(err, "bank_cards_live")) throw new DomainError("card_already_bound");
    throw err;
  }
}

export async function listBankCards(ctx: AppContext, userId: string) {
  const rows = await listLiveBankCards(ctx.db, userId);
  return rows.map((r) => ({
    id: r.id,
    masked: maskCard(r.last4),
    holderName: maskName(r.holder_name),
    bankName: r.bank_name,
    createdAt: r.created_at.toISOString(),
  }));
}

export async function unbindBankCard(ctx: AppContext, actor: Actor, cardId: string): Promise<void> {
  await ctx.db.transaction().execute(async (tx) => {
    const now = ctx.clock.now();
    const last4 = await removeBankCard(tx, actor.id, cardId, now);
    if (last4 === null) throw new DomainError("not_found", { detail: "No such card" });
    const account = await findAccount(tx, actor.id);
    if (!account) throw new DomainError("not_found");
    await ctx.audit.record(tx, {
      actor: { id: actor.id, kind: "customer", ip: actor.ip },
      action: "bank_card.removed",
      target: { type: "bank_card", id: cardId },
      details: { last4 },
    });
    await notifySecurityEvent(tx, ctx, account, { kind: "bank_card_removed", masked: maskCard(last4) });
  });
}
