// Checks the ledger's invariants from one consistent snapshot and names whatever is wrong.
import { Transaction } from "kysely";
import type { Executor, Tx } from "../../db/database.js";
import { GENESIS_HASH, holdEventHash, transferHash } from "./chain.js";
import {
  accountHeads,
  balancesNotMatchingEntries,
  countOpenHolds,
  currencyCrossings,
  currencyTotals,
  danglingReferences,
  holdsInconsistent,
  pendingNotMatchingHolds,
  runningBalancesBroken,
  streamHoldEvents,
  streamTransfers,
  transfersWithBadEntries,
} from "./verify-store.js";

export type LedgerCheck =
  | "zero_sum"
  | "account_balance"
  | "running_balance"
  | "pending_holds"
  | "hold_outcomes"
  | "transfer_entries"
  | "currency"
  | "references"
  | "hash_chain";

export type LedgerProblem = { check: LedgerCheck; detail: string };

export type LedgerVerification = {
  ok: boolean;
  /** One line per check, saying what was looked at. */
  checked: string[];
  problems: LedgerProblem[];
};

/** What the command prints: each check, each problem by name, then the verdict. */
export function formatLedgerReport(result: LedgerVerification): string[] {
  return [
    ...result.checked.map((line) => `checked: ${line}`),
    ...result.problems.map((p) => `PROBLEM ${p.check}: ${p.detail}`),
    result.ok ? "ledger consistent" : `ledger NOT consistent: ${result.problems.length} problem(s)`,
  ];
}

const label = (id: string, code: string | null) => (code ? `${code} (${id})` : id);

/**
 * Runs every check in a read-only REPEATABLE READ transaction, so money moving meanwhile
 * cannot make a consistent ledger look broken. Given a transaction, it uses that one.
 */
export function verifyLedger(db: Executor): Promise<LedgerVerification> {
  if (db instanceof Transaction) return runChecks(db);
  return db.transaction().setIsolationLevel("repeatable read").setAccessMode("read only").execute(runChecks);
}

async function runChecks(tx: Tx): Promise<LedgerVerification> {
  const checked: string[] = [];
  const problems: LedgerProblem[] = [];
  const problem = (check: LedgerCheck, detail: string) => problems.push({ check, detail });

  const totals = await currencyTotals(tx);
  for (const t of totals) {
    if (t.total !== 0n) problem("zero_sum", `${t.currency.trim()} balances sum to ${t.total}, not 0`);
  }
  const accounts = totals.reduce((n, t) => n + t.accounts, 0n);
  checked.push(
    `balances sum to zero per currency: ${totals.map((t) => t.currency.trim()).join(", ") || "no accounts yet"}`,
  );

  for (const a of await balancesNotMatchingEntries(tx)) {
    problem(
      "account_balance",
      `account ${label(a.id, a.code)} balance ${a.balance} but its entries sum to ${a.entries_total}`,
    );
  }
  checked.push(`every balance equals the sum of its entries: ${accounts} accounts`);

  for (const e of await runningBalancesBroken(tx)) {
    problem(
      "running_balance",
      `entry ${e.id} of account ${e.account_id} says balance_after ${e.balance_after} but the entries up to it sum to ${e.running}`,
    );
  }
  checked.push("every entry's balance_after equals the running sum of its account");

  for (const a of await pendingNotMatchingHolds(tx)) {
    problem(
      "pending_holds",
      `account ${label(a.id, a.code)} pending debits/credits ${a.pending_debits}/${a.pending_credits} but open holds ${a.held_debits}/${a.held_credits}`,
    );
  }
  checked.push(`pending columns equal the open holds: ${await countOpenHolds(tx)} open`);

  for (const h of await holdsInconsistent(tx)) problem("hold_outcomes", `hold ${h.hold_id} ${h.problem}`);
  checked.push("no hold has two outcomes or is both posted and voided");

  for (const t of await transfersWithBadEntries(tx)) {
    problem(
      "transfer_entries",
      `${t.status} transfer ${t.id} of ${t.amount} has ${t.entries} entries summing to ${t.total}`,
    );
  }
  for (const t of await currencyCrossings(tx)) {
    problem("currency", `transfer ${t.transfer_id} touches an account of another currency`);
  }
  checked.push("every transfer's entries balance, in the transfer's currency");

  for (const d of await danglingReferences(tx)) problem("references", d.what);
  checked.push("every transfer and entry names accounts and transfers that exist");

  const chain = await checkChains(tx, (detail) => problem("hash_chain", detail));
  checked.push(
    `hash chains intact: ${chain.transfers} transfers, ${chain.holdEvents} hold outcomes, ${chain.accounts} account heads`,
  );

  return { ok: problems.length === 0, checked, problems };
}

/** Replays every account's chain in seq order, then compares each account's stored head. */
async function checkChains(tx: Tx, report: (detail: string) => void) {
  const heads = new Map<string, string>();
  let transfers = 0;
  for await (const t of streamTransfers(tx)) {
    transfers++;
    const debitHead = heads.get(t.debit_account_id) ?? GENESIS_HASH;
    const creditHead = heads.get(t.credit_account_id) ?? GENESIS_HASH;
    if (t.debit_prev_hash !== debitHead || t.credit_prev_hash !== creditHead) {
      report(`transfer ${t.id} (seq ${t.seq}) does not link to the previous transfer of its accounts`);
    }
    const expected = transferHash(t.debit_prev_hash, t.credit_prev_hash, {
      id: t.id,
      type: t.type,
      currency: t.currency,
      amount: t.amount,
      debitAccountId: t.debit_account_id,
      creditAccountId: t.credit_account_id,
      status: t.status,
      expiresAt: t.expires_at,
      holdId: t.hold_id,
      reversesTransferId: t.reverses_transfer_id,
      idempotencyKey: t.idempotency_key,
      memo: t.memo,
      metadata: t.metadata,
      createdAt: t.created_at,
    });
    if (expected !== t.hash) report(`transfer ${t.id} (seq ${t.seq}) does not match its hash`);
    heads.set(t.debit_account_id, t.hash);
    heads.set(t.credit_account_id, t.hash);
  }
  let holdEvents = 0;
  for await (const h of streamHoldEvents(tx)) {
    holdEvents++;
    const expected = holdEventHash(h.hold_hash ?? GENESIS_HASH, {
      holdId: h.hold_id,
      outcome: h.outcome,
      postedAmount: h.posted_amount,
      postingTransferId: h.posting_transfer_id,
      reason: h.reason,
      createdAt: h.created_at,
    });
    if (expected !== h.hash) report(`outcome of hold ${h.hold_id} does not match its hash`);
  }
  const accounts = await accountHeads(tx);
  for (const a of accounts) {
    if (a.head_hash !== (heads.get(a.id) ?? GENESIS_HASH)) {
      report(`account ${label(a.id, a.code)} head does not match its last transfer`);
    }
  }
  return { transfers, holdEvents, accounts: accounts.length };
}
