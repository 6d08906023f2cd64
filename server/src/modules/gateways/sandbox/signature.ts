// The sandbox gateway's message signature: HMAC-SHA256 over "<unix seconds>.<raw body>", in
// the header `x-sandbox-signature: t=<unix seconds>,v1=<hex>`. The key is derived from
// SECRET_KEY for this purpose only, standing in for the key a merchant shares with a provider.
import { timingSafeEqual } from "node:crypto";
import type { Crypto } from "../../../crypto.js";

export const SIGNATURE_HEADER = "x-sandbox-signature";
const PURPOSE = "sandbox-gateway/messages";

export function signMessage(crypto: Crypto, body: string | Buffer, at: Date): string {
  const t = Math.floor(at.getTime() / 1000);
  return `t=${t},v1=${crypto.signFor(PURPOSE, `${t}.${body.toString()}`)}`;
}

export function signatureHolds(crypto: Crypto, body: string | Buffer, header: unknown): boolean {
  if (typeof header !== "string" || header.length > 200) return false;
  const m = /^t=(\d{1,12}),v1=([0-9a-f]{64})$/.exec(header);
  if (!m?.[1] || !m[2]) return false;
  const expected = Buffer.from(crypto.signFor(PURPOSE, `${m[1]}.${body.toString()}`), "hex");
  return timingSafeEqual(expected, Buffer.from(m[2], "hex"));
}

/** The per-payment token the pay page's form carries, in place of the app's CSRF cookie. */
export function formToken(crypto: Crypto, paymentId: string): string {
  return crypto.signFor("sandbox-gateway/pay-form", paymentId);
}

export function formTokenHolds(crypto: Crypto, paymentId: string, token: unknown): boolean {
  if (typeof token !== "string" || token.length !== 64) return false;
  return timingSafeEqual(Buffer.from(formToken(crypto, paymentId)), Buffer.from(token));
}
