// Registers the identity module's review handlers (profile_change, unfreeze) on import.
import "./review-handlers.js";

export { passesLuhn } from "./bank-cards.js";
export { idNumberCheckChar, idNumberProblem, normaliseIdNumber } from "./id-number.js";
export { purgeExpiredIdentityRows } from "./maintenance.js";
export { maskCard, maskEmail, maskIdNumber, maskName, maskPhone } from "./mask.js";
export {
  checkOtp,
  consumeOtp,
  issueOtp,
  type OtpCheck,
  type OtpPurpose,
  otpPurposes,
  spendOtp,
} from "./otp.js";
export { PAYMENT_PASSWORD_MAX_FAILURES, verifyPaymentPassword } from "./payment-password.js";
export { notifySecurityEvent, type SecurityEvent } from "./security-events.js";
export {
  createSession,
  type LoadedSession,
  revokeSession,
  revokeUserSessions,
  SESSION_COOKIE,
  type SessionUser,
} from "./sessions.js";
export { verifySecondFactor, verifyTotp } from "./totp.js";
export { readMultipartForm, storeChatImage } from "./uploads.js";
