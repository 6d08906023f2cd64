// Two-step verification: RFC 6238 TOTP (SHA-1, 6 digits, 30 s, ±1 step) and one-time backup codes.
import { randomInt } from "node:crypto";
import * as OTPAuth from "otpauth";
import type { AppContext } from "../../context.js";
import { sha256Hex } from "../../crypto.js";
import type { Executor } from "../../db/database.js";

export const TOTP_ISSUER = "OpenCounter";
const PERIOD_S = 30;
const WINDOW = 1;
export const BACKUP_CODE_COUNT = 10;
export const BACKUP_CODE_LENGTH = 10;
// Lower-case letters and digits without look-alikes (0/o, 1/l/i).
const BACKUP_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789";

type Deps = Pick<AppContext, "crypto" | "clock">;

function totpOf(secretBase32: string, label = "account"): OTPAuth.TOTP {
  return new OTPAuth.TOTP({
    issuer: TOTP_ISSUER,
    label,
    algorithm: "SHA1",
    digits: 6,
    period: PERIOD_S,
    secret: OTPAuth.Secret.fromBase32(secretBase32),
  });
}

export function newTotpSecret(label: string): { secret: string; otpauthUrl: string } {
  const secret = new OTPAuth.Secret({ size: 20 }).base32;
  return { secret, otpauthUrl: totpOf(secret, label).toString() };
}

/** The time step the code belongs to (within ±1 step of now), or null. */
export function matchTotpStep(secretBase32: string, code: string, now: Date): number | null {
  const token = code.replace(/\s/g, "");
  if (!/^\d{6}$/.test(token)) return null;
  const timestamp = now.getTime();
  const delta = totpOf(secretBase32).validate({ token, timestamp, window: WINDOW });
  if (delta === null) return null;
  return Math.floor(timestamp / 1000 / PERIOD_S) + delta;
}

/**
 * Checks a TOTP code against the user's stored secret (enabled or pending) and spends its time
 * step, so the same code cannot be used twice. The stored format is
 * `ctx.crypto.encrypt(base32Secret)` in users.totp_secret_enc.
 */
export async function verifyTotp(db: Executor, deps: Deps, userId: string, code: string): Promise<boolean> {
  const row = await db
    .selectFrom("users")
    .select(["totp_secret_enc"])
    .where("id", "=", userId)
    .executeTakeFirst();
  if (!row?.totp_secret_enc) return false;
  const step = matchTotpStep(deps.crypto.decrypt(row.totp_secret_enc), code, deps.clock.now());
  if (step === null) return false;
  // Compare-and-set: of two requests racing with one code, only one moves the step forward.
  const spent = await db
    .updateTable("users")
    .set({ totp_last_step: step })
    .where("id", "=", userId)
    .where((eb) => eb.or([eb("totp_last_step", "is", null), eb("totp_last_step", "<", BigInt(step))]))
    .executeTakeFirst();
  return Number(spent.numUpdatedRows) === 1;
}

const normaliseBackupCode = (code: string) => code.replace(/[\s-]/g, "").toLowerCase();
const backupHash = (code: string) => sha256Hex(`totp-backup\n${normaliseBackupCode(code)}`);

export function newBackupCodes(): string[] {
  return Array.from({ length: BACKUP_CODE_COUNT }, () =>
    Array.from({ length: BACKUP_CODE_LENGTH }, () => BACKUP_ALPHABET[randomInt(BACKUP_ALPHABET.length)]).join(
      "",
    ),
  );
}

export async function replaceBackupCodes(db: Executor, userId: string, codes: string[]): Promise<void> {
  await db.deleteFrom("totp_backup_codes").where("user_id", "=", userId).execute();
  await db
    .insertInto("totp_backup_codes")
    .values(codes.map((c) => ({ user_id: userId, code_hash: backupHash(c) })))
    .execute();
}

export async function useBackupCode(
  db: Executor,
  deps: Deps,
  userId: string,
  code: string,
): Promise<boolean> {
  if (normaliseBackupCode(code).length !== BACKUP_CODE_LENGTH) return false;
  const row = await db
    .updateTable("totp_backup_codes")
    .set({ used_at: deps.clock.now() })
    .where("user_id", "=", userId)
    .where("code_hash", "=", backupHash(code))
    .where("used_at", "is", null)
    .returning("id")
    .executeTakeFirst();
  return row !== undefined;
}

/** A TOTP code or, failing that, an unused backup code. */
export async function verifySecondFactor(
  db: Executor,
  deps: Deps,
  userId: string,
  code: string,
): Promise<"totp" | "backup_code" | null> {
  if (/^\d{6}$/.test(code.replace(/\s/g, ""))) {
    return (await verifyTotp(db, deps, userId, code)) ? "totp" : null;
  }
  return (await useBackupCode(db, deps, userId, code)) ? "backup_code" : null;
}

export async function storePendingTotpSecret(db: Executor, deps: Deps, userId: string, secret: string) {
  await db
    .updateTable("users")
    .set({
      totp_secret_enc: deps.crypto.encrypt(secret),
      totp_enabled_at: null,
      totp_last_step: null,
      updated_at: deps.clock.now(),
    })
    .where("id", "=", userId)
    .execute();
}

export async function markTotpEnabled(db: Executor, userId: string, now: Date) {
  await db
    .updateTable("users")
    .set({ totp_enabled_at: now, updated_at: now })
    .where("id", "=", userId)
    .execute();
}

export async function clearTotp(db: Executor, userId: string, now: Date) {
  await db
    .updateTable("users")
    .set({ totp_secret_enc: null, totp_enabled_at: null, totp_last_step: null, updated_at: now })
    .where("id", "=", userId)
    .execute();
  await db.deleteFrom("totp_backup_codes").where("user_id", "=", userId).execute();
}
