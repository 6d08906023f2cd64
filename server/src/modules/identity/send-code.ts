// Sending a one-time code on request, with limits per IP and per destination.
import type { AppContext } from "../../context.js";
import { DomainError } from "../../http/errors.js";
import { issueOtp, type OtpChannel, type OtpPurpose } from "./otp.js";
import { takeFromWindow } from "./rate-window.js";

export const CN_MOBILE = /^1[3-9]\d{9}$/;
const HOUR = 60 * 60 * 1000;
export const OTP_SENDS_PER_IP_PER_HOUR = 10;
export const OTP_SENDS_PER_DESTINATION_PER_HOUR = 10;

/**
 * Whatever the purpose, the answer never depends on whether an account uses the destination:
 * a code for `register` goes to a registered phone too (registration then says phone_taken),
 * and codes for signed-in purposes are only accepted later from the destination's owner.
 */
export async function sendCode(
  ctx: AppContext,
  req: { channel: OtpChannel; to: string; purpose: OtpPurpose },
  ip: string | null,
): Promise<{ expiresIn: number; resendIn: number }> {
  // Only an agent sends these (support tickets): a code nobody at the desk asked for could be
  // talked out of the customer and then read back to an unsuspecting agent.
  if (req.purpose === "support_verify") {
    throw new DomainError("validation_failed", {
      detail: "This code is sent by support staff only",
      field: "purpose",
    });
  }
  const destination = normaliseDestination(req.channel, req.to);
  return sendCodeTo(ctx, { channel: req.channel, destination, purpose: req.purpose }, ip);
}

/** Sends to a destination already normalised (trimmed; email lower-cased), under the same limits. */
export async function sendCodeTo(
  ctx: AppContext,
  req: { channel: OtpChannel; destination: string; purpose: OtpPurpose },
  ip: string | null,
): Promise<{ expiresIn: number; resendIn: number }> {
  const { destination } = req;
  return ctx.db.transaction().execute(async (tx) => {
    if (ip) {
      await takeFromWindow(tx, ctx.clock, {
        key: `otp:ip:${ip}`,
        max: OTP_SENDS_PER_IP_PER_HOUR,
        windowMs: HOUR,
      });
    }
    await takeFromWindow(tx, ctx.clock, {
      key: `otp:to:${ctx.crypto.lookupHash(destination)}`,
      max: OTP_SENDS_PER_DESTINATION_PER_HOUR,
      windowMs: HOUR,
    });
    return issueOtp(tx, ctx.clock, ctx.notifier, { channel: req.channel, destination, purpose: req.purpose });
  });
}

function normaliseDestination(channel: OtpChannel, to: string): string {
  const value = to.trim();
  switch (channel) {
    case "sms":
      if (!CN_MOBILE.test(value)) throw badDestination("a mainland China mobile number (11 digits)");
      return value;
    case "email": {
      const email = value.toLowerCase();
      if (email.length > 254 || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email))
        throw badDestination("an email address");
      return email;
    }
    default: {
      const never: never = channel;
      return never;
    }
  }
}

function badDestination(expected: string): DomainError {
  return new DomainError("validation_failed", {
    detail: `to must be ${expected}`,
    errors: [{ in: "body", path: "to", message: `must be ${expected}` }],
  });
}
