// The six-digit payment password: separate from the login password, refused when guessable,
// and locked on an escalating ladder after repeated wrong guesses.
import type { AppContext } from "../../context.js";
import type { Db } from "../../db/database.js";
import { DomainError } from "../../http/errors.js";
import { findAccount, lockAccount, setPaymentPasswordHash, setPaymentThrottle } from "./account-store.js";
import { birthDateOf } from "./id-number.js";
import { consumeOtp } from "./otp.js";
import { notifySecurityEvent } from "./security-events.js";

export const PAYMENT_PASSWORD_MAX_FAILURES = 5;
const MINUTE = 60 * 1000;
/** 5 minutes, then 30 minutes, then 24 hours for every later lock, until a correct entry. */
export const PAYMENT_LOCK_STEPS_MS = [5 * MINUTE, 30 * MINUTE, 24 * 60 * MINUTE] as const;

export type PaymentPasswordWeakness = "sequence" | "repeated" | "phone" | "birthday";

export type ActorInfo = { ip: string | null };

/** Why a six-digit payment password is too easy to guess for this person, or null. */
export function paymentPasswordWeakness(
  password: string,
  about: { phone: string | null; idNumber: string | null },
): PaymentPasswordWeakness | null {
  const digits = [...password].map(Number);
  const steps = digits.slice(1).map((d, i) => (d - (digits[i] ?? 0) + 10) % 10);
  // 123456, 654321, 012345 and their wrap-arounds such as 890123.
  if (steps.every((s) => s === 1) || steps.every((s) => s === 9)) return "sequence";
  // 111111, 121212, 123123: a pattern of one, two or three digits repeated.
  for (const period of [1, 2, 3]) {
    if ([...password].every((c, i) => c === password[i % period])) return "repeated";
  }
  if (about.phone && about.phone.replace(/\D/g, "").slice(-6) === password) return "phone";
  if (about.idNumber) {
    const birth = birthDateOf(about.idNumber);
    const [yy, mm, dd] = [birth.slice(2, 4), birth.slice(4, 6), birth.slice(6, 8)];
    const forms = [`${yy}${mm}${dd}`, `${mm}${dd}${yy}`, `${dd}${mm}${yy}`, birth.slice(0, 6)];
    if (forms.includes(password) || about.idNumber.slice(-6) === password) return "birthday";
  }
  return null;
}

const weaknessDetail: Record<PaymentPasswordWeakness, string> = {
  sequence: "Do not use consecutive digits",
  repeated: "Do not repeat the same digits",
  phone: "Do not use the end of your phone number",
  birthday: "Do not use your birthday or the end of your ID number",
};

/** Sets (or replaces) the payment password after checking a code sent to the bound phone. */
export async function setPaymentPassword(
  ctx: AppContext,
  userId: string,
  input: { password: string; otp: string },
  actor: ActorInfo,
): Promise<void> {
  const account = await findAccount(ctx.db, userId);
  if (account?.kind !== "customer") throw new DomainError("forbidden");
  if (!account.phone) throw new DomainError("conflict", { detail: "Bind a phone number first" });
  const idNumber = account.id_number_enc ? ctx.crypto.decrypt(account.id_number_enc) : null;
  const weakness = paymentPasswordWeakness(input.password, { phone: account.phone, idNumber });
  if (weakness) {
    throw new DomainError("weak_payment_password", { detail: weaknessDetail[weakness], reason: weakness });
  }
  await consumeOtp(ctx.db, ctx.clock, {
    destination: account.phone,
    purpose: "payment_password",
    code: input.otp,
  });
  const hash = await ctx.crypto.hashPassword(input.password);
  await ctx.db.transaction().execute(async (tx) => {
    const now = ctx.clock.now();
    await setPaymentPasswordHash(tx, userId, hash, now);
    await ctx.audit.record(tx, {
      actor: { id: userId, kind: "customer", ip: actor.ip },
      action: account.payment_password_hash ? "payment_password.changed" : "payment_password.set",
      target: { type: "user", id: userId },
    });
    await notifySecurityEvent(tx, ctx, account, { kind: "payment_password_changed" });
  });
}

/**
 * Checks a payment password before money moves. Throws 401 `wrong_payment_password` (with
 * `attemptsLeft`), 423 `payment_password_locked` (with `retryAfter` seconds and a Retry-After
 * header), 409 `payment_password_not_set`, or 403 `account_frozen` / `account_disabled`. Each wrong guess is counted in a transaction of
 * its own, so it stays counted when the caller's work rolls back; the row lock serialises
 * concurrent guesses so they cannot slip past the limit.
 */
export async function verifyPaymentPassword(
  db: Db,
  ctx: AppContext,
  userId: string,
  password: string,
  actor: ActorInfo = { ip: null },
): Promise<void> {
  const failure = await db.transaction().execute(async (tx): Promise<DomainError | null> => {
    const account = await lockAccount(tx, userId);
    if (!account) return new DomainError("not_found");
    // A frozen account moves no money, whatever the password.
    if (account.status === "frozen") return new DomainError("account_frozen");
    if (account.status === "disabled") return new DomainError("account_disabled");
    const now = ctx.clock.now();
    if (account.payment_locked_until && account.payment_locked_until > now) {
      return lockedError(account.payment_locked_until, now);
    }
    if (!account.payment_password_hash) return new DomainError("payment_password_not_set");
    const ok =
      /^\d{6}$/.test(password) && (await ctx.crypto.verifyPassword(account.payment_password_hash, password));
    if (ok) {
      if (
        account.payment_failed_count > 0 ||
        account.payment_lock_level > 0 ||
        account.payment_locked_until
      ) {
        await setPaymentThrottle(tx, userId, { failedCount: 0, lockLevel: 0, lockedUntil: null });
      }
      return null;
    }
    const failures = account.payment_failed_count + 1;
    const auditActor = { id: userId, kind: "customer" as const, ip: actor.ip };
    if (failures < PAYMENT_PASSWORD_MAX_FAILURES) {
      await setPaymentThrottle(tx, userId, {
        failedCount: failures,
        lockLevel: account.payment_lock_level,
        lockedUntil: null,
      });
      await ctx.audit.record(tx, {
        actor: auditActor,
        action: "payment_password.wrong",
        target: { type: "user", id: userId },
        details: { failures },
      });
      return new DomainError("wrong_payment_password", {
        attemptsLeft: PAYMENT_PASSWORD_MAX_FAILURES - failures,
      });
    }
    const step =
      PAYMENT_LOCK_STEPS_MS[Math.min(account.payment_lock_level, PAYMENT_LOCK_STEPS_MS.length - 1)] ??
      PAYMENT_LOCK_STEPS_MS[0];
    const lockedUntil = new Date(now.getTime() + step);
    await setPaymentThrottle(tx, userId, {
      failedCount: 0,
      lockLevel: account.payment_lock_level + 1,
      lockedUntil,
    });
    await ctx.audit.record(tx, {
      actor: auditActor,
      action: "payment_password.locked",
      target: { type: "user", id: userId },
      details: { minutes: step / MINUTE, level: account.payment_lock_level + 1 },
    });
    await notifySecurityEvent(tx, ctx, account, { kind: "payment_password_locked", minutes: step / MINUTE });
    return lockedError(lockedUntil, now);
  });
  if (failure) throw failure;
}

function lockedError(until: Date, now: Date): DomainError {
  const retryAfter = Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000));
  return new DomainError(
    "payment_password_locked",
    { retryAfter, lockedUntil: until.toISOString() },
    { "retry-after": String(retryAfter) },
  );
}
