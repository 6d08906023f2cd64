// The ledger's references without foreign keys (migration 0023): statement-level triggers still
// refuse a transfer or entry that names a missing account or transfer, however it is written, and
// ledger accounts can be neither deleted, truncated nor given another id. The normal write paths,
// which insert a transfer and its entries in one statement, keep working.
import { randomBytes, randomUUID } from "node:crypto";
import { type RawBuilder, sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/harness.js";
import type { Executor } from "../../db/database.js";
import { transferHash } from "./chain.js";
import {
  type Account,
  getOrCreateSystemAccount,
  postTransfer,
  postTransferBatch,
  systemAccountCode,
  type Transfer,
  verifyLedger,
} from "./index.js";
import { customerAccount, gatewayClearing, rowCounts } from "./test-support.js";

const FOREIGN_KEY_VIOLATION = "23503";
const RESTRICT_VIOLATION = "23001";

/** A customer-to-customer transfer through the ledger's single path, under a fresh key. */
function transfer(from: Account, to: Account, amount: bigint) {
  return postTransfer(t.ctx, {
    idempotencyKey: `test:${randomUUID()}`,
    type: "transfer",
    debitAccountId: from.id,
    creditAccountId: to.id,
    amount,
    currency: "CNY",
  });
}

let t: TestApp;
let payer: Account;
let payee: Account;
let payment: Transfer;
beforeAll(async () => {
  t = await createTestApp();
  payer = await customerAccount(t, 100_000n);
  payee = await customerAccount(t);
  payment = (await transfer(payer, payee, 1_000n)).transfer;
});
afterAll(async () => {
  await t.close();
});

/** The database's error for a statement that must fail. */
async function refusal(work: Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    await work;
  } catch (err) {
    return err as Error & { code?: string };
  }
  throw new Error("expected the database to refuse the statement");
}

/** Runs `work` in a transaction that is always rolled back: what a valid statement would write. */
async function inRolledBackTransaction(work: (tx: Executor) => Promise<void>): Promise<void> {
  const rollback = new Error("rollback");
  const result = await refusal(
    t.db.transaction().execute(async (tx) => {
      await work(tx);
      throw rollback;
    }),
  );
  expect(result).toBe(rollback);
}

const hex64 = () => randomBytes(32).toString("hex");

type RawTransfer = {
  id: string;
  debit: string;
  credit: string;
  holdId?: string | null;
  reverses?: string | null;
};

/** A transfer row with every NOT NULL column filled; hashes are random (unique), not chained. */
function transferRow(r: RawTransfer): RawBuilder<unknown> {
  return sql`(${r.id}::uuid, 'transfer', 'CNY', 1::bigint, ${r.debit}::uuid, ${r.credit}::uuid, 'posted',
    ${r.holdId ?? null}::uuid, ${r.reverses ?? null}::uuid, ${hex64()}, ${hex64()}, ${hex64()}, now())`;
}

function insertTransfers(rows: RawTransfer[]): RawBuilder<unknown> {
  return sql`insert into ledger_transfers (id, type, currency, amount, debit_account_id, credit_account_id,
      status, hold_id, reverses_transfer_id, debit_prev_hash, credit_prev_hash, hash, created_at)
    values ${sql.join(rows.map(transferRow))}`;
}

type RawEntry = { transfer: string; account: string };

function insertEntries(rows: RawEntry[]): RawBuilder<unknown> {
  return sql`insert into ledger_entries (transfer_id, account_id, amount, balance_after, created_at)
    values ${sql.join(rows.map((e) => sql`(${e.transfer}::uuid, ${e.account}::uuid, 1::bigint, 0::bigint, now())`))}`;
}

async function transfersWithIds(db: Executor, ids: string[]): Promise<number> {
  const r = await sql<{
    n: string;
  }>`select count(*) as n from ledger_transfers where id = any(${ids}::uuid[])`.execute(db);
  return Number(r.rows[0]?.n);
}

async function entriesReferring(
  db: Executor,
  column: "transfer_id" | "account_id",
  id: string,
): Promise<number> {
  const r = await sql<{
    n: string;
  }>`select count(*) as n from ledger_entries where ${sql.ref(column)} = ${id}::uuid`.execute(db);
  return Number(r.rows[0]?.n);
}

describe("a transfer's references", () => {
  it("are accepted when they exist (the raw insert used below is otherwise valid)", async () => {
    await inRolledBackTransaction(async (tx) => {
      const plain = randomUUID();
      const withRefs = randomUUID();
      await insertTransfers([{ id: plain, debit: payer.id, credit: payee.id }]).execute(tx);
      await insertTransfers([
        { id: withRefs, debit: payee.id, credit: payer.id, holdId: payment.id, reverses: plain },
      ]).execute(tx);
      expect(await transfersWithIds(tx, [plain, withRefs])).toBe(2);
    });
  });

  it.each([
    ["debit account", (id: string) => ({ id, debit: randomUUID(), credit: payee.id })],
    ["credit account", (id: string) => ({ id, debit: payer.id, credit: randomUUID() })],
    ["hold", (id: string) => ({ id, debit: payer.id, credit: payee.id, holdId: randomUUID() })],
    [
      "reversed transfer",
      (id: string) => ({ id, debit: payee.id, credit: payer.id, reverses: randomUUID() }),
    ],
  ] as const)(
    "are refused with foreign_key_violation when the %s does not exist, leaving no row",
    async (_what, row) => {
      const before = await rowCounts(t);
      const id = randomUUID();
      const err = await refusal(insertTransfers([row(id)]).execute(t.db));
      expect(err.code).toBe(FOREIGN_KEY_VIOLATION);
      expect(await transfersWithIds(t.db, [id])).toBe(0);
      expect(await rowCounts(t)).toEqual(before);
    },
  );

  it("refuse a hold or reversal that names an account id, not a transfer id", async () => {
    // hold_id and reverses_transfer_id refer to ledger_transfers: an existing account's id is no transfer.
    const hold = randomUUID();
    const reversal = randomUUID();
    expect(
      (
        await refusal(
          insertTransfers([{ id: hold, debit: payer.id, credit: payee.id, holdId: payer.id }]).execute(t.db),
        )
      ).code,
    ).toBe(FOREIGN_KEY_VIOLATION);
    expect(
      (
        await refusal(
          insertTransfers([{ id: reversal, debit: payee.id, credit: payer.id, reverses: payee.id }]).execute(
            t.db,
          ),
        )
      ).code,
    ).toBe(FOREIGN_KEY_VIOLATION);
    expect(await transfersWithIds(t.db, [hold, reversal])).toBe(0);
  });
});

describe("an entry's references", () => {
  it("are accepted when they exist (the raw insert used below is otherwise valid)", async () => {
    await inRolledBackTransaction(async (tx) => {
      await insertEntries([{ transfer: payment.id, account: payee.id }]).execute(tx);
      expect(await entriesReferring(tx, "transfer_id", payment.id)).toBe(3);
    });
  });

  it("are refused with foreign_key_violation when the account does not exist, leaving no row", async () => {
    const before = await rowCounts(t);
    const missing = randomUUID();
    const err = await refusal(insertEntries([{ transfer: payment.id, account: missing }]).execute(t.db));
    expect(err.code).toBe(FOREIGN_KEY_VIOLATION);
    expect(await entriesReferring(t.db, "account_id", missing)).toBe(0);
    expect(await entriesReferring(t.db, "transfer_id", payment.id)).toBe(2);
    expect(await rowCounts(t)).toEqual(before);
  });

  it("are refused with foreign_key_violation when the transfer does not exist, leaving no row", async () => {
    const before = await rowCounts(t);
    const missing = randomUUID();
    const err = await refusal(insertEntries([{ transfer: missing, account: payer.id }]).execute(t.db));
    expect(err.code).toBe(FOREIGN_KEY_VIOLATION);
    expect(await entriesReferring(t.db, "transfer_id", missing)).toBe(0);
    expect(await rowCounts(t)).toEqual(before);
  });

  it("refuse an account id given as the transfer, and a transfer id given as the account", async () => {
    const before = await rowCounts(t);
    expect(
      (await refusal(insertEntries([{ transfer: payer.id, account: payer.id }]).execute(t.db))).code,
    ).toBe(FOREIGN_KEY_VIOLATION);
    expect(
      (await refusal(insertEntries([{ transfer: payment.id, account: payment.id }]).execute(t.db))).code,
    ).toBe(FOREIGN_KEY_VIOLATION);
    expect(await rowCounts(t)).toEqual(before);
  });
});

describe("one bad row among many", () => {
  // The check looks at every row the statement inserted, wherever the bad one sits.
  it.each([0, 3, 7])("fails a multi-row transfer insert as a whole (bad row at %i of 8)", async (bad) => {
    const before = await rowCounts(t);
    const ids = Array.from({ length: 8 }, () => randomUUID());
    const rows = ids.map((id, i) =>
      i === bad ? { id, debit: payer.id, credit: randomUUID() } : { id, debit: payer.id, credit: payee.id },
    );
    const err = await refusal(insertTransfers(rows).execute(t.db));
    expect(err.code).toBe(FOREIGN_KEY_VIOLATION);
    expect(await transfersWithIds(t.db, ids)).toBe(0);
    expect(await rowCounts(t)).toEqual(before);
  });

  it.each([0, 4, 9])("fails a multi-row entry insert as a whole (bad row at %i of 10)", async (bad) => {
    const before = await rowCounts(t);
    const rows = Array.from({ length: 10 }, (_, i) =>
      i === bad ? { transfer: randomUUID(), account: payer.id } : { transfer: payment.id, account: payee.id },
    );
    const err = await refusal(insertEntries(rows).execute(t.db));
    expect(err.code).toBe(FOREIGN_KEY_VIOLATION);
    expect(await entriesReferring(t.db, "transfer_id", payment.id)).toBe(2);
    expect(await rowCounts(t)).toEqual(before);
  });

  it("fails an insert ... select from unnest (the batch path's shape) as a whole", async () => {
    const before = await rowCounts(t);
    const ids = Array.from({ length: 5 }, () => randomUUID());
    const credits = ids.map((_, i) => (i === 2 ? randomUUID() : payee.id));
    const err = await refusal(
      sql`insert into ledger_transfers (id, type, currency, amount, debit_account_id, credit_account_id, status,
          debit_prev_hash, credit_prev_hash, hash, created_at)
        select id, 'transfer', 'CNY', 1, ${payer.id}::uuid, credit, 'posted', md5(id::text), md5(id::text),
          encode(sha256(id::text::bytea), 'hex'), now()
        from unnest(${ids}::uuid[], ${credits}::uuid[]) as u(id, credit)`.execute(t.db),
    );
    expect(err.code).toBe(FOREIGN_KEY_VIOLATION);
    expect(await transfersWithIds(t.db, ids)).toBe(0);
    expect(await rowCounts(t)).toEqual(before);
  });

  it("fails a statement writing a valid transfer with an entry on a missing account: the transfer goes too", async () => {
    const before = await rowCounts(t);
    const id = randomUUID();
    const missing = randomUUID();
    const err = await refusal(
      sql`with tr as (${insertTransfers([{ id, debit: payer.id, credit: payee.id }])} returning id)
        ${insertEntries([
          { transfer: id, account: payer.id },
          { transfer: id, account: missing },
        ])}`.execute(t.db),
    );
    expect(err.code).toBe(FOREIGN_KEY_VIOLATION);
    expect(await transfersWithIds(t.db, [id])).toBe(0);
    expect(await entriesReferring(t.db, "transfer_id", id)).toBe(0);
    expect(await rowCounts(t)).toEqual(before);
  });
});

describe("a transfer and its entries in one statement", () => {
  it("are accepted: entries may refer to a transfer the same statement inserts, and the ledger stays consistent", async () => {
    const from = await customerAccount(t, 5_000n);
    const to = await customerAccount(t);
    const accounts = await t.db
      .selectFrom("ledger_accounts")
      .select(["id", "balance", "head_hash"])
      .where("id", "in", [from.id, to.id])
      .execute();
    const debit = accounts.find((a) => a.id === from.id);
    const credit = accounts.find((a) => a.id === to.id);
    if (!debit || !credit) throw new Error("accounts not found");
    const id = randomUUID();
    const amount = 1_250n;
    const now = t.clock.now();
    const hash = transferHash(debit.head_hash, credit.head_hash, {
      id,
      type: "transfer",
      currency: "CNY",
      amount,
      debitAccountId: from.id,
      creditAccountId: to.id,
      status: "posted",
      expiresAt: null,
      holdId: null,
      reversesTransferId: null,
      idempotencyKey: null,
      memo: null,
      metadata: {},
      createdAt: now,
    });
    const debitAfter = debit.balance - amount;
    const creditAfter = credit.balance + amount;
    // As the batch path writes: transfer, entries and account totals in one statement.
    const written = await sql<{ id: string }>`
      with tr as (
        insert into ledger_transfers (id, type, currency, amount, debit_account_id, credit_account_id, status,
          debit_prev_hash, credit_prev_hash, hash, created_at)
        values (${id}::uuid, 'transfer', 'CNY', ${amount.toString()}::bigint, ${from.id}::uuid, ${to.id}::uuid,
          'posted', ${debit.head_hash}, ${credit.head_hash}, ${hash}, ${now}::timestamptz)
        returning id
      ),
      en as (
        insert into ledger_entries (transfer_id, account_id, amount, balance_after, created_at)
        values (${id}::uuid, ${from.id}::uuid, ${(-amount).toString()}::bigint, ${debitAfter.toString()}::bigint,
            ${now}::timestamptz),
          (${id}::uuid, ${to.id}::uuid, ${amount.toString()}::bigint, ${creditAfter.toString()}::bigint,
            ${now}::timestamptz)
      ),
      ac as (
        update ledger_accounts a set balance = u.balance, head_hash = ${hash}, version = a.version + 1
        from (values (${from.id}::uuid, ${debitAfter.toString()}::bigint),
                     (${to.id}::uuid, ${creditAfter.toString()}::bigint)) as u(id, balance)
        where a.id = u.id
      )
      select id from tr`.execute(t.db);
    expect(written.rows).toEqual([{ id }]);
    expect(await entriesReferring(t.db, "transfer_id", id)).toBe(2);
    const verdict = await verifyLedger(t.db);
    expect(verdict.problems).toEqual([]);
    expect(verdict.ok).toBe(true);
  });

  it("keeps postTransfer and postTransferBatch working, and the ledger consistent", async () => {
    const from = await customerAccount(t, 10_000n);
    const to = await customerAccount(t);
    const shop = await getOrCreateSystemAccount(
      t.ctx,
      systemAccountCode("merchant", "CNY", "references"),
      "CNY",
      "merchant",
    );
    const before = await rowCounts(t);
    const single = await transfer(from, to, 700n);
    expect(single.replayed).toBe(false);
    const outcomes = await postTransferBatch({ db: t.db, clock: t.clock }, [
      {
        request: {
          idempotencyKey: `pay:${randomUUID()}`,
          type: "payment",
          debitAccountId: from.id,
          creditAccountId: shop.id,
          amount: 300n,
          currency: "CNY",
        },
        context: undefined,
      },
      {
        request: {
          idempotencyKey: `pay:${randomUUID()}`,
          type: "payment",
          debitAccountId: to.id,
          creditAccountId: shop.id,
          amount: 200n,
          currency: "CNY",
        },
        context: undefined,
      },
      {
        request: {
          idempotencyKey: `topup:${randomUUID()}`,
          type: "topup",
          debitAccountId: (await gatewayClearing(t)).id,
          creditAccountId: to.id,
          amount: 50n,
          currency: "CNY",
        },
        context: undefined,
      },
    ]);
    expect(outcomes.map((o) => o !== "retry" && o.ok)).toEqual([true, true, true]);
    const after = await rowCounts(t);
    expect(after.transfers - before.transfers).toBe(4);
    expect(after.entries - before.entries).toBe(8);
    const verdict = await verifyLedger(t.db);
    expect(verdict.problems).toEqual([]);
    expect(verdict.ok).toBe(true);
  });
});

describe("ledger accounts", () => {
  async function accountCount(): Promise<number> {
    const r = await sql<{ n: string }>`select count(*) as n from ledger_accounts`.execute(t.db);
    return Number(r.rows[0]?.n);
  }

  it("refuse DELETE with restrict_violation, referred to or not", async () => {
    const unused = await customerAccount(t);
    const count = await accountCount();
    for (const id of [payer.id, unused.id]) {
      const err = await refusal(sql`delete from ledger_accounts where id = ${id}::uuid`.execute(t.db));
      expect(err.code).toBe(RESTRICT_VIOLATION);
    }
    expect((await refusal(sql`delete from ledger_accounts`.execute(t.db))).code).toBe(RESTRICT_VIOLATION);
    expect(await accountCount()).toBe(count);
  });

  it("refuse TRUNCATE with restrict_violation", async () => {
    const count = await accountCount();
    // With CASCADE, PostgreSQL takes the tables whose foreign keys refer to it (merchants) along
    // and runs the truncate triggers: the trigger is all that stands in the way.
    expect((await refusal(sql`truncate ledger_accounts cascade`.execute(t.db))).code).toBe(
      RESTRICT_VIOLATION,
    );
    // Without it, PostgreSQL refuses first (0A000) because merchants.account_id refers to the
    // table; the trigger would answer 23001 were that foreign key gone.
    expect([RESTRICT_VIOLATION, "0A000"]).toContain(
      (await refusal(sql`truncate ledger_accounts`.execute(t.db))).code,
    );
    expect(await accountCount()).toBe(count);
  });

  it("refuse a change of id with restrict_violation", async () => {
    const unused = await customerAccount(t);
    for (const id of [payer.id, unused.id]) {
      const err = await refusal(
        sql`update ledger_accounts set id = gen_random_uuid() where id = ${id}::uuid`.execute(t.db),
      );
      expect(err.code).toBe(RESTRICT_VIOLATION);
    }
    expect((await refusal(sql`update ledger_accounts set id = gen_random_uuid()`.execute(t.db))).code).toBe(
      RESTRICT_VIOLATION,
    );
    const still = await t.db
      .selectFrom("ledger_accounts")
      .select("id")
      .where("id", "in", [payer.id, unused.id])
      .execute();
    expect(still).toHaveLength(2);
  });

  it("allow the updates the code makes, and one that names id without changing it", async () => {
    const updated =
      await sql`update ledger_accounts set allow_negative = allow_negative where id = ${payer.id}::uuid`.execute(
        t.db,
      );
    expect(updated.numAffectedRows).toBe(1n);
    const same =
      await sql`update ledger_accounts set id = id, version = version where id = ${payee.id}::uuid`.execute(
        t.db,
      );
    expect(same.numAffectedRows).toBe(1n);
    // Balance, pending totals, chain head and version: what every transfer updates.
    await transfer(payer, payee, 10n);
    expect((await verifyLedger(t.db)).problems).toEqual([]);
  });
});
