// One-time codes sent to the signed-in person's own bound phone or verified email, so nobody has
// to type a number the profile only shows masked.
import type { AppContext } from "../../context.js";
import { DomainError } from "../../http/errors.js";
import { permissionsOf } from "../../http/permissions.js";
import { maskEmail, maskPhone } from "./mask.js";
import type { OtpChannel, OtpPurpose } from "./otp.js";
import { sendCodeTo } from "./send-code.js";
import type { LoadedSession } from "./sessions.js";
import { findUserById } from "./users-store.js";

/** Purposes whose codes are checked against the account's own phone or email. */
export const ownOtpPurposes = ["reset_password", "payment_password", "change_phone", "withdrawal"] as const;
export type OwnOtpPurpose = (typeof ownOtpPurposes)[number] & OtpPurpose;

/** Whether a purpose serves customer-only self-service (payment password, phone, withdrawals). */
function customerOnly(purpose: OwnOtpPurpose): boolean {
  switch (purpose) {
    case "payment_password":
    case "change_phone":
    case "withdrawal":
      return true;
    case "reset_password":
      return false;
    default: {
      const never: never = purpose;
      return never;
    }
  }
}

export async function sendCodeToMe(
  ctx: AppContext,
  auth: LoadedSession,
  req: { purpose: OwnOtpPurpose; channel: OtpChannel },
  ip: string | null,
): Promise<{ expiresIn: number; resendIn: number; to: string }> {
  if (customerOnly(req.purpose) && !permissionsOf(auth.user.roles).has("customer")) {
    throw new DomainError("forbidden", { detail: `Codes for ${req.purpose} are for customers only` });
  }
  // Only a password reset can be completed with an email code (POST /auth/password-reset); the
  // other purposes check the code against the bound phone, so an emailed one would be useless.
  if (req.channel === "email" && req.purpose !== "reset_password") {
    throw new DomainError("validation_failed", {
      detail: `Codes for ${req.purpose} are sent by SMS only`,
      errors: [{ in: "body", path: "channel", message: "only sms is accepted for this purpose" }],
    });
  }
  const user = await findUserById(ctx.db, auth.user.id);
  if (!user) throw new DomainError("unauthenticated");
  const { destination, masked } = destinationOf(user, req.channel);
  const sent = await sendCodeTo(ctx, { channel: req.channel, destination, purpose: req.purpose }, ip);
  return { ...sent, to: masked };
}

function destinationOf(
  user: { phone: string | null; email: string | null; email_verified_at: Date | null },
  channel: OtpChannel,
): { destination: string; masked: string } {
  switch (channel) {
    case "sms":
      if (!user.phone)
        throw new DomainError("no_verified_destination", { channel, detail: "No phone is bound" });
      return { destination: user.phone, masked: maskPhone(user.phone) };
    case "email":
      if (!user.email || !user.email_verified_at) {
        throw new DomainError("no_verified_destination", { channel, detail: "No verified email is bound" });
      }
      return { destination: user.email, masked: maskEmail(user.email) };
    default: {
      const never: never = channel;
      return never;
    }
  }
}
