import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { sql } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/harness.js";
import {
  type Account,
  createHold,
  getOrCreateSystemAccount,
  postHold,
  postTransfer,
  systemAccountCode,
  type Transfer,
  verifyLedger,
  voidHold,
} from "./index.js";
import { customerAccount } from "./test-support.js";

const run = promisify(execFile);
const serverDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

// Each test tampers with its own database, so each gets a fresh one.
let t: TestApp;
let payer: Account;
let payee: Account;
let payment: Transfer;
let posted: Transfer;
beforeEach(async () => {
  t = await createTestApp();
  payer = await customerAccount(t, 10_000n);
  payee = await customerAccount(t);
  payment = (
    await postTransfer(t.ctx, {
      idempotencyKey: `test:${randomUUID()}`,
      type: "payment",
      debitAccountId: payer.id,
      creditAccountId: payee.id,
      amount: 1_500n,
      currency: "CNY",
      metadata: { order: "A-7" },
    })
  ).transfer;
  const clearing = await getOrCreateSystemAccount(
    t.ctx,
    systemAccountCode("withdrawal_clearing", "CNY"),
    "CNY",
    "withdrawal_clearing",
  );
  const hold = async (amount: bigint) =>
    (
      await createHold(t.ctx, {
        idempotencyKey: `test:${randomUUID()}`,
        type: "withdrawal",
        debitAccountId: payer.id,
        creditAccountId: clearing.id,
        amount,
        currency: "CNY",
        expiresAt: new Date(t.clock.now().getTime() + 3_600_000),
      })
    ).transfer;
  const toPost = await hold(700n);
  posted = await postHold(t.ctx, toPost.id, { amount: 500n });
  await hold(300n);
  await voidHold(t.ctx, (await hold(100n)).id, { reason: "changed mind" });
});
afterEach(async () => {
  await t.close();
});

/** Lets the test play the intruder who can switch the append-only triggers off. */
async function tamper(statement: ReturnType<typeof sql>) {
  await sql`alter table ledger_entries disable trigger user`.execute(t.db);
  await sql`alter table ledger_transfers disable trigger user`.execute(t.db);
  await sql`alter table ledger_hold_events disable trigger user`.execute(t.db);
  await statement.execute(t.db);
}

async function cli(databaseUrl: string) {
  try {
    const { stdout } = await run(process.execPath, ["--import", "tsx", "src/cli/ledger-verify.ts"], {
      cwd: serverDir,
      env: { ...process.env, DATABASE_URL: databaseUrl, NODE_ENV: "test" },
    });
    return { code: 0, stdout };
  } catch (err) {
    const failed = err as { code?: number; stdout?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? "" };
  }
}

describe("verifyLedger and npm run ledger:verify", () => {
  it("says what it checked and that the ledger is consistent, exiting 0", async () => {
    const result = await verifyLedger(t.db);
    expect(result.problems).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.checked.join("\n")).toMatch(/hash chains intact: 6 transfers, 2 hold outcomes/);
    const { code, stdout } = await cli(t.databaseUrl);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^checked: balances sum to zero per currency: CNY$/m);
    expect(stdout).toMatch(/^checked: pending columns equal the open holds: 1 open$/m);
    expect(stdout.trim().split("\n").at(-1)).toBe("ledger consistent");
  });

  it("has the database refuse to change or delete entries, transfers and hold outcomes", async () => {
    await expect(sql`update ledger_entries set amount = amount + 1`.execute(t.db)).rejects.toThrow(
      /append-only/,
    );
    await expect(sql`delete from ledger_entries`.execute(t.db)).rejects.toThrow(/append-only/);
    await expect(sql`truncate ledger_entries cascade`.execute(t.db)).rejects.toThrow(/append-only/);
    await expect(sql`update ledger_transfers set memo = 'x'`.execute(t.db)).rejects.toThrow(/append-only/);
    await expect(sql`delete from ledger_transfers where id = ${payment.id}`.execute(t.db)).rejects.toThrow(
      /append-only/,
    );
    await expect(sql`delete from ledger_hold_events`.execute(t.db)).rejects.toThrow(/append-only/);
  });

  it("names the account whose balance no longer equals its entries when an entry is changed, and exits 1", async () => {
    await tamper(
      sql`update ledger_entries set amount = -1400, balance_after = balance_after + 100
          where transfer_id = ${payment.id} and account_id = ${payer.id}`,
    );
    const result = await verifyLedger(t.db);
    expect(result.ok).toBe(false);
    const checks = new Set(result.problems.map((p) => p.check));
    expect(checks).toContain("account_balance");
    expect(checks).toContain("transfer_entries");
    expect(result.problems.find((p) => p.check === "account_balance")?.detail).toContain(payer.id);
    expect(result.problems.find((p) => p.check === "transfer_entries")?.detail).toContain(payment.id);
    const { code, stdout } = await cli(t.databaseUrl);
    expect(code).toBe(1);
    expect(stdout).toMatch(new RegExp(`^PROBLEM account_balance: account ${payer.id} balance`, "m"));
    expect(stdout).toMatch(/^ledger NOT consistent/m);
  });

  it("catches a balance edited to match forged entries through the zero-sum check", async () => {
    await sql`update ledger_accounts set balance = balance + 100 where id = ${payee.id}`.execute(t.db);
    const result = await verifyLedger(t.db);
    expect(result.problems.map((p) => p.check)).toEqual(
      expect.arrayContaining(["zero_sum", "account_balance"]),
    );
    expect(result.problems.find((p) => p.check === "zero_sum")?.detail).toBe(
      "CNY balances sum to 100, not 0",
    );
  });

  it("names the transfer whose amount was rewritten together with its entries, through its hash", async () => {
    await tamper(sql`update ledger_transfers set amount = 1400 where id = ${payment.id}`);
    await sql`update ledger_entries set amount = case when amount < 0 then -1400 else 1400 end
              where transfer_id = ${payment.id}`.execute(t.db);
    const result = await verifyLedger(t.db);
    expect(result.problems).toContainEqual({
      check: "hash_chain",
      detail: expect.stringContaining(`transfer ${payment.id}`),
    });
  });

  it("notices a transfer deleted with its entries from the chain of its accounts", async () => {
    await tamper(sql`delete from ledger_entries where transfer_id = ${payment.id}`);
    await sql`delete from ledger_transfers where id = ${payment.id}`.execute(t.db);
    // Even with the balances put right, the accounts' chains no longer link.
    await sql`update ledger_accounts set balance = balance + 1500 where id = ${payer.id}`.execute(t.db);
    await sql`update ledger_accounts set balance = balance - 1500 where id = ${payee.id}`.execute(t.db);
    const result = await verifyLedger(t.db);
    const chain = result.problems.filter((p) => p.check === "hash_chain").map((p) => p.detail);
    expect(chain.join("\n")).toMatch(/does not link|head does not match/);
    expect(result.ok).toBe(false);
  });

  it("names entries and transfers that refer to rows that do not exist", async () => {
    const ghost = "00000000-0000-4000-8000-000000000000";
    await tamper(
      sql`update ledger_entries set account_id = ${ghost} where transfer_id = ${payment.id} and amount < 0`,
    );
    await sql`update ledger_transfers set debit_account_id = ${ghost} where id = ${payment.id}`.execute(t.db);
    const result = await verifyLedger(t.db);
    const references = result.problems.filter((p) => p.check === "references").map((p) => p.detail);
    expect(references).toContain(`transfer ${payment.id} names a missing account`);
    expect(references.some((d) => /^entry \d+ names a missing account or transfer$/.test(d))).toBe(true);
    expect(result.ok).toBe(false);
  });

  it("reports a hold that is both posted and voided, and pending columns that lie", async () => {
    await tamper(sql`delete from ledger_hold_events where hold_id = ${posted.holdId}`);
    await sql`insert into ledger_hold_events (hold_id, outcome, posted_amount, reason, hash, created_at)
              values (${posted.holdId}, 'voided', 0, 'forged', ${"f".repeat(64)}, now())`.execute(t.db);
    await sql`update ledger_accounts set pending_debits = 0 where id = ${payer.id}`.execute(t.db);
    const result = await verifyLedger(t.db);
    expect(result.problems).toContainEqual({
      check: "hold_outcomes",
      detail: `hold ${posted.holdId} both posted and voided`,
    });
    expect(result.problems).toContainEqual({
      check: "hash_chain",
      detail: `outcome of hold ${posted.holdId} does not match its hash`,
    });
    expect(result.problems.find((p) => p.check === "pending_holds")?.detail).toContain(payer.id);
  });
});
