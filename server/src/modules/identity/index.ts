export { purgeExpiredIdentityRows } from "./maintenance.js";
export { maskCard, maskEmail, maskIdNumber, maskName, maskPhone } from "./mask.js";
export { consumeOtp, issueOtp, type OtpPurpose, otpPurposes } from "./otp.js";
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
