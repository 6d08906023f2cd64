// Self-freeze (挂失) for a lost phone or a suspected intrusion, and the reviewed way back.
import { z } from "zod";
import type { AppContext } from "../../context.js";
import type { Tx } from "../../db/database.js";
import { DomainError } from "../../http/errors.js";
import { createReviewItem } from "../reviews/index.js";
import {
  type AccountRow,
  findAccount,
  findAccountByEmail,
  findAccountByPhone,
  findPendingReview,
  lockAccount,
  setStatus,
} from "./account-store.js";
import { normaliseLogin } from "./login.js";
import { loginKey } from "./login-throttle.js";
import { maskPhone } from "./mask.js";
import { consumeOtp } from "./otp.js";
import { takeFromWindow } from "./rate-window.js";
import { checkLoginPassword, loginKeysOf } from "./reauthenticate.js";
import { notifySecurityEvent } from "./security-events.js";
import { revokeUserSessions } from "./sessions.js";

export const UNFREEZE_KIND = "unfreeze";

export const unfreezePayload = z.object({
  phoneMasked: z.string(),
  frozenAt: z.string().nullable(),
});

/** Public freeze and unfreeze attempts per IP address per window, on top of the per-login throttle. */
const PUBLIC_ATTEMPTS = { max: 20, windowMs: 15 * 60 * 1000 } as const;

type Via = "self" | "public";

async function freezeInTransaction(
  tx: Tx,
  ctx: AppContext,
  account: AccountRow,
  via: Via,
  ip: string | null,
): Promise<void> {
  const now = ctx.clock.now();
  await setStatus(tx, account.id, "frozen", now);
  const sessionsEnded = await revokeUserSessions(tx, ctx.clock, account.id, "account_frozen");
  await ctx.audit.record(tx, {
    actor: { id: account.id, kind: "customer", ip },
    action: "account.frozen",
    target: { type: "user", id: account.id },
    details: { via, sessionsEnded },
  });
  await notifySecurityEvent(tx, ctx, account, { kind: "account_frozen" });
}

/** The logged-in customer freezes their own account after re-entering the login password. */
export async function freezeOwnAccount(ctx: AppContext, userId: string, password: string, ip: string | null) {
  const before = await findAccount(ctx.db, userId);
  if (before?.kind !== "customer") throw new DomainError("forbidden");
  await checkLoginPassword(ctx, loginKeysOf(ctx, before), before.password_hash, password);
  await ctx.db.transaction().execute(async (tx) => {
    const account = await lockAccount(tx, userId);
    if (!account) throw new DomainError("not_found");
    if (account.status === "active") await freezeInTransaction(tx, ctx, account, "self", ip);
  });
}

/**
 * Freezes by login and password, without a session: for someone whose phone was stolen.
 * Answers the same for an unknown login as for a wrong password, and counts both in the
 * login throttle.
 */
export async function freezeByLogin(
  ctx: AppContext,
  input: { login: string; password: string },
  ip: string | null,
): Promise<void> {
  await takeFromWindow(ctx.db, ctx.clock, { key: `public_freeze:${ip ?? "unknown"}`, ...PUBLIC_ATTEMPTS });
  const login = normaliseLogin(input.login);
  const found = login.includes("@")
    ? await findAccountByEmail(ctx.db, login)
    : await findAccountByPhone(ctx.db, login);
  const account = found?.kind === "customer" ? found : undefined;
  await checkLoginPassword(
    ctx,
    [loginKey(ctx.crypto, login)],
    account?.password_hash ?? null,
    input.password,
  );
  if (!account) throw new DomainError("invalid_credentials");
  await ctx.db.transaction().execute(async (tx) => {
    const locked = await lockAccount(tx, account.id);
    // Already frozen or disabled: nothing to do, and the answer does not say which.
    if (locked?.status === "active") await freezeInTransaction(tx, ctx, locked, "public", ip);
  });
}

/**
 * Asks for a frozen account to be unfrozen: the code sent to the bound phone (purpose
 * `unfreeze`) and the login password prove who asks; a reviewer decides.
 */
export async function requestUnfreeze(
  ctx: AppContext,
  input: { phone: string; otp: string; password: string },
  ip: string | null,
): Promise<{ id: string; status: "pending" }> {
  await takeFromWindow(ctx.db, ctx.clock, { key: `public_unfreeze:${ip ?? "unknown"}`, ...PUBLIC_ATTEMPTS });
  const phone = normaliseLogin(input.phone);
  await consumeOtp(ctx.db, ctx.clock, { destination: phone, purpose: "unfreeze", code: input.otp });
  const found = await findAccountByPhone(ctx.db, phone);
  const account = found?.kind === "customer" ? found : undefined;
  await checkLoginPassword(
    ctx,
    [loginKey(ctx.crypto, phone)],
    account?.password_hash ?? null,
    input.password,
  );
  if (!account) throw new DomainError("invalid_credentials");
  return ctx.db.transaction().execute(async (tx) => {
    const locked = await lockAccount(tx, account.id);
    if (locked?.status !== "frozen") {
      throw new DomainError("conflict", { detail: "The account is not frozen" });
    }
    if (await findPendingReview(tx, account.id, UNFREEZE_KIND)) {
      throw new DomainError("conflict", { detail: "An unfreeze request is already waiting for review" });
    }
    const id = await createReviewItem(tx, {
      kind: UNFREEZE_KIND,
      subjectUserId: account.id,
      payload: { phoneMasked: maskPhone(phone), frozenAt: locked.frozen_at?.toISOString() ?? null },
      createdBy: account.id,
    });
    await ctx.audit.record(tx, {
      actor: { id: account.id, kind: "customer", ip },
      action: "account.unfreeze_requested",
      target: { type: "review_item", id },
    });
    return { id, status: "pending" as const };
  });
}
