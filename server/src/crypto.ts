// Encryption, keyed hashes, password hashing and randomness: all secrets pass through here.
import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  hash,
  hkdfSync,
  randomBytes,
  randomInt,
} from "node:crypto";
import { hash as argonHash, verify as argonVerify } from "@node-rs/argon2";

// OWASP's argon2id recommendation (m=19 MiB, t=2, p=1). 2 is Algorithm.Argon2id, a const enum
// that verbatimModuleSyntax cannot import.
const ARGON = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export type Crypto = ReturnType<typeof createCrypto>;

export function createCrypto(secretKey: Buffer) {
  const derive = (purpose: string) =>
    Buffer.from(hkdfSync("sha256", secretKey, Buffer.alloc(0), purpose, 32));
  const encKey = derive("opencounter/aes-256-gcm/v1");
  const macKey = derive("opencounter/lookup-hmac/v1");

  return {
    /** AES-256-GCM: 1-byte version, 12-byte nonce, 16-byte tag, ciphertext. */
    encrypt(plain: string): Buffer {
      const iv = randomBytes(12);
      const cipher = createCipheriv("aes-256-gcm", encKey, iv);
      const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
      return Buffer.concat([Buffer.from([1]), iv, cipher.getAuthTag(), body]);
    },
    decrypt(blob: Buffer): string {
      if (blob[0] !== 1) throw new Error("unknown ciphertext version");
      const decipher = createDecipheriv("aes-256-gcm", encKey, blob.subarray(1, 13));
      decipher.setAuthTag(blob.subarray(13, 29));
      return Buffer.concat([decipher.update(blob.subarray(29)), decipher.final()]).toString("utf8");
    },
    /** A keyed hash for equality lookups of sensitive values (card and ID numbers, login keys). */
    lookupHash(value: string): string {
      return createHmac("sha256", macKey).update(value).digest("hex");
    },
    /** HMAC-SHA256 (hex) under a key derived for `purpose` alone, e.g. signing gateway messages. */
    signFor(purpose: string, data: string | Buffer): string {
      return createHmac("sha256", derive(`opencounter/${purpose}/v1`))
        .update(data)
        .digest("hex");
    },
    hashPassword(password: string): Promise<string> {
      return argonHash(password, ARGON);
    },
    async verifyPassword(hash: string, password: string): Promise<boolean> {
      try {
        return await argonVerify(hash, password);
      } catch {
        return false;
      }
    },
  };
}

export function sha256Hex(value: string | Buffer): string {
  // One-shot: no Hash object per call (the ledger hashes twice per transfer).
  return hash("sha256", value, "hex");
}

/** A URL-safe token with `bytes` bytes of CSPRNG entropy. */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString("base64url");
}

/** `length` decimal digits from the CSPRNG, without modulo bias. */
export function randomDigits(length: number): string {
  let out = "";
  for (let i = 0; i < length; i++) out += String(randomInt(10));
  return out;
}
