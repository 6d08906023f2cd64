// Login-password policy (NIST SP 800-63B): length and guessability, no composition rules.
import { zxcvbn, zxcvbnOptions } from "@zxcvbn-ts/core";
import * as zxcvbnCommon from "@zxcvbn-ts/language-common";
import * as zxcvbnEn from "@zxcvbn-ts/language-en";
import { DomainError } from "../../http/errors.js";

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;
const MIN_SCORE = 3;

zxcvbnOptions.setOptions({
  dictionary: { ...zxcvbnCommon.dictionary, ...zxcvbnEn.dictionary },
  graphs: zxcvbnCommon.adjacencyGraphs,
  translations: zxcvbnEn.translations,
});

export type PasswordContext = { phone?: string | null; email?: string | null; name?: string | null };

export type PasswordVerdict =
  | { ok: true }
  | { ok: false; reason: "too_short" | "too_long" | "contains_phone" | "too_guessable"; score?: number };

export function judgePassword(password: string, context: PasswordContext = {}): PasswordVerdict {
  const length = [...password].length;
  if (length < PASSWORD_MIN) return { ok: false, reason: "too_short" };
  if (length > PASSWORD_MAX) return { ok: false, reason: "too_long" };
  const phone = context.phone?.replace(/\D/g, "");
  if (phone && phone.length >= 7 && password.replace(/\D/g, "").includes(phone)) {
    return { ok: false, reason: "contains_phone" };
  }
  const inputs = [
    context.phone,
    context.email,
    context.email?.split("@")[0],
    context.name,
    "opencounter",
  ].filter((v): v is string => typeof v === "string" && v.length > 0);
  const { score } = zxcvbn(password, inputs);
  if (score < MIN_SCORE) return { ok: false, reason: "too_guessable", score };
  return { ok: true };
}

/** Throws `weak_password` (with a machine-readable reason) unless the password is acceptable. */
export function assertStrongPassword(password: string, context: PasswordContext = {}): void {
  const verdict = judgePassword(password, context);
  if (verdict.ok) return;
  const detail: Record<typeof verdict.reason, string> = {
    too_short: `Use at least ${PASSWORD_MIN} characters`,
    too_long: `Use at most ${PASSWORD_MAX} characters`,
    contains_phone: "Do not use your phone number in the password",
    too_guessable: "This password is too common or too easy to guess; a few unrelated words work well",
  };
  throw new DomainError("weak_password", {
    detail: detail[verdict.reason],
    reason: verdict.reason,
    minLength: PASSWORD_MIN,
  });
}
