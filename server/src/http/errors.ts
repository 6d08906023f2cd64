// Domain errors with stable codes, and the one place that turns them into RFC 9457 problem+json.
export const errorCatalog = {
  validation_failed: { status: 400, title: "The request is not valid" },
  bad_request: { status: 400, title: "The request could not be understood" },
  invalid_otp: { status: 400, title: "The verification code is wrong or has expired" },
  invalid_captcha: { status: 400, title: "The captcha answer is wrong or has expired" },
  weak_password: { status: 400, title: "The password is too easy to guess" },
  weak_payment_password: { status: 400, title: "The payment password is too easy to guess" },
  invalid_card_number: { status: 400, title: "The bank card number is not valid" },
  invalid_id_number: { status: 400, title: "The identity-card number is not valid" },
  unsafe_markdown: {
    status: 400,
    title: "The text holds HTML or a link to something other than a web page or a page of this site",
  },
  holder_name_mismatch: { status: 400, title: "The card holder is not the account's verified owner" },
  unsupported_file: { status: 415, title: "The file type is not accepted" },
  unauthenticated: { status: 401, title: "You need to log in" },
  invalid_credentials: { status: 401, title: "The login or password is wrong" },
  mfa_required: { status: 401, title: "A two-step verification code is required" },
  invalid_mfa_code: { status: 401, title: "The two-step verification code is wrong" },
  wrong_payment_password: { status: 401, title: "The payment password is wrong" },
  invalid_signature: { status: 401, title: "The signature is not valid" },
  csrf_failed: { status: 403, title: "The request did not carry a valid CSRF token" },
  forbidden: { status: 403, title: "You are not allowed to do this" },
  account_frozen: { status: 403, title: "The account is frozen" },
  consent_required: { status: 403, title: "The customer has not allowed you to see this" },
  customer_not_verified: {
    status: 403,
    title: "Verify the customer's identity before acting on this request",
  },
  password_required: { status: 403, title: "This payment needs the payment password" },
  account_disabled: { status: 403, title: "The account is disabled" },
  mfa_enrollment_required: { status: 403, title: "Set up two-step verification first" },
  not_found: { status: 404, title: "Not found" },
  not_acceptable: { status: 406, title: "This is only served as another media type (see Accept)" },
  conflict: { status: 409, title: "The request conflicts with the current state" },
  phone_taken: { status: 409, title: "This phone number is already registered" },
  email_taken: { status: 409, title: "This email address is already in use" },
  card_already_bound: { status: 409, title: "This card is already bound" },
  payment_password_not_set: { status: 409, title: "No payment password has been set" },
  no_verified_destination: { status: 409, title: "No bound phone or verified email to send the code to" },
  review_already_decided: { status: 409, title: "This review item has already been decided" },
  idempotency_conflict: { status: 409, title: "The idempotency key was used with another request" },
  conversation_closed: { status: 409, title: "This conversation has ended; start a new one" },
  hold_not_pending: { status: 409, title: "The hold has already been posted, voided or expired" },
  edit_conflict: { status: 409, title: "Someone else changed this after you opened it" },
  slug_taken: { status: 409, title: "This slug is already used" },
  payload_too_large: { status: 413, title: "The request body is too large" },
  insufficient_funds: { status: 422, title: "The balance is not enough for this amount" },
  limit_exceeded: { status: 422, title: "The amount is over a limit on this account" },
  currency_mismatch: { status: 422, title: "The accounts and the amount are not in the same currency" },
  account_locked: { status: 423, title: "The account is temporarily locked" },
  payment_password_locked: { status: 423, title: "The payment password is temporarily locked" },
  captcha_required: { status: 428, title: "Solve the captcha to continue" },
  rate_limited: { status: 429, title: "Too many requests" },
  otp_resend_too_soon: { status: 429, title: "Wait before asking for another code" },
  not_available: { status: 503, title: "Not available right now" },
  internal_error: { status: 500, title: "Something went wrong on our side" },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorCode = keyof typeof errorCatalog;

export type ProblemDetails = {
  type: string;
  title: string;
  status: number;
  code: ErrorCode;
  detail?: string;
  instance?: string;
  [extension: string]: unknown;
};

export class DomainError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown>;
  readonly headers: Record<string, string>;

  constructor(
    code: ErrorCode,
    details: Record<string, unknown> & { detail?: string } = {},
    headers: Record<string, string> = {},
  ) {
    super(details.detail ?? errorCatalog[code].title);
    this.name = "DomainError";
    this.code = code;
    this.details = details;
    this.headers = headers;
  }

  get status(): number {
    return errorCatalog[this.code].status;
  }
}

export function toProblem(err: DomainError, instance?: string): ProblemDetails {
  const { detail, ...extensions } = err.details;
  const entry = errorCatalog[err.code];
  return {
    ...extensions,
    type: `https://opencounter.dev/problems/${err.code.replaceAll("_", "-")}`,
    title: entry.title,
    status: entry.status,
    code: err.code,
    ...(typeof detail === "string" ? { detail } : {}),
    ...(instance ? { instance } : {}),
  };
}
