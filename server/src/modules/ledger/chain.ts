// Tamper evidence for the ledger: per-account hash chains over transfers, and hold outcomes
// chained to their hold.
//
// Why per account and not one global chain: a global chain needs every append to read the
// previous hash under one lock, which would serialise all money movement. A transfer already
// locks its two accounts (in id order), so each account's chain can be extended under locks
// the transfer holds anyway: a transfer's hash covers its own fields and the heads of both its
// accounts' chains, and becomes the new head of both. Per account, `seq` order is chain order,
// because a transfer takes its seq only after it holds both account locks. Changing, removing
// or inserting a transfer breaks the link of the next transfer on that account, or the head
// stored on the account row. docs/ledger.md has the whole argument.
import { sha256Hex } from "../../crypto.js";
import { canonicalJson } from "../audit/chain.js";

export const GENESIS_HASH = "0".repeat(64);

export type HashedTransferFields = {
  id: string;
  type: string;
  currency: string;
  amount: bigint;
  debitAccountId: string;
  creditAccountId: string;
  status: string;
  expiresAt: Date | null;
  holdId: string | null;
  reversesTransferId: string | null;
  idempotencyKey: string | null;
  memo: string | null;
  metadata: Record<string, unknown>;
  createdAt: Date;
};

export function transferHash(debitPrevHash: string, creditPrevHash: string, f: HashedTransferFields): string {
  // Exactly canonicalJson of the array ["ledger-transfer/v1", debitPrevHash, …, createdAt], written
  // out (chain.test.ts holds the two equal): every transfer is hashed on the payment path.
  return sha256Hex(
    `["ledger-transfer/v1",${json(debitPrevHash)},${json(creditPrevHash)},${json(f.id)},${json(f.type)},` +
      `${json(f.currency.trim())},${json(f.amount.toString())},${json(f.debitAccountId)},` +
      `${json(f.creditAccountId)},${json(f.status)},${json(f.expiresAt?.toISOString() ?? null)},` +
      `${json(f.holdId)},${json(f.reversesTransferId)},${json(f.idempotencyKey)},${json(f.memo)},` +
      `${canonicalJson(f.metadata)},${json(f.createdAt.toISOString())}]`,
  );
}

/** A string or null as canonicalJson writes it. */
function json(value: string | null): string {
  return value === null ? "null" : JSON.stringify(value);
}

export type HashedHoldEventFields = {
  holdId: string;
  outcome: string;
  postedAmount: bigint;
  postingTransferId: string | null;
  reason: string | null;
  createdAt: Date;
};

export function holdEventHash(holdHash: string, f: HashedHoldEventFields): string {
  return sha256Hex(
    canonicalJson([
      "ledger-hold-event/v1",
      holdHash,
      f.holdId,
      f.outcome,
      f.postedAmount.toString(),
      f.postingTransferId,
      f.reason,
      f.createdAt.toISOString(),
    ]),
  );
}

/** The fingerprint of a request, stored with its idempotency key to tell a replay from a reuse. */
export function requestHash(operation: string, request: Record<string, unknown>): string {
  return sha256Hex(canonicalJson([operation, request]));
}
