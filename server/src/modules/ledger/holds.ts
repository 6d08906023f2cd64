// Two-phase transfers: a hold reserves funds (pending), then is posted (in full or in part) or
// voided, by hand or when it expires. A hold's outcome is a row in ledger_hold_events; nothing
// is updated in place, and that table's primary key allows one outcome per hold.
import type { Tx } from "../../db/database.js";
import type { LedgerHoldOutcome, LedgerTransferType } from "../../db/schema.js";
import { DomainError } from "../../http/errors.js";
import { uuidv7 } from "../../ids.js";
import { holdEventHash, requestHash } from "./chain.js";
import {
  checkAccountId,
  checkAmount,
  checkKey,
  checkTransferShape,
  type LedgerDeps,
  lockPair,
  type Transfer,
  type TransferResult,
  toTransfer,
  withTransaction,
  writeKeyedTransfer,
  writeTransfer,
} from "./service.js";
import {
  findExpiredHoldIds,
  findHoldEvent,
  findTransfer,
  insertHoldEvent,
  updateAccountTotals,
} from "./store.js";

export type HoldStatus = "pending" | LedgerHoldOutcome;

export type HoldRequest = {
  idempotencyKey: string;
  type: Exclude<LedgerTransferType, "reversal">;
  debitAccountId: string;
  creditAccountId: string;
  amount: bigint;
  currency: string;
  /** When the hold voids itself if nobody posts or voids it first. */
  expiresAt: Date;
  memo?: string;
  metadata?: Record<string, unknown>;
};

export type Hold = {
  transfer: Transfer;
  status: HoldStatus;
  postedAmount: bigint;
  postingTransferId: string | null;
};

/** Reserves funds: the debit account's available balance drops, its posted balance does not. */
export async function createHold(deps: LedgerDeps, req: HoldRequest): Promise<TransferResult> {
  checkKey(req.idempotencyKey);
  checkTransferShape(req);
  if (!(req.expiresAt instanceof Date) || Number.isNaN(req.expiresAt.getTime())) {
    throw new DomainError("validation_failed", { detail: "expiresAt must be a moment", field: "expiresAt" });
  }
  const fingerprint = requestHash("hold", {
    type: req.type,
    debitAccountId: req.debitAccountId.toLowerCase(),
    creditAccountId: req.creditAccountId.toLowerCase(),
    amount: req.amount.toString(),
    currency: req.currency,
    expiresAt: req.expiresAt.toISOString(),
    memo: req.memo ?? null,
    metadata: req.metadata ?? {},
  });
  return withTransaction(deps.db, async (tx) => {
    const now = deps.clock.now();
    if (req.expiresAt.getTime() <= now.getTime()) {
      throw new DomainError("validation_failed", {
        detail: "expiresAt must be in the future",
        field: "expiresAt",
      });
    }
    return writeKeyedTransfer(tx, {
      scope: "ledger:hold",
      request: req,
      requestHash: fingerprint,
      status: "pending",
      expiresAt: req.expiresAt,
      now,
    });
  });
}

export async function getHold(deps: Pick<LedgerDeps, "db">, holdId: string): Promise<Hold> {
  checkAccountId(holdId, "holdId");
  const row = await findTransfer(deps.db, holdId);
  if (row?.status !== "pending") throw new DomainError("not_found", { detail: "hold not found" });
  const event = await findHoldEvent(deps.db, holdId);
  return {
    transfer: toTransfer(row),
    status: event?.outcome ?? "pending",
    postedAmount: event?.posted_amount ?? 0n,
    postingTransferId: event?.posting_transfer_id ?? null,
  };
}

/**
 * Locks the hold's accounts and returns the hold if it is still open. Checked under the locks,
 * so of a post and a void racing for the same hold exactly one wins.
 */
async function lockOpenHold(tx: Tx, holdId: string) {
  const hold = await findTransfer(tx, holdId);
  if (hold?.status !== "pending") throw new DomainError("not_found", { detail: "hold not found" });
  const pair = await lockPair(tx, hold.debit_account_id, hold.credit_account_id);
  const event = await findHoldEvent(tx, holdId);
  if (event) throw new DomainError("hold_not_pending", { status: event.outcome });
  return { hold, pair };
}

/**
 * Moves `amount` (default: all) of the held funds; whatever is left of the hold is released.
 * A hold past its expiry cannot be posted even before the expiry job has voided it.
 */
export async function postHold(
  deps: LedgerDeps,
  holdId: string,
  opts: { amount?: bigint; metadata?: Record<string, unknown> } = {},
): Promise<Transfer> {
  checkAccountId(holdId, "holdId");
  if (opts.amount !== undefined) checkAmount(opts.amount);
  return withTransaction(deps.db, async (tx) => {
    const now = deps.clock.now();
    const { hold, pair } = await lockOpenHold(tx, holdId);
    if (hold.expires_at && hold.expires_at.getTime() <= now.getTime()) {
      throw new DomainError("hold_not_pending", { status: "expired" });
    }
    const amount = opts.amount ?? hold.amount;
    if (amount > hold.amount) {
      throw new DomainError("validation_failed", {
        detail: "cannot post more than is held",
        field: "amount",
        held: Number(hold.amount),
      });
    }
    const posting = await writeTransfer(tx, pair, {
      id: uuidv7(),
      type: hold.type,
      currency: hold.currency.trim(),
      amount,
      status: "posted",
      expiresAt: null,
      holdId: hold.id,
      reversesTransferId: null,
      idempotencyKey: null,
      requestHash: null,
      memo: hold.memo,
      metadata: opts.metadata ?? hold.metadata,
      releaseHeld: hold.amount,
      now,
    });
    await recordOutcome(tx, hold.hash, {
      holdId: hold.id,
      outcome: "posted",
      postedAmount: amount,
      postingTransferId: posting.id,
      reason: null,
      createdAt: now,
    });
    return toTransfer(posting);
  });
}

/** Releases the whole hold; nothing moves. */
export async function voidHold(
  deps: LedgerDeps,
  holdId: string,
  opts: { reason?: string } = {},
): Promise<Hold> {
  checkAccountId(holdId, "holdId");
  return releaseHold(deps, holdId, "voided", opts.reason ?? null);
}

async function releaseHold(
  deps: LedgerDeps,
  holdId: string,
  outcome: "voided" | "expired",
  reason: string | null,
): Promise<Hold> {
  if (reason !== null && reason.length > 200) {
    throw new DomainError("validation_failed", { detail: "reason is too long", field: "reason" });
  }
  return withTransaction(deps.db, async (tx) => {
    const now = deps.clock.now();
    const { hold, pair } = await lockOpenHold(tx, holdId);
    await updateAccountTotals(tx, pair.debit.id, {
      balance: pair.debit.balance,
      pendingDebits: pair.debit.pending_debits - hold.amount,
      pendingCredits: pair.debit.pending_credits,
      headHash: pair.debit.head_hash,
    });
    await updateAccountTotals(tx, pair.credit.id, {
      balance: pair.credit.balance,
      pendingDebits: pair.credit.pending_debits,
      pendingCredits: pair.credit.pending_credits - hold.amount,
      headHash: pair.credit.head_hash,
    });
    await recordOutcome(tx, hold.hash, {
      holdId: hold.id,
      outcome,
      postedAmount: 0n,
      postingTransferId: null,
      reason,
      createdAt: now,
    });
    return { transfer: toTransfer(hold), status: outcome, postedAmount: 0n, postingTransferId: null };
  });
}

async function recordOutcome(
  tx: Tx,
  holdHash: string,
  e: {
    holdId: string;
    outcome: LedgerHoldOutcome;
    postedAmount: bigint;
    postingTransferId: string | null;
    reason: string | null;
    createdAt: Date;
  },
): Promise<void> {
  await insertHoldEvent(tx, {
    hold_id: e.holdId,
    outcome: e.outcome,
    posted_amount: e.postedAmount,
    posting_transfer_id: e.postingTransferId,
    reason: e.reason,
    hash: holdEventHash(holdHash, e),
    created_at: e.createdAt,
  });
}

/**
 * Voids every open hold whose expiry is at or before `now`, each in its own transaction, and
 * returns how many it voided. A hold posted or voided meanwhile is skipped. Safe to run from
 * several processes at once (the account locks decide).
 */
export async function expireHolds(deps: LedgerDeps, now: Date = deps.clock.now()): Promise<number> {
  let expired = 0;
  for (;;) {
    // A hold resolved meanwhile has its outcome row, so no batch returns it twice.
    const ids = await findExpiredHoldIds(deps.db, now, 100);
    if (ids.length === 0) return expired;
    for (const id of ids) {
      try {
        await releaseHold(deps, id, "expired", "expired");
        expired++;
      } catch (err) {
        if (!(err instanceof DomainError && err.code === "hold_not_pending")) throw err;
      }
    }
  }
}
