// Changing the login password (signed in) and resetting it with a one-time code (signed out).
import type { AppContext } from "../../context.js";
import { DomainError } from "../../http/errors.js";
import { clearThrottle, loginKey, recordFailure } from "./login-throttle.js";
import { consumeOtp } from "./otp.js";
import { assertStrongPassword } from "./password-policy.js";
import { notifySecurityEvent } from "./security-events.js";
import { type ClientInfo, revokeUserSessions } from "./sessions.js";
import {
  findUserByEmail,
  findUserById,
  findUserByPhone,
  setPasswordHash,
  type UserRow,
} from "./users-store.js";

function loginKeysOf(ctx: AppContext, u: { phone: string | null; email: string | null }): string[] {
  return [u.phone, u.email].filter((v): v is string => v !== null).map((v) => loginKey(ctx.crypto, v));
}

export type ChangePasswordInput = {
  currentPassword?: string | undefined;
  otp?: string | undefined;
  newPassword: string;
  keepThisSession?: boolean | undefined;
};

/** Returns whether the caller's own session survived. */
export async function changePassword(
  ctx: AppContext,
  userId: string,
  sessionId: string,
  input: ChangePasswordInput,
  client: ClientInfo,
): Promise<{ keptSession: boolean }> {
  const user = await findUserById(ctx.db, userId);
  if (!user) throw new DomainError("unauthenticated");
  if ((input.currentPassword === undefined) === (input.otp === undefined)) {
    throw new DomainError("validation_failed", {
      detail: "Send either currentPassword or otp",
      errors: [{ in: "body", path: "currentPassword", message: "send either currentPassword or otp" }],
    });
  }
  assertStrongPassword(input.newPassword, user);
  let method: "current_password" | "otp";
  if (input.currentPassword !== undefined) {
    method = "current_password";
    if (!(await ctx.crypto.verifyPassword(user.password_hash, input.currentPassword))) {
      // Guessing the current password from a stolen session counts against the account's login.
      const [key] = loginKeysOf(ctx, user);
      if (key) await recordFailure(ctx.db, ctx.clock, key);
      throw new DomainError("invalid_credentials", { detail: "The current password is wrong" });
    }
  } else {
    method = "otp";
    if (!user.phone)
      throw new DomainError("bad_request", { detail: "No phone is bound; use currentPassword" });
    await consumeOtp(ctx.db, ctx.clock, {
      destination: user.phone,
      purpose: "reset_password",
      code: input.otp ?? "",
    });
  }
  const hash = await ctx.crypto.hashPassword(input.newPassword);
  const keep = input.keepThisSession === true;
  await ctx.db.transaction().execute(async (tx) => {
    const now = ctx.clock.now();
    await setPasswordHash(tx, user.id, hash, now);
    const ended = await revokeUserSessions(
      tx,
      ctx.clock,
      user.id,
      "password_changed",
      keep ? sessionId : undefined,
    );
    await clearThrottle(tx, loginKeysOf(ctx, user));
    await notifySecurityEvent(tx, ctx, user, { kind: "password_changed" });
    await ctx.audit.record(tx, {
      actor: { id: user.id, kind: user.kind, ip: client.ip },
      action: "auth.password.changed",
      target: { type: "user", id: user.id },
      details: { method, keptThisSession: keep, sessionsEnded: ended },
    });
  });
  return { keptSession: keep };
}

export type ResetPasswordInput = { channel: "sms" | "email"; to: string; otp: string; newPassword: string };

export async function resetPassword(
  ctx: AppContext,
  input: ResetPasswordInput,
  client: ClientInfo,
): Promise<void> {
  const to = input.channel === "email" ? input.to.trim().toLowerCase() : input.to.trim();
  const found =
    input.channel === "email" ? await findUserByEmail(ctx.db, to) : await findUserByPhone(ctx.db, to);
  // An unverified address may belong to someone else (a typo at registration): it cannot reset.
  const user: UserRow | null =
    found && (input.channel === "sms" || found.email_verified_at !== null) ? found : null;
  assertStrongPassword(input.newPassword, user ?? (input.channel === "sms" ? { phone: to } : { email: to }));
  await consumeOtp(ctx.db, ctx.clock, { destination: to, purpose: "reset_password", code: input.otp });
  // The code proved the caller owns the destination, so saying no account uses it leaks nothing.
  if (!user) throw new DomainError("not_found", { detail: "No account can be reset with this address" });
  const hash = await ctx.crypto.hashPassword(input.newPassword);
  await ctx.db.transaction().execute(async (tx) => {
    await setPasswordHash(tx, user.id, hash, ctx.clock.now());
    const ended = await revokeUserSessions(tx, ctx.clock, user.id, "password_reset");
    await clearThrottle(tx, loginKeysOf(ctx, user));
    await notifySecurityEvent(tx, ctx, user, { kind: "password_changed" });
    await ctx.audit.record(tx, {
      actor: { id: user.id, kind: user.kind, ip: client.ip },
      action: "auth.password.reset",
      target: { type: "user", id: user.id },
      details: { channel: input.channel, sessionsEnded: ended },
    });
  });
}
