// The demo logins that `npm start` seeds, read from <DATA_DIR>/demo-logins.json, and TOTP codes for them.
import { readFileSync } from "node:fs";
import path from "node:path";
import { Secret, TOTP } from "otpauth";
import { E2E_DATA_DIR } from "./env";

export type DemoLogin = {
  role: string;
  login: string;
  password: string;
  /** Customers: the payment password their demo payments were made with. */
  paymentPassword?: string;
  totpSecret?: string;
};

export function demoLogins(): DemoLogin[] {
  const raw: unknown = JSON.parse(readFileSync(path.join(E2E_DATA_DIR, "demo-logins.json"), "utf8"));
  const list = Array.isArray(raw) ? raw : ((raw as { logins?: unknown[] }).logins ?? []);
  return list as DemoLogin[];
}

export function demoLogin(role: string): DemoLogin {
  const found = demoLogins().find((l) => l.role === role);
  if (!found) throw new Error(`no demo login for ${role}`);
  return found;
}

export function totpCode(secretBase32: string, at = Date.now()): string {
  return new TOTP({
    secret: Secret.fromBase32(secretBase32),
    algorithm: "SHA1",
    digits: 6,
    period: 30,
  }).generate({
    timestamp: at,
  });
}
