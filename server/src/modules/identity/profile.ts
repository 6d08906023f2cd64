// The signed-in person's own profile, masked where sensitive, as GET /me and login return it.
import { z } from "zod";
import { maskEmail, maskPhone } from "./mask.js";
import type { UserRow } from "./users-store.js";

export const preferencesSchema = z.object({
  language: z.enum(["zh-CN", "en"]).optional(),
  theme: z.enum(["light", "dark", "high-contrast"]).optional(),
  fontSize: z.enum(["standard", "large", "extra-large"]).optional(),
  elderMode: z.boolean().optional(),
  homeModules: z.array(z.string()).optional(),
});

export const profileSchema = z.object({
  id: z.uuid(),
  kind: z.enum(["customer", "staff"]),
  phone: z.string().nullable().describe("masked: 138****1234"),
  email: z.string().nullable().describe("masked: z***n@example.com"),
  emailVerified: z.boolean(),
  name: z.string().nullable(),
  idNumber: z.string().nullable().describe("masked: 110***********1234"),
  roles: z.array(z.string()),
  status: z.enum(["active", "frozen", "disabled"]),
  verificationLevel: z.number().int(),
  hasPaymentPassword: z.boolean(),
  totpEnabled: z.boolean(),
  preferences: preferencesSchema,
  createdAt: z.iso.datetime(),
});

export type Profile = z.infer<typeof profileSchema>;

export function toProfile(u: UserRow): Profile {
  const prefs = preferencesSchema.safeParse(u.preferences);
  return {
    id: u.id,
    kind: u.kind,
    phone: u.phone ? maskPhone(u.phone) : null,
    email: u.email ? maskEmail(u.email) : null,
    emailVerified: u.email_verified_at !== null,
    name: u.name,
    idNumber: u.id_number_masked,
    roles: u.roles,
    status: u.status,
    verificationLevel: u.verification_level,
    hasPaymentPassword: u.payment_password_hash !== null,
    totpEnabled: u.totp_enabled_at !== null,
    preferences: prefs.success ? prefs.data : {},
    createdAt: u.created_at.toISOString(),
  };
}

/** The masked login shown in an authenticator app's account list. */
export function maskedLogin(u: { phone: string | null; email: string | null }): string {
  if (u.phone) return maskPhone(u.phone);
  if (u.email) return maskEmail(u.email);
  return "account";
}
