// Statements marked with `preparedStatement` go to the server as named prepared statements
// (parsed once per connection); every other statement stays unnamed, as node-postgres sends it.
import { randomInt } from "node:crypto";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "../../test/harness.js";
import { createDb, type Db, pgArray, pipeline, preparedStatement } from "./database.js";

type PreparedRow = { statement: string; generic_plans: bigint; custom_plans: bigint };

let db: Db;

beforeAll(async () => {
  // One connection, so every statement below runs on the same server session.
  db = createDb(await createTestDatabase(), 1).db;
});
afterAll(async () => {
  await db.destroy();
});

async function preparedOnConnection(): Promise<PreparedRow[]> {
  const { rows } = await sql<PreparedRow>`
    select statement, generic_plans, custom_plans from pg_prepared_statements
    where not from_sql order by prepare_time`.execute(db);
  return rows;
}

describe("preparedStatement", () => {
  it("prepares a marked statement once per connection and reuses it with new values", async () => {
    const results: number[] = [];
    for (const n of [1, 2, 3]) {
      const { rows } = await sql<{ total: number }>`${preparedStatement}
        select sum(x)::int as total from unnest(${[n, n, n]}::int[]) as x`.execute(db);
      results.push(rows[0]?.total as number);
    }
    expect(results).toEqual([3, 6, 9]);
    const marked = (await preparedOnConnection()).filter((r) => r.statement.includes("unnest($1::int[])"));
    expect(marked).toHaveLength(1);
    expect(Number(marked[0]?.generic_plans) + Number(marked[0]?.custom_plans)).toBe(3);
  });

  it("leaves unmarked statements unnamed", async () => {
    await sql`select ${"unmarked"}::text as label`.execute(db);
    await db
      .selectFrom("users")
      .select("id")
      .where("id", "=", "00000000-0000-0000-0000-000000000000")
      .execute();
    const texts = (await preparedOnConnection()).map((r) => r.statement);
    expect(texts.some((t) => t.includes("unmarked") || t.includes('from "users"'))).toBe(false);
  });

  it("gives each marked text its own statement, and reports errors as before", async () => {
    await sql`${preparedStatement} select ${1}::int as a`.execute(db);
    await sql`${preparedStatement} select ${1}::int as b`.execute(db);
    const texts = (await preparedOnConnection()).map((r) => r.statement);
    expect(texts.filter((t) => t.includes("as a") || t.includes("as b"))).toHaveLength(2);
    await expect(sql`${preparedStatement} select 1 / ${0}::int`.execute(db)).rejects.toThrow(
      /division by zero/,
    );
    // The connection is still usable after the failed execution.
    const { rows } = await sql<{ a: number }>`${preparedStatement} select ${7}::int as a`.execute(db);
    expect(rows[0]?.a).toBe(7);
  });

  it("runs inside a transaction on that transaction's connection", async () => {
    const seen = await db.transaction().execute(async (tx) => {
      await sql`create temporary table prepared_probe (v int) on commit drop`.execute(tx);
      await sql`${preparedStatement} insert into prepared_probe values (${5}), (${6})`.execute(tx);
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from prepared_probe`.execute(tx);
      return rows[0]?.n;
    });
    expect(seen).toBe(2);
  });
});

describe("pgArray", () => {
  it("round-trips awkward text through text[] exactly, as node-postgres's own arrays do", async () => {
    const awkward = [
      "",
      "NULL",
      "null",
      " spaced ",
      "a,b",
      "{x}",
      'say "hi"',
      "back\\slash",
      '\\"',
      "行",
      "\t\n",
    ];
    const ours = await sql<{ v: string[] }>`select ${pgArray(awkward)}::text[] as v`.execute(db);
    const theirs = await sql<{ v: string[] }>`select ${awkward}::text[] as v`.execute(db);
    expect(ours.rows[0]?.v).toEqual(awkward);
    expect(theirs.rows[0]?.v).toEqual(awkward);
  });

  it("round-trips random strings of every character class (fuzz)", async () => {
    const alphabet = [
      '"',
      "\\",
      ",",
      "{",
      "}",
      " ",
      "N",
      "U",
      "L",
      "a",
      "'",
      "\n",
      "字",
      "😀",
      "$",
      "(",
      ")",
    ];
    for (let round = 0; round < 20; round++) {
      const values = Array.from({ length: 50 }, () =>
        Array.from({ length: randomInt(0, 12) }, () => alphabet[randomInt(alphabet.length)]).join(""),
      );
      const { rows } = await sql<{ v: string[] }>`select ${pgArray(values)}::text[] as v`.execute(db);
      expect(rows[0]?.v).toEqual(values);
    }
  });

  it("sends nulls, numbers, bigints, booleans, instants and JSON as their types", async () => {
    const at = new Date("2026-03-01T16:30:00.123Z");
    const { rows } = await sql<{
      t: (string | null)[];
      b: bigint[];
      i: number[];
      f: boolean[];
      d: Date[];
      j: unknown[];
    }>`select ${pgArray(["x", null])}::text[] as t, ${pgArray([9007199254740993n, -1n])}::bigint[] as b,
        ${pgArray([1, -2])}::int[] as i, ${pgArray([true, false])}::bool[] as f,
        ${pgArray([at])}::timestamptz[] as d,
        ${pgArray([JSON.stringify({ q: 'a "b" \\ c', n: null }), "[]"])}::jsonb[] as j`.execute(db);
    expect(rows[0]?.t).toEqual(["x", null]);
    expect(rows[0]?.b).toEqual(["9007199254740993", "-1"]);
    expect(rows[0]?.i).toEqual([1, -2]);
    expect(rows[0]?.f).toEqual([true, false]);
    expect(rows[0]?.d.map((d) => new Date(d).toISOString())).toEqual([at.toISOString()]);
    expect(rows[0]?.j).toEqual([{ q: 'a "b" \\ c', n: null }, []]);
  });
});

describe("pipeline", () => {
  // Its own one-connection pool, watched: when the client writes to the socket, and when an
  // answer ends (ReadyForQuery).
  let watched: Db;
  const events: string[] = [];
  let client: { pipeline?: boolean } | undefined;
  beforeAll(async () => {
    const made = createDb(await createTestDatabase(), 1);
    watched = made.db;
    made.pool.on("connect", (c) => {
      client = c as unknown as { pipeline?: boolean };
      const con = (
        c as unknown as { connection: { stream: NodeJS.WritableStream; on(e: string, f: () => void): void } }
      ).connection;
      const write = con.stream.write.bind(con.stream) as (...a: unknown[]) => boolean;
      (con.stream as unknown as { write: (...a: unknown[]) => boolean }).write = (...a: unknown[]) => {
        events.push("write");
        return write(...a);
      };
      con.on("readyForQuery", () => events.push("ready"));
    });
    await sql`select 1`.execute(watched);
  });
  afterAll(async () => {
    await watched.destroy();
  });

  it("sends every statement before the first answer, and answers each in order", async () => {
    events.length = 0;
    const results = await pipeline(watched, [
      sql`select ${1}::int as n`,
      sql`${preparedStatement} select ${2}::int as n`,
      sql`select 3 as n`,
    ]);
    expect(results.map((r) => r.rows)).toEqual([[{ n: 1 }], [{ n: 2 }], [{ n: 3 }]]);
    // All three went out before any answer came back: one round trip.
    expect(events.indexOf("ready")).toBeGreaterThan(events.lastIndexOf("write"));
    expect(events.filter((e) => e === "ready")).toHaveLength(3);
    // The marked statement went as a named prepared statement, as alone.
    const { rows } = await sql<{ statement: string }>`
      select statement from pg_prepared_statements where not from_sql`.execute(watched);
    expect(rows.some((r) => r.statement.includes("select $1::int as n"))).toBe(true);
    // The client is back out of pipeline mode.
    expect(client?.pipeline).toBe(false);
  });

  it("counts the rows each data-modifying statement touched", async () => {
    const results = await watched.connection().execute(async (conn) => {
      const r = await pipeline(conn, [
        sql`create temporary table pipeline_count (v int)`,
        sql`insert into pipeline_count select generate_series(1, ${4}::int)`,
        sql`update pipeline_count set v = v + 1 where v > 2`,
        sql`select count(*)::int as n from pipeline_count`,
      ]);
      await sql`drop table pipeline_count`.execute(conn);
      return r;
    });
    expect(results.map((r) => r.numAffectedRows)).toEqual([undefined, 4n, 2n, undefined]);
    expect(results[3]?.rows).toEqual([{ n: 4 }]);
  });

  it("fails every statement after a failed one in a transaction, and reports the first error", async () => {
    await sql`create table if not exists pipeline_probe (v int)`.execute(watched);
    const failed = watched.connection().execute(async (conn) => {
      try {
        await pipeline(conn, [
          sql`begin`,
          sql`insert into pipeline_probe values (1)`,
          sql`select 1 / ${0}::int`,
          sql`insert into pipeline_probe values (2)`,
          sql`commit`,
        ]);
      } finally {
        await sql`rollback`.execute(conn);
      }
    });
    await expect(failed).rejects.toThrow(/division by zero/);
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from pipeline_probe`.execute(watched);
    expect(rows[0]?.n).toBe(0);
    // The connection answers normally afterwards, one statement at a time.
    const again = await pipeline(watched, [sql`select ${5}::int as n`]);
    expect(again[0]?.rows).toEqual([{ n: 5 }]);
    expect(await pipeline(watched, [])).toEqual([]);
  });
});
