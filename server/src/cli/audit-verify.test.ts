import { execFile } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "../../test/harness.js";
import { manualClock } from "../clock.js";
import { createDb, type Db } from "../db/database.js";
import { createAuditTrail, verifyAuditChain } from "../modules/audit/index.js";
import { reportAuditChain } from "./audit-report.js";

const run = promisify(execFile);
const serverDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

let db: Db;
let url: string;
let ids: string[];

beforeAll(async () => {
  url = await createTestDatabase();
  db = createDb(url, 4).db;
  const audit = createAuditTrail(db, manualClock(new Date("2026-11-22T02:00:00Z")));
  for (const action of ["staff.created", "customer.viewed", "review.approved"]) {
    await audit.record(db, {
      actor: { id: crypto.randomUUID(), kind: "staff", ip: "192.0.2.1" },
      action,
      details: { n: action.length },
    });
  }
  ids = (await db.selectFrom("audit_log").select("id").orderBy("id").execute()).map((r) => String(r.id));
});
afterAll(async () => {
  await db.destroy();
});

async function cli(databaseUrl: string) {
  try {
    const { stdout } = await run(process.execPath, ["--import", "tsx", "src/cli/audit-verify.ts"], {
      cwd: serverDir,
      env: { ...process.env, DATABASE_URL: databaseUrl, NODE_ENV: "test" },
    });
    return { code: 0, stdout };
  } catch (err) {
    const failed = err as { code?: number; stdout?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? "" };
  }
}

describe("npm run audit:verify", () => {
  it("reports an intact chain with its length and exits 0", async () => {
    expect(await reportAuditChain(db)).toEqual({ exitCode: 0, line: "audit chain intact: 3 rows" });
    expect(await cli(url)).toEqual({ code: 0, stdout: "audit chain intact: 3 rows\n" });
  });

  it("has the database refuse to change or delete an audit row", async () => {
    await expect(
      sql`update audit_log set action = 'nothing' where id = ${ids[0]}`.execute(db),
    ).rejects.toThrow(/append-only/);
    await expect(sql`delete from audit_log where id = ${ids[0]}`.execute(db)).rejects.toThrow(/append-only/);
    expect((await verifyAuditChain(db)).ok).toBe(true);
  });

  it("names the row someone tampered with behind the trigger's back, and exits 1", async () => {
    // Only the table owner can do this; it is what an attacker with database rights would do.
    await sql`alter table audit_log disable trigger audit_log_no_update`.execute(db);
    await sql`update audit_log set details = '{"n": 1}'::jsonb where id = ${ids[1]}`.execute(db);
    await sql`alter table audit_log enable trigger audit_log_no_update`.execute(db);

    expect(await verifyAuditChain(db)).toEqual({
      ok: false,
      rows: 2,
      brokenAt: ids[1],
      reason: "hash_mismatch",
    });
    const broken = `audit chain broken at row ${ids[1]}: hash_mismatch`;
    expect(await reportAuditChain(db)).toEqual({ exitCode: 1, line: broken });
    expect(await cli(url)).toEqual({ code: 1, stdout: `${broken}\n` });
  });

  it("notices a row removed from the middle of the chain", async () => {
    await sql`alter table audit_log disable trigger audit_log_no_update`.execute(db);
    await sql`delete from audit_log where id = ${ids[1]}`.execute(db);
    await sql`alter table audit_log enable trigger audit_log_no_update`.execute(db);
    expect(await verifyAuditChain(db)).toEqual({
      ok: false,
      rows: 2,
      brokenAt: ids[2],
      reason: "prev_hash_mismatch",
    });
  });
});
