// The Kysely handle every store uses, plus the transaction helper.
import { createHash } from "node:crypto";
import { Kysely, PostgresDialect, sql, type Transaction } from "kysely";
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

/** Makes the client send marked statements (see `preparedStatement`) under their name. */
function nameMarkedStatements(client: pg.PoolClient): void {
  const query = client.query.bind(client) as QueryFn;
  (client as unknown as { query: QueryFn }).query = (...args: unknown[]) => {
    const [text, values] = args;
    if (args.length === 2 && typeof text === "string" && text.startsWith(PREPARED_MARK)) {
      const name = statementName(text);
      if (name) return query({ name, text, values });
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
