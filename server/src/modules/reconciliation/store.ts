// SQL for reconciliation: runs, matches, exceptions, and the ledger side of a gateway's day
// (read only: money moves only through the top-up path and the ledger).
import type { Selectable } from "kysely";
import type { Executor } from "../../db/database.js";
import type {
  ReconciliationExceptionKind,
  ReconciliationExceptionsTable,
  ReconciliationMatchesTable,
  ReconciliationMatchOutcome,
  ReconciliationRunsTable,
  TopupMethod,
} from "../../db/schema.js";
import type { TimeCursor } from "../../http/cursor.js";

export type RunRow = Selectable<ReconciliationRunsTable>;
export type MatchRow = Selectable<ReconciliationMatchesTable>;
export type ExceptionRow = Selectable<ReconciliationExceptionsTable>;

export function insertRun(
  db: Executor,
  r: { date: string; startedBy: string | null; gateways: string[]; now: Date },
): Promise<RunRow> {
  return db
    .insertInto("reconciliation_runs")
    .values({ statement_date: r.date, started_by: r.startedBy, gateways: r.gateways, started_at: r.now })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function finishRun(
  db: Executor,
  id: string,
  r: { status: "completed" | "failed"; error: string | null; now: Date },
): Promise<RunRow> {
  return db
    .updateTable("reconciliation_runs")
    .set((eb) => ({
      status: r.status,
      error: r.error,
      finished_at: r.now,
      matched: eb
        .selectFrom("reconciliation_matches")
        .select((e) => e.fn.countAll<number>().as("n"))
        .where("run_id", "=", id)
        .where("outcome", "=", "matched"),
      auto_credited: eb
        .selectFrom("reconciliation_matches")
        .select((e) => e.fn.countAll<number>().as("n"))
        .where("run_id", "=", id)
        .where("outcome", "=", "auto_credited"),
      exceptions: eb
        .selectFrom("reconciliation_exceptions")
        .select((e) => e.fn.countAll<number>().as("n"))
        .where("run_id", "=", id),
    }))
    .where("id", "=", id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function insertMatch(
  db: Executor,
  m: {
    runId: string;
    gateway: string;
    paymentId: string;
    topupId: string;
    amount: bigint;
    currency: string;
    outcome: ReconciliationMatchOutcome;
    ledgerTransferId: string | null;
    now: Date;
  },
): Promise<void> {
  await db
    .insertInto("reconciliation_matches")
    .values({
      run_id: m.runId,
      gateway: m.gateway,
      payment_id: m.paymentId,
      topup_id: m.topupId,
      amount: m.amount,
      currency: m.currency,
      outcome: m.outcome,
      ledger_transfer_id: m.ledgerTransferId,
      created_at: m.now,
    })
    .execute();
}

export async function insertException(
  db: Executor,
  x: {
    runId: string;
    gateway: string;
    kind: ReconciliationExceptionKind;
    paymentId: string | null;
    topupId: string | null;
    gatewayAmount: bigint | null;
    ledgerAmount: bigint | null;
    detail: string;
    now: Date;
  },
): Promise<void> {
  await db
    .insertInto("reconciliation_exceptions")
    .values({
      run_id: x.runId,
      gateway: x.gateway,
      kind: x.kind,
      payment_id: x.paymentId,
      topup_id: x.topupId,
      gateway_amount: x.gatewayAmount,
      ledger_amount: x.ledgerAmount,
      detail: x.detail,
      created_at: x.now,
    })
    .execute();
}

/** A top-up and, when it was credited, the ledger transfer that credited it. */
export function findTopupWithCredit(db: Executor, topupId: string) {
  return db
    .selectFrom("topups")
    .leftJoin("ledger_transfers", "ledger_transfers.id", "topups.ledger_transfer_id")
    .select([
      "topups.id",
      "topups.method",
      "topups.status",
      "topups.amount",
      "topups.currency",
      "topups.gateway_payment_id",
      "topups.ledger_transfer_id",
      "ledger_transfers.amount as credited_amount",
    ])
    .where("topups.id", "=", topupId)
    .executeTakeFirst();
}

/** Top-ups of one gateway the ledger credited in [from, to). */
export function listCreditedBetween(db: Executor, method: TopupMethod, from: Date, to: Date) {
  return db
    .selectFrom("topups")
    .innerJoin("ledger_transfers", "ledger_transfers.id", "topups.ledger_transfer_id")
    .select([
      "topups.id",
      "topups.gateway_payment_id",
      "topups.currency",
      "ledger_transfers.amount as credited_amount",
    ])
    .where("topups.method", "=", method)
    .where("topups.status", "=", "succeeded")
    .where("ledger_transfers.created_at", ">=", from)
    .where("ledger_transfers.created_at", "<", to)
    .orderBy("ledger_transfers.created_at")
    .execute();
}

export function listRuns(db: Executor, q: { before?: TimeCursor; limit: number }) {
  let query = db.selectFrom("reconciliation_runs").selectAll();
  const before = q.before;
  if (before) {
    query = query.where((eb) =>
      eb.or([
        eb("started_at", "<", before.at),
        eb.and([eb("started_at", "=", before.at), eb("id", "<", before.id)]),
      ]),
    );
  }
  return query.orderBy("started_at", "desc").orderBy("id", "desc").limit(q.limit).execute();
}

export function findRun(db: Executor, id: string): Promise<RunRow | undefined> {
  return db.selectFrom("reconciliation_runs").selectAll().where("id", "=", id).executeTakeFirst();
}

export function listMatches(db: Executor, runId: string): Promise<MatchRow[]> {
  return db
    .selectFrom("reconciliation_matches")
    .selectAll()
    .where("run_id", "=", runId)
    .orderBy("created_at")
    .orderBy("id")
    .execute();
}

export function listExceptions(
  db: Executor,
  q: { runId?: string; status?: "open" | "resolved"; limit: number },
): Promise<ExceptionRow[]> {
  let query = db.selectFrom("reconciliation_exceptions").selectAll();
  if (q.runId) query = query.where("run_id", "=", q.runId);
  if (q.status) query = query.where("status", "=", q.status);
  return query.orderBy("created_at").orderBy("id").limit(q.limit).execute();
}

export function findException(
  db: Executor,
  id: string,
  opts: { forUpdate?: boolean } = {},
): Promise<ExceptionRow | undefined> {
  const q = db.selectFrom("reconciliation_exceptions").selectAll().where("id", "=", id);
  return (opts.forUpdate ? q.forUpdate() : q).executeTakeFirst();
}

export function resolveException(
  db: Executor,
  id: string,
  r: { by: string; note: string; now: Date },
): Promise<ExceptionRow> {
  return db
    .updateTable("reconciliation_exceptions")
    .set({ status: "resolved", resolved_by: r.by, resolved_at: r.now, note: r.note })
    .where("id", "=", id)
    .returningAll()
    .executeTakeFirstOrThrow();
}
