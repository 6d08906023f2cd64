// The parts of Alipay's open-platform protocol (RSA2, "key=value&…" sign strings, yuan amounts)
// that both our adapter and the local stand-in need. The adapter itself signs and verifies
// through alipay-sdk; the stand-in uses these to speak the same format from the other side.
import { createPrivateKey, createPublicKey, createSign, createVerify } from "node:crypto";
import { DomainError } from "../../../http/errors.js";
import type { GatewayPaymentStatus } from "../gateway.js";

export const NOTIFY_PATH = "/api/v1/gateways/alipay/notify";

/** Alipay's sign string: every parameter but `sign` (and, for notifications, `sign_type`), sorted, joined raw. */
export function signString(params: Record<string, string>, omit: readonly string[] = ["sign"]): string {
  return Object.keys(params)
    .filter((k) => !omit.includes(k) && params[k] !== undefined && params[k] !== "")
    .sort()
    .map((k) => `${k}=${params[k]}`)
    .join("&");
}

export function rsa2Sign(content: string, privateKeyPem: string): string {
  return createSign("RSA-SHA256").update(content, "utf8").sign(privateKeyPem, "base64");
}

export function rsa2Verify(content: string, signature: string, publicKeyPem: string): boolean {
  try {
    return createVerify("RSA-SHA256").update(content, "utf8").verify(publicKeyPem, signature, "base64");
  } catch {
    return false;
  }
}

/**
 * Keys as Alipay's tools hand them out: PEM, or bare base64 of PKCS#1 or PKCS#8 (private) /
 * SPKI (public). Normalised to PKCS#8 / SPKI PEM so alipay-sdk reads them one way.
 */
export function privateKeyPem(key: string): string {
  const k = key.trim();
  if (k.startsWith("-----")) return createPrivateKey(k).export({ type: "pkcs8", format: "pem" }).toString();
  const der = Buffer.from(k.replace(/\s+/g, ""), "base64");
  for (const type of ["pkcs8", "pkcs1"] as const) {
    try {
      return createPrivateKey({ key: der, format: "der", type })
        .export({ type: "pkcs8", format: "pem" })
        .toString();
    } catch {
      // try the other encoding
    }
  }
  throw new Error("ALIPAY_PRIVATE_KEY is not an RSA private key");
}

export function publicKeyPem(key: string): string {
  const k = key.trim();
  if (k.startsWith("-----")) return createPublicKey(k).export({ type: "spki", format: "pem" }).toString();
  return createPublicKey({ key: Buffer.from(k.replace(/\s+/g, ""), "base64"), format: "der", type: "spki" })
    .export({ type: "spki", format: "pem" })
    .toString();
}

const YUAN = /^(0|[1-9]\d{0,11})(\.\d{1,2})?$/;

/** "88.50" → 8850n; anything that is not a plain yuan amount is refused. */
export function yuanToFen(value: unknown): bigint {
  if (typeof value !== "string" || !YUAN.test(value))
    throw new DomainError("validation_failed", { detail: "not a yuan amount" });
  const [whole, fraction = ""] = value.split(".");
  return BigInt(whole ?? "0") * 100n + BigInt(fraction.padEnd(2, "0"));
}

export function fenToYuan(fen: bigint): string {
  return `${fen / 100n}.${String(fen % 100n).padStart(2, "0")}`;
}

/** Alipay's trade_status in the wallet's terms. */
export function statusOf(tradeStatus: unknown): GatewayPaymentStatus {
  switch (tradeStatus) {
    case "TRADE_SUCCESS":
    case "TRADE_FINISHED":
      return "paid";
    case "TRADE_CLOSED":
      return "failed";
    case "WAIT_BUYER_PAY":
      return "pending";
    default:
      throw new DomainError("validation_failed", { detail: "unknown trade_status" });
  }
}

/** Alipay's timestamps ("yyyy-MM-dd HH:mm:ss") are China time. */
export function chinaTime(at: Date): string {
  return new Date(at.getTime() + 8 * 3_600_000).toISOString().slice(0, 19).replace("T", " ");
}
