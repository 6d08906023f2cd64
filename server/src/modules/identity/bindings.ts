// Changing the e-mail address and the phone number bound to an account.
import type { AppContext } from "../../context.js";
import { DomainError } from "../../http/errors.js";
import {
  findAccount,
  isUniqueViolation,
  lockAccount,
  otherUserHas,
  setEmail,
  setPhone,
} from "./account-store.js";
import { maskEmail, maskPhone } from "./mask.js";
import { consumeOtp } from "./otp.js";
import { checkLoginPassword, loginKeysOf } from "./reauthenticate.js";
import { notifySecurityEvent } from "./security-events.js";

export type Actor = { id: string; kind: "customer" | "staff"; ip: string | null };

/** Binds `email` after the code sent to that address (purpose `verify_email`) is confirmed. */
export async function changeEmail(ctx: AppContext, actor: Actor, input: { email: string; otp: string }) {
  const email = input.email.trim().toLowerCase();
  const before = await findAccount(ctx.db, actor.id);
  if (!before) throw new DomainError("not_found");
  if (await otherUserHas(ctx.db, actor.id, "email", email)) throw new DomainError("email_taken");
  await consumeOtp(ctx.db, ctx.clock, { destination: email, purpose: "verify_email", code: input.otp });
  try {
    await ctx.db.transaction().execute(async (tx) => {
      const account = await lockAccount(tx, actor.id);
      if (!account) throw new DomainError("not_found");
      await setEmail(tx, actor.id, email, ctx.clock.now());
      await ctx.audit.record(tx, {
        actor: { id: actor.id, kind: actor.kind, ip: actor.ip },
        action: account.email ? "email.changed" : "email.bound",
        target: { type: "user", id: actor.id },
        details: {
          email: maskEmail(email),
          ...(account.email ? { previous: maskEmail(account.email) } : {}),
        },
      });
      const event = { kind: "email_changed", email: maskEmail(email) } as const;
      await notifySecurityEvent(tx, ctx, { ...account, email }, event);
      // The old address hears of it too: if this was not its owner, that is how they find out.
      if (account.email && account.email !== email) {
        await ctx.notifier.sendEmail(
          tx,
          account.email,
          "邮箱已更换",
          `您的 OpenCounter 账户绑定邮箱已更换为 ${maskEmail(email)}。如非本人操作，请立即冻结账户。`,
        );
      }
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw new DomainError("email_taken");
    throw err;
  }
}

/**
 * Moves the account to `newPhone`: the login password, a code to the old phone and a code to
 * the new one (both purpose `change_phone`) are all required.
 */
export async function changePhone(
  ctx: AppContext,
  actor: Actor,
  input: { password: string; oldOtp: string; newPhone: string; newOtp: string },
) {
  const before = await findAccount(ctx.db, actor.id);
  if (before?.kind !== "customer") throw new DomainError("forbidden");
  if (!before.phone) throw new DomainError("conflict", { detail: "No phone is bound" });
  const oldPhone = before.phone;
  await checkLoginPassword(ctx, loginKeysOf(ctx, before), before.password_hash, input.password);
  if (input.newPhone === oldPhone) {
    throw new DomainError("conflict", { detail: "The new phone number is the one already bound" });
  }
  if (await otherUserHas(ctx.db, actor.id, "phone", input.newPhone)) throw new DomainError("phone_taken");
  await consumeOtp(ctx.db, ctx.clock, { destination: oldPhone, purpose: "change_phone", code: input.oldOtp });
  await consumeOtp(ctx.db, ctx.clock, {
    destination: input.newPhone,
    purpose: "change_phone",
    code: input.newOtp,
  });
  try {
    await ctx.db.transaction().execute(async (tx) => {
      const account = await lockAccount(tx, actor.id);
      if (!account || account.phone !== oldPhone) throw new DomainError("conflict");
      await setPhone(tx, actor.id, input.newPhone, ctx.clock.now());
      await ctx.audit.record(tx, {
        actor: { id: actor.id, kind: actor.kind, ip: actor.ip },
        action: "phone.changed",
        target: { type: "user", id: actor.id },
        details: { phone: maskPhone(input.newPhone), previous: maskPhone(oldPhone) },
      });
      await notifySecurityEvent(
        tx,
        ctx,
        { ...account, phone: input.newPhone },
        { kind: "phone_changed", phone: maskPhone(input.newPhone) },
      );
      await ctx.notifier.sendSms(
        tx,
        oldPhone,
        `【OpenCounter】您的账户绑定手机号已更换为 ${maskPhone(input.newPhone)}。如非本人操作，请立即冻结账户。`,
      );
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw new DomainError("phone_taken");
    throw err;
  }
}
