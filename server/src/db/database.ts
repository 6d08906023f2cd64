// The Kysely handle every store uses, plus the transaction helper.
import { createHash } from "node:crypto";
import { CompiledQuery, Kysely, PostgresDialect, type RawBuilder, sql, type Transaction } from "kysely";
import pg from "pg";
import type { Database } from "./schema.js";

// bigint columns (money, counters) come back as JS bigint, never as a lossy number.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => BigInt(v));

export type Db = Kysely<Database>;
export type Tx = Transaction<Database>;
/** Either the root handle or an open transaction: stores accept both. */
export type Executor = Db | Tx;

// Prepared statements for the hot paths. node-postgres sends every query unnamed, so the
// server parses, analyses and plans it on every execution: for the payment batch's large
// multi-row statements that was about a sixth of the database's CPU under bench:payments. A
// statement that starts with `${preparedStatement}` is sent as a named prepared statement
// instead: parsed once per connection, and planned once when PostgreSQL finds a generic plan as
// cheap as the custom ones (plan_cache_mode). Only for statements whose text is one of a fixed
// few (the values travel as parameters): each distinct text stays on every connection for its
// life.
const PREPARED_MARK = "/* prepared */";
/** Put first in a `sql` template to run that statement as a named prepared statement. */
export const preparedStatement = sql.raw(PREPARED_MARK);
const statementNames = new Map<string, string>();
const MAX_PREPARED_TEXTS = 200;

function statementName(text: string): string | undefined {
  let name = statementNames.get(text);
  if (name === undefined) {
    // A runaway caller (a marked statement whose text varies) would fill every connection.
    if (statementNames.size >= MAX_PREPARED_TEXTS) return undefined;
    name = `oc_${createHash("sha256").update(text).digest("hex").slice(0, 32)}`;
    statementNames.set(text, name);
  }
  return name;
}

export type PgArrayElement = string | number | bigint | boolean | Date | null;

/**
 * The text of a one-dimensional PostgreSQL array, for a parameter cast to an array type
 * (`${pgArray(ids)}::uuid[]`). node-postgres turns a JS array parameter into this same text, but
 * element by element through its general value preparation and two regular-expression
 * replacements each, and formats a Date in the local time zone by hand; the batched money
 * statements send a few thousand elements a batch, and that was the largest part of their
 * JavaScript. Strings are always quoted (so empty strings, "NULL", commas, braces and spaces
 * stay what they are), with backslash and double quote escaped as array_in reads them; null is
 * NULL; a Date is its ISO instant (UTC).
 */
export function pgArray(values: readonly PgArrayElement[]): string {
  // One join over the elements' texts: a string built by += in a loop is a chain of pieces that
  // V8 then flattens, several times the final size in garbage for a few-kilobyte array.
  const texts = new Array<string>(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as PgArrayElement;
    if (v === null) texts[i] = "NULL";
    else if (typeof v === "string") texts[i] = `"${NEEDS_ESCAPE.test(v) ? v.replace(ESCAPED, "\\$&") : v}"`;
    else if (v instanceof Date) texts[i] = `"${v.toISOString()}"`;
    else texts[i] = String(v);
  }
  return `{${texts.join(",")}}`;
}
const NEEDS_ESCAPE = /["\\]/;
const ESCAPED = /["\\]/g;

type QueryFn = (...args: unknown[]) => unknown;

// Pipelines. Each statement on a connection normally waits for the answer to the one before: a
// round trip each, in which the database's backend and then this process must be scheduled
// again. On two busy cores that wait is most of a short transaction's latency (a bare `begin`
// took up to 4-13 ms at p99 under bench:payments). `pipeline(db, [a, b, c])` sends the
// statements one after another without waiting, in one write, and collects their answers: one
// round trip. They run in order, each as if sent alone (node-postgres's pipeline mode: a Sync
// after each), so inside a transaction a failed statement fails every one after it ("current
// transaction is aborted") and the transaction can only roll back. Kysely runs one statement at a
// time on a connection, so the list travels to the connection as one marked query.
const PIPELINE_MARK = "/* pipeline */";

/** One statement's answer in a pipeline. */
export type PipelineResult<R = unknown> = { rows: R[]; numAffectedRows: bigint | undefined };

/**
 * Runs the statements in order on one connection in one round trip (see above); resolves with
 * their answers in order, or rejects with the first statement's error that failed. Marked
 * statements (`preparedStatement`) go as named prepared statements, as alone.
 */
export async function pipeline(db: Executor, statements: RawBuilder<unknown>[]): Promise<PipelineResult[]> {
  if (statements.length === 0) return [];
  const compiled = statements.map((s) => s.compile(db));
  const result = await db.executeQuery(CompiledQuery.raw(PIPELINE_MARK, [compiled]));
  return result.rows as PipelineResult[];
}

type PgResult = { command?: string; rowCount: number | null; rows: unknown[] };
type PipelinedClient = pg.PoolClient & {
  pipeline: boolean;
  connection?: { stream?: { cork?(): void; uncork?(): void } };
};

async function runPipeline(
  client: PipelinedClient,
  query: QueryFn,
  list: readonly CompiledQuery<unknown>[],
): Promise<{ command: undefined; rowCount: null; rows: PipelineResult[] }> {
  const send = (q: CompiledQuery<unknown>): Promise<PgResult> => {
    const values = [...q.parameters];
    const name = q.sql.startsWith(PREPARED_MARK) ? statementName(q.sql) : undefined;
    // node-postgres reports a bad statement through its promise; should it ever throw instead,
    // the statements already sent must still be waited for before pipeline mode is switched off.
    try {
      return (name ? query({ name, text: q.sql, values }) : query(q.sql, values)) as Promise<PgResult>;
    } catch (err) {
      return Promise.reject(err);
    }
  };
  // Pipeline mode only while these statements are in flight; Kysely hands this connection to no
  // one else until this query has answered, and the client is idle again when it has. (A
  // node-postgres without pipeline mode would queue them on the client: the same answers, a
  // round trip each.)
  const stream = client.connection?.stream;
  client.pipeline = true;
  let settled: PromiseSettledResult<PgResult>[];
  try {
    stream?.cork?.();
    let sent: Promise<PgResult>[];
    try {
      sent = list.map(send);
    } finally {
      stream?.uncork?.();
    }
    settled = await Promise.allSettled(sent);
  } finally {
    client.pipeline = false;
  }
  const failed = settled.find((s) => s.status === "rejected");
  if (failed) throw failed.reason;
  const rows = settled.map((s) => {
    const r = (s as PromiseFulfilledResult<PgResult>).value;
    const counted =
      r.command === "INSERT" || r.command === "UPDATE" || r.command === "DELETE" || r.command === "MERGE";
    return { rows: r.rows ?? [], numAffectedRows: counted ? BigInt(r.rowCount ?? 0) : undefined };
  });
  return { command: undefined, rowCount: null, rows };
}

/**
 * Makes the client send marked statements (see `preparedStatement`) under their name, and run
 * pipelines (see `pipeline`).
 */
function nameMarkedStatements(client: pg.PoolClient): void {
  const query = client.query.bind(client) as QueryFn;
  (client as unknown as { query: QueryFn }).query = (...args: unknown[]) => {
    const [text, values] = args;
    if (args.length === 2 && typeof text === "string") {
      if (text === PIPELINE_MARK) {
        return runPipeline(
          client as PipelinedClient,
          query,
          (values as unknown[])[0] as CompiledQuery<unknown>[],
        );
      }
      if (text.startsWith(PREPARED_MARK)) {
        const name = statementName(text);
        if (name) return query({ name, text, values });
      }
    }
    return query(...args);
  };
}

export function createDb(url: string, max = 20): { db: Db; pool: pg.Pool } {
  const pool = new pg.Pool({ connectionString: url, max, idleTimeoutMillis: 30_000 });
  // An idle connection dropped by the server (restart, shutdown) must not crash the process;
  // the pool replaces it on next use.
  pool.on("error", () => {});
  // The pool listens only to idle clients. A checked-out client (inside a transaction, between
  // its statements) whose server dies emits "error" with no listener, which would end the whole
  // process. Swallow it here: the client's next query fails, the transaction rolls back, and the
  // pool drops the broken client on release.
  pool.on("connect", (client) => {
    client.on("error", () => {});
    nameMarkedStatements(client);
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, pool };
}

export function inTransaction<T>(db: Db, work: (tx: Tx) => Promise<T>): Promise<T> {
  return db.transaction().execute(work);
}
