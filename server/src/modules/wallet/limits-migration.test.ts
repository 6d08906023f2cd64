// Migration 0020 turns the per-counter usage rows into one row per customer: what the old rows
// held for the current periods must carry over, and ended periods must not.

import { randomBytes } from "node:crypto";
import { readdirSync } from "node:fs";
import { sql } from "kysely";
import pg from "pg";
import { afterAll, describe, expect, inject, it } from "vitest";
import { withDatabase } from "../../../test/global-setup.js";
import { createDb } from "../../db/database.js";
import { MIGRATIONS_DIR, migrateToLatest, migrateUpTo } from "../../db/migrate.js";
import { startOfChinaDay, startOfChinaYear } from "./limits.js";

const server = inject("pgServerUrl");
const name = `${inject("dbPrefix")}mig_${randomBytes(4).toString("hex")}`;

afterAll(async () => {
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.end();
});

describe("migration 0020 (limit usage per customer)", () => {
  it("carries over the current day's, year's and lifetime figures, and drops ended periods", async () => {
    const admin = new pg.Client({ connectionString: server });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    const { db } = createDb(withDatabase(server, name), 2);
    try {
      const files = readdirSync(MIGRATIONS_DIR)
        .filter((f) => /^\d{4}_/.test(f))
        .sort();
      const index = files.findIndex((f) => f.startsWith("0020_"));
      const before = files[index - 1]?.replace(/\.sql$/, "");
      if (!before) throw new Error("no migration before 0020");
      await migrateUpTo(db, before);

      const now = new Date();
      const day = startOfChinaDay(now);
      const yesterday = new Date(day.getTime() - 24 * 60 * 60 * 1000);
      const year = startOfChinaYear(now);
      const lastYear = startOfChinaYear(new Date(year.getTime() - 1));
      const users = await sql<{ id: string }>`
        insert into users (kind, phone, name, password_hash, updated_at)
        values ('customer', '13800000001', '甲', 'x', now()), ('customer', '13800000002', '乙', 'x', now())
        returning id`.execute(db);
      const [a, b] = users.rows.map((r) => r.id) as [string, string];
      await sql`
        insert into limit_usage (user_id, counter, period_start, used) values
          (${a}, 'all:day', ${day}, 500), (${a}, 'one_factor:day', ${yesterday}, 300),
          (${a}, 'transfer:day', ${day}, 200), (${a}, 'phone_topup:day', ${day}, 100),
          (${a}, 'all:year', ${year}, 7000), (${a}, 'all:lifetime', ${new Date(0)}, 9000),
          (${b}, 'all:year', ${lastYear}, 4000), (${b}, 'all:lifetime', ${new Date(0)}, 4000)`.execute(db);

      await migrateToLatest(db);
      const rows = await db.selectFrom("limit_usage").selectAll().orderBy("lifetime_all", "desc").execute();
      expect(rows).toEqual([
        {
          user_id: a,
          day_start: day,
          day_all: 500n,
          day_one_factor: 0n,
          day_transfer: 200n,
          day_phone_topup: 100n,
          year_start: year,
          year_all: 7000n,
          lifetime_all: 9000n,
        },
        {
          user_id: b,
          day_start: day,
          day_all: 0n,
          day_one_factor: 0n,
          day_transfer: 0n,
          day_phone_topup: 0n,
          year_start: year,
          year_all: 0n,
          lifetime_all: 4000n,
        },
      ]);
    } finally {
      await db.destroy();
    }
  });
});
