// One-time codes: 6 CSPRNG digits, 5-minute life, single use, bound to destination + purpose,
// 60 s between sends, at most 5 wrong tries.
import type { Clock } from "../../clock.js";
import { randomDigits, sha256Hex } from "../../crypto.js";
import type { Db, Executor, Tx } from "../../db/database.js";
import { DomainError } from "../../http/errors.js";
import type { Notifier } from "../notify/service.js";

export const otpPurposes = [
  "register",
  "login",
  "reset_password",
  "payment_password",
  "withdrawal",
  "change_phone",
  "verify_email",
  "unfreeze",
  // An agent confirms who is calling or writing (support tickets), by a code to the bound phone.
  "support_verify",
] as const;
export type OtpPurpose = (typeof otpPurposes)[number];
export type OtpChannel = "sms" | "email";

export const OTP_TTL_MS = 5 * 60 * 1000;
export const OTP_RESEND_MS = 60 * 1000;
export const OTP_MAX_ATTEMPTS = 5;

const purposeText: Record<OtpPurpose, string> = {
  register: "注册账户",
  login: "登录",
  reset_password: "重置登录密码",
  payment_password: "设置支付密码",
  withdrawal: "提现",
  change_phone: "更换手机号",
  verify_email: "验证邮箱",
  unfreeze: "解冻账户",
  support_verify: "向客服核实身份",
};

// The code is hashed with its destination and purpose, so a row cannot be replayed elsewhere.
const codeHash = (destination: string, purpose: string, code: string) =>
  sha256Hex(`${destination}\n${purpose}\n${code}`);

export async function issueOtp(
  db: Executor,
  clock: Clock,
  notifier: Notifier,
  req: { channel: OtpChannel; destination: string; purpose: OtpPurpose },
): Promise<{ expiresIn: number; resendIn: number }> {
  const now = clock.now();
  const last = await db
    .selectFrom("one_time_codes")
    .select("created_at")
    .where("destination", "=", req.destination)
    .where("purpose", "=", req.purpose)
    .orderBy("created_at", "desc")
    .limit(1)
    .executeTakeFirst();
  if (last && now.getTime() - last.created_at.getTime() < OTP_RESEND_MS) {
    const wait = Math.ceil((OTP_RESEND_MS - (now.getTime() - last.created_at.getTime())) / 1000);
    throw new DomainError(
      "otp_resend_too_soon",
      { detail: `Wait ${wait} s`, retryAfter: wait },
      { "retry-after": String(wait) },
    );
  }
  const code = randomDigits(6);
  // A new code replaces any older one for the same destination and purpose.
  await db
    .updateTable("one_time_codes")
    .set({ consumed_at: now })
    .where("destination", "=", req.destination)
    .where("purpose", "=", req.purpose)
    .where("consumed_at", "is", null)
    .execute();
  await db
    .insertInto("one_time_codes")
    .values({
      channel: req.channel,
      destination: req.destination,
      purpose: req.purpose,
      code_hash: codeHash(req.destination, req.purpose, code),
      created_at: now,
      expires_at: new Date(now.getTime() + OTP_TTL_MS),
    })
    .execute();
  // The one code a person at the desk asks for: say so, and when not to give it.
  const warning =
    req.purpose === "support_verify"
      ? "仅当您本人正在联系 OpenCounter 客服时告诉客服；如非本人联系，请勿透露。"
      : "请勿告诉任何人，工作人员不会向您索要验证码。";
  const text = `您正在${purposeText[req.purpose]}，验证码 ${code}，5 分钟内有效。${warning}`;
  if (req.channel === "sms") await notifier.sendSms(db, req.destination, `【OpenCounter】${text}`);
  else await notifier.sendEmail(db, req.destination, `OpenCounter 验证码 ${code}`, text);
  return { expiresIn: OTP_TTL_MS / 1000, resendIn: OTP_RESEND_MS / 1000 };
}

/**
 * Consumes the live code for destination + purpose, or throws `invalid_otp`. A wrong guess
 * counts against the code and the fifth burns it. It runs in a transaction of its own (hence
 * `Db`, not a caller's transaction): a wrong guess must stay counted even when the caller's
 * work rolls back.
 */
export async function consumeOtp(
  db: Db,
  clock: Clock,
  req: { destination: string; purpose: OtpPurpose; code: string },
): Promise<void> {
  const wrong = await db.transaction().execute((tx) => consumeOtpIn(tx, clock, req));
  if (wrong) throw wrong;
}

async function consumeOtpIn(
  db: Tx,
  clock: Clock,
  req: { destination: string; purpose: OtpPurpose; code: string },
): Promise<DomainError | null> {
  const now = clock.now();
  const check = await checkOtp(db, now, req);
  if (!check.ok) {
    return check.live
      ? new DomainError("invalid_otp", { attemptsLeft: check.attemptsLeft })
      : new DomainError("invalid_otp");
  }
  await spendOtp(db, now, req);
  return null;
}

/** The destination's live code for the purpose, locked until the transaction ends. */
function lockLiveOtp(tx: Tx, req: { destination: string; purpose: OtpPurpose }, now: Date) {
  return tx
    .selectFrom("one_time_codes")
    .select(["id", "code_hash", "attempts"])
    .where("destination", "=", req.destination)
    .where("purpose", "=", req.purpose)
    .where("consumed_at", "is", null)
    .where("expires_at", ">", now)
    .orderBy("created_at", "desc")
    .limit(1)
    .forUpdate()
    .executeTakeFirst();
}

export type OtpCheck =
  | { ok: true }
  | { ok: false; live: false }
  | { ok: false; live: true; attemptsLeft: number };

/**
 * Checks a code without spending it, in the caller's transaction. A wrong guess is counted (the
 * fifth burns the code), so the caller must commit whatever else it then does — e.g. a
 * withdrawal checks first, commits, and spends the code later inside its money transaction.
 */
export async function checkOtp(
  tx: Tx,
  now: Date,
  req: { destination: string; purpose: OtpPurpose; code: string },
): Promise<OtpCheck> {
  const row = await lockLiveOtp(tx, req, now);
  if (!row) return { ok: false, live: false };
  if (row.code_hash === codeHash(req.destination, req.purpose, req.code)) return { ok: true };
  const attempts = row.attempts + 1;
  await tx
    .updateTable("one_time_codes")
    .set({ attempts, ...(attempts >= OTP_MAX_ATTEMPTS ? { consumed_at: now } : {}) })
    .where("id", "=", row.id)
    .execute();
  return { ok: false, live: true, attemptsLeft: Math.max(0, OTP_MAX_ATTEMPTS - attempts) };
}

/**
 * Spends the code in the caller's transaction: true when it was still live and right. Of two
 * transactions spending one code, the second waits on the row lock and then finds it spent
 * (the re-checked `consumed_at is null` no longer holds), so it gets false.
 */
export async function spendOtp(
  tx: Tx,
  now: Date,
  req: { destination: string; purpose: OtpPurpose; code: string },
): Promise<boolean> {
  const row = await lockLiveOtp(tx, req, now);
  if (row?.code_hash !== codeHash(req.destination, req.purpose, req.code)) return false;
  await tx.updateTable("one_time_codes").set({ consumed_at: now }).where("id", "=", row.id).execute();
  return true;
}
