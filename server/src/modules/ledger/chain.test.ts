// transferHash writes its canonical JSON out by hand (it runs for every transfer); it must stay
// byte for byte what the general canonicalJson gives, or stored chains would stop verifying.
import { randomInt, randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { sha256Hex } from "../../crypto.js";
import { canonicalJson } from "../audit/chain.js";
import { type HashedTransferFields, transferHash } from "./chain.js";

function reference(debitPrev: string, creditPrev: string, f: HashedTransferFields): string {
  return sha256Hex(
    canonicalJson([
      "ledger-transfer/v1",
      debitPrev,
      creditPrev,
      f.id,
      f.type,
      f.currency.trim(),
      f.amount.toString(),
      f.debitAccountId,
      f.creditAccountId,
      f.status,
      f.expiresAt?.toISOString() ?? null,
      f.holdId,
      f.reversesTransferId,
      f.idempotencyKey,
      f.memo,
      f.metadata,
      f.createdAt.toISOString(),
    ]),
  );
}

const awkward = ['"', "\\", "\n", "\u2028", "字", "😀", "\u0000", " ", "a", "}", ","];
const text = () =>
  Array.from({ length: randomInt(0, 10) }, () => awkward[randomInt(awkward.length)]).join("");
const maybe = <T>(v: T): T | null => (randomInt(2) === 0 ? null : v);

describe("transferHash", () => {
  it("equals the general canonical JSON's hash for every shape of field (fuzz)", () => {
    for (let i = 0; i < 500; i++) {
      const f: HashedTransferFields = {
        id: randomUUID(),
        type: ["payment", "transfer", "topup"][randomInt(3)] as string,
        currency: randomInt(2) === 0 ? "CNY" : "USD ",
        amount: BigInt(randomInt(1, 2 ** 40)),
        debitAccountId: randomUUID(),
        creditAccountId: randomUUID(),
        status: randomInt(2) === 0 ? "posted" : "pending",
        expiresAt: maybe(new Date(Date.now() + randomInt(1e9))),
        holdId: maybe(randomUUID()),
        reversesTransferId: maybe(randomUUID()),
        idempotencyKey: maybe(`k:${text()}`),
        memo: maybe(text()),
        metadata: [
          {},
          { merchantId: randomUUID(), passwordFree: true, orderRef: text() },
          { z: [1, null, { b: 2, a: text() }] },
        ][randomInt(3)] as Record<string, unknown>,
        createdAt: new Date(Date.now() - randomInt(1e9)),
      };
      const dprev = sha256Hex(text());
      const cprev = sha256Hex(text());
      expect(transferHash(dprev, cprev, f)).toBe(reference(dprev, cprev, f));
    }
  });
});
