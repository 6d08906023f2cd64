// Turning two-step verification on (setup, then enable with a first code) and off.
import type { AppContext } from "../../context.js";
import { DomainError } from "../../http/errors.js";
import { maskedLogin } from "./profile.js";
import { takeFromWindow } from "./rate-window.js";
import { notifySecurityEvent } from "./security-events.js";
import type { ClientInfo, LoadedSession } from "./sessions.js";
import {
  clearTotp,
  markTotpEnabled,
  newBackupCodes,
  newTotpSecret,
  replaceBackupCodes,
  storePendingTotpSecret,
  verifySecondFactor,
  verifyTotp,
} from "./totp.js";
import { findUserById } from "./users-store.js";

// A six-digit code is guessable given enough tries: a few per quarter-hour is plenty for a person.
const CODE_TRIES = { max: 10, windowMs: 15 * 60 * 1000 };

async function loadUser(ctx: AppContext, userId: string) {
  const user = await findUserById(ctx.db, userId);
  if (!user) throw new DomainError("unauthenticated");
  return user;
}

/** A fresh pending secret; it only takes effect once a code from it is confirmed. */
export async function setUpTotp(
  ctx: AppContext,
  userId: string,
): Promise<{ secret: string; otpauthUrl: string }> {
  const user = await loadUser(ctx, userId);
  if (user.totp_enabled_at) {
    throw new DomainError("conflict", { detail: "Two-step verification is already on; turn it off first" });
  }
  const fresh = newTotpSecret(maskedLogin(user));
  await storePendingTotpSecret(ctx.db, ctx, user.id, fresh.secret);
  return fresh;
}

export async function enableTotp(
  ctx: AppContext,
  session: LoadedSession,
  code: string,
  client: ClientInfo,
): Promise<{ backupCodes: string[] }> {
  const user = await loadUser(ctx, session.user.id);
  if (user.totp_enabled_at)
    throw new DomainError("conflict", { detail: "Two-step verification is already on" });
  if (!user.totp_secret_enc) throw new DomainError("conflict", { detail: "Call /me/totp/setup first" });
  await takeFromWindow(ctx.db, ctx.clock, { key: `totp-enable:${user.id}`, ...CODE_TRIES });
  const backupCodes = newBackupCodes();
  await ctx.db.transaction().execute(async (tx) => {
    if (!(await verifyTotp(tx, ctx, user.id, code))) throw new DomainError("invalid_mfa_code");
    const now = ctx.clock.now();
    await markTotpEnabled(tx, user.id, now);
    await replaceBackupCodes(tx, user.id, backupCodes);
    if (session.stage === "mfa_enroll") {
      await tx
        .updateTable("sessions")
        .set({ stage: "full", last_seen_at: now })
        .where("id", "=", session.id)
        .execute();
    }
    await notifySecurityEvent(tx, ctx, user, { kind: "totp_enabled" });
    await ctx.audit.record(tx, {
      actor: { id: user.id, kind: user.kind, ip: client.ip },
      action: "auth.totp.enabled",
      target: { type: "user", id: user.id },
      details: { sessionUpgraded: session.stage === "mfa_enroll" },
    });
  });
  return { backupCodes };
}

export async function disableTotp(
  ctx: AppContext,
  userId: string,
  input: { password: string; code: string },
  client: ClientInfo,
): Promise<void> {
  const user = await loadUser(ctx, userId);
  if (user.kind === "staff")
    throw new DomainError("forbidden", { detail: "Staff must keep two-step verification" });
  if (!user.totp_enabled_at) throw new DomainError("conflict", { detail: "Two-step verification is off" });
  await takeFromWindow(ctx.db, ctx.clock, { key: `totp-disable:${user.id}`, ...CODE_TRIES });
  if (!(await ctx.crypto.verifyPassword(user.password_hash, input.password))) {
    throw new DomainError("invalid_credentials", { detail: "The password is wrong" });
  }
  if (!(await verifySecondFactor(ctx.db, ctx, user.id, input.code)))
    throw new DomainError("invalid_mfa_code");
  await ctx.db.transaction().execute(async (tx) => {
    await clearTotp(tx, user.id, ctx.clock.now());
    await notifySecurityEvent(tx, ctx, user, { kind: "totp_disabled" });
    await ctx.audit.record(tx, {
      actor: { id: user.id, kind: user.kind, ip: client.ip },
      action: "auth.totp.disabled",
      target: { type: "user", id: user.id },
    });
  });
}
