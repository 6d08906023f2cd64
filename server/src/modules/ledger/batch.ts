// Group commit: many callers' transfers written in one database transaction.
//
// A plain ledger pays one transaction (and one WAL flush) per transfer, and a hot account (a
// merchant taking a fifth of all payments) serialises every transfer that touches it. Here
// concurrent requests queue; a writer takes up to `maxBatch` of them (what queued while the last
// batch was in flight, or, when idle, what arrived within `maxWaitMs`) and, in ONE transaction
// and two round trips (steps 1-2 are sent as one pipeline with `begin`, steps 4-6 as another;
// db/database.ts):
//
//   1. claims every idempotency key with one multi-row insert, in key order; keys already taken
//      are answered as postTransfer answers them (replay of the first result, or
//      idempotency_conflict), and a key twice in one batch waits for the next batch;
//   2. opens the caller's gate (e.g. limits: locks the payers' usage rows), then locks every
//      touched account with one `select … for update`, in id order;
//   3. checks each transfer in arrival order in memory against the running totals (currency,
//      owners, overdraft), then through the caller's gate, which counts what it admits;
//   4. releases the keys of refused transfers, so a retry runs afresh as with postTransfer;
//   5. writes all transfers and entries, each touched account's totals and chain head, and what
//      the gate writes (its figures, notices) in one statement — a hot account is one row
//      updated once;
//   6. commits, then answers each caller.
//
// A refused transfer is simply not written: it never rolls back the others. The rows are the
// same as postTransfer writes (same hashes, per-account chains in seq order, balance_after in
// entry-id order), so verifyLedger cannot tell the two paths apart. Lock order is global —
// idempotency keys, then accounts, each sorted — so batchers in several processes, and single
// postTransfer calls beside them, queue rather than deadlock.
import { type RawBuilder, sql } from "kysely";
import type { Clock } from "../../clock.js";
import { type Db, type PipelineResult, pgArray, pipeline, preparedStatement } from "../../db/database.js";
import { DomainError } from "../../http/errors.js";
import { uuidv7 } from "../../ids.js";
import { requestHash, transferHash } from "./chain.js";
import {
  checkKey,
  checkOwners,
  checkTransferShape,
  type Transfer,
  type TransferRequest,
  type TransferResult,
  toTransfer,
} from "./service.js";
import { type LockedAccountRow, lockAccountsStatement, type TransferRow } from "./store.js";

const SCOPE = "ledger:transfer";

export type BatchItem<C> = { request: TransferRequest; context: C };

/**
 * The caller's own checks (e.g. limits), kept in memory for one batch: `admit` is asked, in
 * arrival order, about each transfer the ledger's checks let through, and counts what it admits;
 * `write` gives the data-modifying statements that store what it counted (and whatever else the
 * caller writes with the transfers, e.g. their notices), run as parts of the batch's write
 * statement. `noticed`, when given, says of a transfer to be written that the gate's statements
 * write the balance notice of its debit entry: the entry is marked `noticed`, and the
 * balance-notice loop leaves it out.
 */
export type BatchGate<C> = {
  admit(item: BatchItem<C>): Error | null;
  write(written: BatchWritten<C>[]): RawBuilder<unknown>[];
  noticed?(item: BatchItem<C>): boolean;
};

/** A transfer the batch writes, with the debited account's balance after it. */
export type BatchWritten<C> = { item: BatchItem<C>; debitBalanceAfter: bigint };

/**
 * The caller's gate for one batch, in two steps: the statements that lock and read what it needs
 * (sent in the batch's first round trip, after the key claim and before the account locks), and
 * the gate opened from their answers.
 */
export type BatchGatePlan<C> = {
  statements: RawBuilder<unknown>[];
  open(results: PipelineResult[]): BatchGate<C>;
};

export type BatchHooks<C> = {
  /**
   * Plans the caller's gate for the batch's transfers. Its statements run inside the batch's
   * transaction before any account is locked (what they lock comes first in the global lock
   * order, e.g. limit usage). A transfer that turns out to be a replay is in `items` too; the
   * gate is asked (`admit`) only about new transfers.
   */
  gate?(items: BatchItem<C>[], now: Date): BatchGatePlan<C> | Promise<BatchGatePlan<C>>;
  /**
   * What the caller's gate locks for a transfer besides the accounts (e.g. the payer's limit
   * usage). Batches in flight at once get disjoint keys — a transfer whose key is in a running
   * batch waits for the next — so they do not queue on each other's locks before the accounts.
   */
  lockKey?(item: BatchItem<C>): string;
};

/** One answer per item: the result, the error for that caller, or "retry" (queue it again). */
export type BatchOutcome = { ok: true; result: TransferResult } | { ok: false; error: Error } | "retry";

type Prepared<C> = {
  index: number;
  item: BatchItem<C>;
  debit: string;
  credit: string;
  fingerprint: string;
  id: string;
};

function fingerprintOf(req: TransferRequest): string {
  // Exactly postTransfer's fingerprint, so a key used on either path replays on the other.
  return requestHash("transfer", {
    type: req.type,
    debitAccountId: req.debitAccountId.toLowerCase(),
    creditAccountId: req.creditAccountId.toLowerCase(),
    amount: req.amount.toString(),
    currency: req.currency,
    memo: req.memo ?? null,
    metadata: req.metadata ?? {},
  });
}

type AccountState = {
  row: LockedAccountRow;
  balance: bigint;
  head: string;
  touches: number;
};

type Planned<C> = {
  p: Prepared<C>;
  debitPrev: string;
  creditPrev: string;
  hash: string;
  debitAfter: bigint;
  creditAfter: bigint;
};

/**
 * Runs the transfers in arrival order through the ledger's checks against the locked totals,
 * then through the caller's gate; returns the plan and the transfers refused on the way.
 */
function simulate<C>(
  candidates: Prepared<C>[],
  locked: Map<string, LockedAccountRow>,
  gate: BatchGate<C> | null,
  now: Date,
): { plan: Planned<C>[]; refused: Map<number, Error>; accounts: Map<string, AccountState> } {
  const accounts = new Map<string, AccountState>();
  const state = (id: string): AccountState | undefined => {
    let s = accounts.get(id);
    if (!s) {
      const row = locked.get(id);
      if (!row) return undefined;
      s = { row, balance: row.balance, head: row.head_hash, touches: 0 };
      accounts.set(id, s);
    }
    return s;
  };
  const plan: Planned<C>[] = [];
  const refused = new Map<number, Error>();
  for (const p of candidates) {
    const req = p.item.request;
    const debit = state(p.debit);
    const credit = state(p.credit);
    if (!debit) {
      refused.set(
        p.index,
        new DomainError("not_found", { detail: "debit account not found", field: "debitAccountId" }),
      );
      continue;
    }
    if (!credit) {
      refused.set(
        p.index,
        new DomainError("not_found", { detail: "credit account not found", field: "creditAccountId" }),
      );
      continue;
    }
    try {
      for (const [side, s] of [
        ["debit", debit],
        ["credit", credit],
      ] as const) {
        const accountCurrency = s.row.currency.trim();
        if (accountCurrency !== req.currency)
          throw new DomainError("currency_mismatch", { side, accountCurrency });
      }
      checkOwners(req.type, { debit: debit.row, credit: credit.row });
      const debitAfter = debit.balance - req.amount;
      if (!debit.row.allow_negative && debitAfter - debit.row.pending_debits < 0n) {
        throw new DomainError("insufficient_funds", {
          available: Number(debit.balance - debit.row.pending_debits),
        });
      }
      const creditAfter = credit.balance + req.amount;
      const hash = transferHash(debit.head, credit.head, {
        id: p.id,
        type: req.type,
        currency: req.currency,
        amount: req.amount,
        debitAccountId: p.debit,
        creditAccountId: p.credit,
        status: "posted",
        expiresAt: null,
        holdId: null,
        reversesTransferId: null,
        idempotencyKey: req.idempotencyKey,
        memo: req.memo ?? null,
        metadata: req.metadata ?? {},
        createdAt: now,
      });
      // The ledger would take it: now the caller's own checks, which count it if they let it by.
      const verdict = gate?.admit(p.item);
      if (verdict) {
        refused.set(p.index, verdict);
        continue;
      }
      plan.push({ p, debitPrev: debit.head, creditPrev: credit.head, hash, debitAfter, creditAfter });
      debit.balance = debitAfter;
      credit.balance = creditAfter;
      debit.head = hash;
      credit.head = hash;
      debit.touches++;
      credit.touches++;
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      refused.set(p.index, err);
    }
  }
  return { plan, refused, accounts };
}

/**
 * When the claim took fewer keys than it was given: which of the batch's keys are its own (they
 * carry its transfer ids), and the answers for the others — a replay of the first result,
 * idempotency_conflict, or "retry" when the first claimant rolled back in between. Returns the
 * transfers whose keys this batch holds.
 */
async function sortOutTakenKeys<C>(
  conn: Db,
  prepared: Prepared<C>[],
  outcomes: (BatchOutcome | undefined)[],
): Promise<Prepared<C>[]> {
  const rows = await sql<TransferRow & { k_key: string; k_hash: string; k_result: string | null }>`
    select k.key as k_key, k.request_hash as k_hash, k.result_id as k_result, t.*
    from idempotency_keys k left join ledger_transfers t on t.id = k.result_id
    where k.scope = ${SCOPE} and k.key = any(${pgArray(prepared.map((p) => p.item.request.idempotencyKey))}::text[])`.execute(
    conn,
  );
  const ours = new Set(rows.rows.map((r) => r.k_result));
  const found = new Map(rows.rows.map((r) => [r.k_key, r]));
  for (const p of prepared) {
    if (ours.has(p.id)) continue;
    const row = found.get(p.item.request.idempotencyKey);
    if (!row) outcomes[p.index] = "retry";
    else if (row.k_hash !== p.fingerprint) {
      outcomes[p.index] = { ok: false, error: new DomainError("idempotency_conflict") };
    } else if (!row.id) {
      outcomes[p.index] = { ok: false, error: new Error(`idempotency key ${SCOPE} has no stored transfer`) };
    } else {
      const { k_key: _k, k_hash: _h, k_result: _r, ...transfer } = row;
      outcomes[p.index] = { ok: true, result: { transfer: toTransfer(transfer), replayed: true } };
    }
  }
  return prepared.filter((p) => ours.has(p.id));
}

/**
 * 5. Everything in one statement. Sequence numbers and entry ids are drawn here, under the
 * locks, in arrival order (rows reach nextval sorted by their ordinal): per account, seq order is
 * chain order and entry-id order is balance order, as on the single path. Each touched account is
 * updated once, however many transfers of the batch it took part in. The transfers travel once,
 * as arrays; both inserts read them from `u`, the entries two per transfer (debit, then credit)
 * with the balances after each; the gate's statements go in beside them (`g0`, `g1`, …). An
 * entry is marked `noticed` — the balance-notice loop leaves it out — when the gate writes its
 * notice, or when it is on an account that gets none (not a customer's: a merchant's, a system
 * account). One row comes back, "id=seq,id=seq,…": a row per transfer cost
 * more to receive than to write.
 */
function writeStatement<C>(
  plan: Planned<C>[],
  accounts: Map<string, AccountState>,
  gate: BatchGate<C> | null,
  now: Date,
): RawBuilder<{ seqs: string }> {
  const touched = [...accounts.values()].filter((s) => s.touches > 0);
  const touchedIds = pgArray(touched.map((s) => s.row.id));
  const req = (x: Planned<C>) => x.p.item.request;
  const gateWrites =
    gate?.write(plan.map((x) => ({ item: x.p.item, debitBalanceAfter: x.debitAfter }))) ?? [];
  const debitNoticed = (x: Planned<C>) =>
    !customerAccount(accounts, x.p.debit) || gate?.noticed?.(x.p.item) === true;
  return sql<{ seqs: string }>`${preparedStatement}
    with u as materialized (
      select * from unnest(
        ${pgArray(plan.map((x) => x.p.id))}::uuid[], ${pgArray(plan.map((x) => req(x).idempotencyKey))}::text[],
        ${pgArray(plan.map((x) => x.p.fingerprint))}::text[], ${pgArray(plan.map((x) => req(x).type))}::text[],
        ${pgArray(plan.map((x) => req(x).currency))}::text[], ${pgArray(plan.map((x) => req(x).amount))}::bigint[],
        ${pgArray(plan.map((x) => x.p.debit))}::uuid[], ${pgArray(plan.map((x) => x.p.credit))}::uuid[],
        ${pgArray(plan.map((x) => req(x).memo ?? null))}::text[],
        ${pgArray(plan.map((x) => JSON.stringify(req(x).metadata ?? {})))}::jsonb[],
        ${pgArray(plan.map((x) => x.debitPrev))}::text[], ${pgArray(plan.map((x) => x.creditPrev))}::text[],
        ${pgArray(plan.map((x) => x.hash))}::text[],
        ${pgArray(plan.map((x) => x.debitAfter))}::bigint[], ${pgArray(plan.map((x) => x.creditAfter))}::bigint[],
        ${pgArray(plan.map(debitNoticed))}::boolean[],
        ${pgArray(plan.map((x) => !customerAccount(accounts, x.p.credit)))}::boolean[]
      ) with ordinality as u(id, key, rhash, type, currency, amount, debit, credit, memo, metadata, dprev,
        cprev, hash, debit_after, credit_after, debit_noticed, credit_noticed, n)
    ),
    t as (
      insert into ledger_transfers (id, seq, idempotency_key, request_hash, type, currency, amount,
        debit_account_id, credit_account_id, status, memo, metadata, debit_prev_hash, credit_prev_hash,
        hash, created_at)
      select id, nextval('ledger_transfer_seq'), key, rhash, type, currency, amount, debit, credit,
        'posted', memo, metadata, dprev, cprev, hash, ${now}::timestamptz
      from u
      order by n
      returning id, seq
    ),
    e as (
      insert into ledger_entries (transfer_id, account_id, amount, balance_after, noticed, created_at)
      select u.id, v.account_id, v.amount, v.balance_after, v.noticed, ${now}::timestamptz
      from u cross join lateral (
        values (1, u.debit, -u.amount, u.debit_after, u.debit_noticed),
          (2, u.credit, u.amount, u.credit_after, u.credit_noticed)
      ) as v(side, account_id, amount, balance_after, noticed)
      order by u.n, v.side
    ),
    ${sql.join(
      gateWrites.map((w, i) => sql`${sql.raw(`g${i}`)} as (${w}),`),
      sql` `,
    )}
    a as (
      update ledger_accounts a
      set balance = u.balance, head_hash = u.head, version = a.version + u.touches
      from unnest(
        ${touchedIds}::uuid[], ${pgArray(touched.map((s) => s.balance))}::bigint[],
        ${pgArray(touched.map((s) => s.head))}::text[], ${pgArray(touched.map((s) => s.touches))}::bigint[]
      ) as u(id, balance, head, touches)
      -- The array again, so the planner reaches the rows through the primary key: it cannot
      -- count unnest's rows, and would otherwise scan the whole table to join them.
      where a.id = u.id and a.id = any(${touchedIds}::uuid[])
    )
    select string_agg(id::text || '=' || seq::text, ',') as seqs from t`;
}

/** Whether balance notices are written for the account's entries (a customer's account). */
function customerAccount(accounts: Map<string, AccountState>, id: string): boolean {
  return accounts.get(id)?.row.kind === "customer";
}

/** The transfer as written by writeStatement, without reading it back. */
function writtenTransfer<C>(x: Planned<C>, seq: bigint, now: Date): Transfer {
  const req = x.p.item.request;
  return toTransfer({
    id: x.p.id,
    seq,
    idempotency_key: req.idempotencyKey,
    request_hash: x.p.fingerprint,
    type: req.type,
    currency: req.currency,
    amount: req.amount,
    debit_account_id: x.p.debit,
    credit_account_id: x.p.credit,
    status: "posted",
    expires_at: null,
    hold_id: null,
    reverses_transfer_id: null,
    memo: req.memo ?? null,
    metadata: req.metadata ?? {},
    debit_prev_hash: x.debitPrev,
    credit_prev_hash: x.creditPrev,
    hash: x.hash,
    created_at: now,
  });
}

/**
 * Posts many transfers in one transaction with the semantics of postTransfer for each: the
 * same key and request replays, another request under a used key is idempotency_conflict, a
 * refusal leaves nothing of that transfer behind. Outcomes come back in the order of `items`.
 */
export async function postTransferBatch<C>(
  deps: { db: Db; clock: Clock },
  items: BatchItem<C>[],
  hooks: BatchHooks<C> = {},
): Promise<BatchOutcome[]> {
  const outcomes: (BatchOutcome | undefined)[] = new Array(items.length).fill(undefined);
  const prepared: Prepared<C>[] = [];
  const firstOfKey = new Set<string>();
  items.forEach((item, index) => {
    const req = item.request;
    try {
      checkKey(req.idempotencyKey);
      checkTransferShape(req);
    } catch (err) {
      outcomes[index] = { ok: false, error: err as Error };
      return;
    }
    // The same key twice in one batch: the second waits for the first's outcome, as a
    // concurrent duplicate waits on the first's key in postTransfer.
    if (firstOfKey.has(req.idempotencyKey)) {
      outcomes[index] = "retry";
      return;
    }
    firstOfKey.add(req.idempotencyKey);
    prepared.push({
      index,
      item,
      debit: req.debitAccountId.toLowerCase(),
      credit: req.creditAccountId.toLowerCase(),
      fingerprint: fingerprintOf(req),
      id: uuidv7(),
    });
  });
  if (prepared.length === 0) return outcomes.map((o) => o ?? "retry");

  const now = deps.clock.now();
  // 1. The key claim, in key order so two batchers with overlapping keys cannot deadlock. No rows
  // come back: nearly always every key is new, and the count says so. Only when some were taken
  // does a second statement tell them apart (a key claimed here carries this batch's transfer id).
  const byKey = [...prepared].sort((a, b) =>
    a.item.request.idempotencyKey < b.item.request.idempotencyKey ? -1 : 1,
  );
  const claim = sql`${preparedStatement}
    insert into idempotency_keys (scope, key, request_hash, result_id, created_at)
    select ${SCOPE}, k, h, r, ${now}::timestamptz
    from unnest(${pgArray(byKey.map((p) => p.item.request.idempotencyKey))}::text[],
                ${pgArray(byKey.map((p) => p.fingerprint))}::text[],
                ${pgArray(byKey.map((p) => p.id))}::uuid[]) with ordinality as u(k, h, r, n)
    order by n
    on conflict (scope, key) do nothing`;
  // 2. The caller's gate (limits lock their usage rows: before any account, as everywhere), then
  // every touched account locked in id order in one statement.
  const gatePlan = hooks.gate
    ? await hooks.gate(
        prepared.map((p) => p.item),
        now,
      )
    : null;
  const gateStatements = gatePlan?.statements ?? [];
  const lock = lockAccountsStatement(prepared.flatMap((p) => [p.debit, p.credit]));

  const written = await deps.db.connection().execute(async (conn) => {
    try {
      // Round trip one: begin, the claim, the gate's statements and the account locks, sent
      // together (db/database.ts, pipeline). They run in that order, so the locks are taken in
      // the global order; those of a transfer that turns out to be a replay are simply held to
      // the commit. A statement that fails fails the rest, and the transaction rolls back.
      const opened = await pipeline(conn, [sql`begin`, claim, ...gateStatements, lock]);
      let fresh = prepared;
      if ((opened[1] as PipelineResult).numAffectedRows !== BigInt(prepared.length)) {
        fresh = await sortOutTakenKeys(conn, prepared, outcomes);
      }
      if (fresh.length === 0) {
        await sql`commit`.execute(conn);
        return [];
      }
      // 3. Each transfer in arrival order through the ledger's checks against the running totals
      // and the gate.
      const gate = gatePlan ? gatePlan.open(opened.slice(2, 2 + gateStatements.length)) : null;
      const lockedRows = (opened[opened.length - 1] as PipelineResult<LockedAccountRow>).rows;
      const result = simulate(fresh, new Map(lockedRows.map((r) => [r.id, r])), gate, now);
      const excluded = result.refused;
      for (const [i, err] of excluded) outcomes[i] = { ok: false, error: err };
      const plan = result.plan;

      // Round trip two: the refused transfers' keys released, everything written, commit.
      const finish: RawBuilder<unknown>[] = [];
      // 4. Refused transfers leave no key behind, as postTransfer's rollback would.
      const refusedKeys = fresh
        .filter((p) => excluded.has(p.index))
        .map((p) => p.item.request.idempotencyKey);
      if (refusedKeys.length > 0) {
        finish.push(
          sql`delete from idempotency_keys where scope = ${SCOPE} and key = any(${pgArray(refusedKeys)}::text[])`,
        );
      }
      if (plan.length > 0) finish.push(writeStatement(plan, result.accounts, gate, now));
      finish.push(sql`commit`);
      const answers = await pipeline(conn, finish);
      if (plan.length === 0) return [];
      const seqs = (answers[finish.length - 2] as PipelineResult<{ seqs: string }>).rows[0]?.seqs ?? "";
      const seqOf = new Map<string, bigint>();
      for (const pair of seqs.split(",")) {
        const at = pair.indexOf("=");
        seqOf.set(pair.slice(0, at), BigInt(pair.slice(at + 1)));
      }
      return plan.map((x) => ({
        index: x.p.index,
        transfer: writtenTransfer(x, seqOf.get(x.p.id) as bigint, now),
      }));
    } catch (err) {
      // Whatever failed — a statement, the checks, the connection — nothing of the batch stays.
      await sql`rollback`.execute(conn).catch(() => {});
      throw err;
    }
  });
  for (const w of written)
    outcomes[w.index] = { ok: true, result: { transfer: w.transfer, replayed: false } };
  return outcomes.map((o) => o ?? "retry");
}

export type BatcherOptions = {
  /** Most transfers in one transaction. */
  maxBatch?: number;
  /**
   * How long the first request of a batch waits for company when nothing is in flight, in
   * milliseconds. Requests that queued while a batch was in flight go as soon as it is done:
   * they have had their company, and waiting longer only adds to their latency.
   */
  maxWaitMs?: number;
  /** Batches in flight at once in this process (one collects while another commits). */
  concurrency?: number;
  /**
   * While a batch is in flight, another starts only once this many transfers wait; fewer wait
   * for it to finish and go together. Small batches side by side would each pay the whole
   * round-trip cost and queue on the hot accounts' locks anyway.
   */
  parallelAfter?: number;
  /** Told of each batch once it is done: how many transfers it took and how long it ran (ms). */
  onBatch?: (batch: { size: number; ms: number }) => void;
};

type Waiting<C> = {
  item: BatchItem<C>;
  resolve: (r: TransferResult) => void;
  reject: (e: Error) => void;
};

/**
 * The queue in front of postTransferBatch: submit() resolves once the transfer's batch has
 * committed (or rejects with this transfer's refusal). One per process and purpose.
 */
export class TransferBatcher<C = undefined> {
  private queue: Waiting<C>[] = [];
  private running = 0;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private idle: (() => void)[] = [];
  private keysInFlight = new Map<string, number>();
  readonly maxBatch: number;
  readonly maxWaitMs: number;
  readonly concurrency: number;
  readonly parallelAfter: number;
  private readonly onBatch: BatcherOptions["onBatch"];

  constructor(
    private readonly deps: { db: Db; clock: Clock },
    private readonly hooks: BatchHooks<C> = {},
    opts: BatcherOptions = {},
  ) {
    this.maxBatch = opts.maxBatch ?? 500;
    this.maxWaitMs = opts.maxWaitMs ?? 2;
    this.concurrency = opts.concurrency ?? 2;
    this.parallelAfter = opts.parallelAfter ?? 1;
    this.onBatch = opts.onBatch;
  }

  submit(request: TransferRequest, context: C): Promise<TransferResult> {
    if (this.closed) return Promise.reject(new DomainError("not_available", { detail: "shutting down" }));
    return new Promise((resolve, reject) => {
      this.queue.push({ item: { request, context }, resolve, reject });
      this.schedule();
    });
  }

  /** Stops taking new transfers and waits for those queued to be written. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.queue.length === 0 && this.running === 0) return;
    await new Promise<void>((resolve) => {
      this.idle.push(resolve);
      this.schedule();
    });
  }

  private schedule(afterBatch = false): void {
    if (this.queue.length === 0) {
      if (this.running === 0) for (const done of this.idle.splice(0)) done();
      return;
    }
    if (this.running >= this.concurrency) return;
    if (this.running > 0 && this.queue.length < this.parallelAfter && !this.closed) return;
    if (this.queue.length >= this.maxBatch || this.closed || afterBatch) {
      this.runBatch();
      return;
    }
    if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.runBatch();
      }, this.maxWaitMs);
    }
  }

  /** Up to maxBatch waiting transfers in arrival order, skipping those whose key is in flight. */
  private take(): Waiting<C>[] {
    const lockKey = this.hooks.lockKey;
    if (!lockKey || this.keysInFlight.size === 0) return this.queue.splice(0, this.maxBatch);
    const taken: Waiting<C>[] = [];
    const left: Waiting<C>[] = [];
    for (const w of this.queue) {
      if (taken.length < this.maxBatch && !this.keysInFlight.has(lockKey(w.item))) taken.push(w);
      else left.push(w);
    }
    this.queue = left;
    return taken;
  }

  private runBatch(): void {
    if (this.running >= this.concurrency || this.queue.length === 0) return;
    if (this.running > 0 && this.queue.length < this.parallelAfter && !this.closed) return;
    const batch = this.take();
    if (batch.length === 0) return; // all wait for keys in flight; a finishing batch reschedules
    const keys = this.hooks.lockKey ? batch.map((w) => this.hooks.lockKey?.(w.item) as string) : [];
    for (const k of keys) this.keysInFlight.set(k, (this.keysInFlight.get(k) ?? 0) + 1);
    this.running++;
    const started = performance.now();
    postTransferBatch(
      this.deps,
      batch.map((w) => w.item),
      this.hooks,
    )
      .then((outcomes) => {
        const again: Waiting<C>[] = [];
        outcomes.forEach((o, i) => {
          const w = batch[i] as Waiting<C>;
          if (o === "retry") again.push(w);
          else if (o.ok) w.resolve(o.result);
          else w.reject(o.error);
        });
        this.queue.unshift(...again);
      })
      .catch((err: Error) => {
        for (const w of batch) w.reject(err);
      })
      .finally(() => {
        for (const k of keys) {
          const n = (this.keysInFlight.get(k) ?? 1) - 1;
          if (n === 0) this.keysInFlight.delete(k);
          else this.keysInFlight.set(k, n);
        }
        this.running--;
        this.onBatch?.({ size: batch.length, ms: performance.now() - started });
        this.schedule(true);
      });
  }
}
