// Statements marked with `preparedStatement` go to the server as named prepared statements
// (parsed once per connection); every other statement stays unnamed, as node-postgres sends it.
import { randomInt } from "node:crypto";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "../../test/harness.js";
import { createDb, type Db, pgArray, preparedStatement } from "./database.js";

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
