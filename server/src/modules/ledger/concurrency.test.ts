import { randomInt, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/harness.js";
import { createDb, type Db } from "../../db/database.js";
import { DomainError } from "../../http/errors.js";
import {
  type Account,
  createHold,
  getOrCreateSystemAccount,
  type LedgerDeps,
  postHold,
  postTransfer,
  systemAccountCode,
  type TransferRequest,
  verifyLedger,
  voidHold,
} from "./index.js";
import { customerAccount } from "./test-support.js";

const WORKERS = 30;
const OPERATIONS_PER_WORKER = 20;
// Hundreds of transactions on a shared two-core machine: room beyond the default 30 s.
const TIME_LIMIT = 180_000;
// Low enough that money piling up in the hot accounts leaves others short, so overdrafts get refused.
const START_FUNDS = 20_000n;

let t: TestApp;
// The workers get a pool of their own, large enough that most of them really run at once.
let workerDb: Db;
let deps: LedgerDeps;
let accounts: Account[];
let clearing: Account;

beforeAll(async () => {
  t = await createTestApp();
  workerDb = createDb(t.databaseUrl, 30).db;
  deps = { db: workerDb, clock: t.clock };
  accounts = [];
  for (let i = 0; i < 10; i++) accounts.push(await customerAccount(t, START_FUNDS));
  clearing = await getOrCreateSystemAccount(
    t.ctx,
    systemAccountCode("withdrawal_clearing", "CNY"),
    "CNY",
    "withdrawal_clearing",
  );
});
afterAll(async () => {
  await workerDb.destroy();
  await t.close();
});

type Outcome =
  | { kind: "transfer"; key: string; request: TransferRequest; id: string; replayed: boolean }
  | { kind: "posted_hold"; holdId: string; postingId: string; debit: string; amount: bigint }
  | { kind: "refused"; code: string };

// Two hot accounts (a busy merchant, a popular payee) take part in most transfers.
const HOT = [0, 1];
function pickPair(): [number, number] {
  const debit = Math.random() < 0.3 ? (HOT[randomInt(HOT.length)] ?? 0) : randomInt(accounts.length);
  let credit = Math.random() < 0.5 ? (HOT[randomInt(HOT.length)] ?? 1) : randomInt(accounts.length);
  while (credit === debit) credit = randomInt(accounts.length);
  return [debit, credit];
}

function account(i: number): Account {
  const a = accounts[i];
  if (!a) throw new Error(`no account ${i}`);
  return a;
}

async function refusal(work: () => Promise<Outcome>): Promise<Outcome> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof DomainError && ["insufficient_funds", "hold_not_pending"].includes(err.code)) {
      return { kind: "refused", code: err.code };
    }
    throw err;
  }
}

async function transfer(request: TransferRequest): Promise<Outcome> {
  return refusal(async () => {
    const r = await postTransfer(deps, request);
    return {
      kind: "transfer",
      key: request.idempotencyKey,
      request,
      id: r.transfer.id,
      replayed: r.replayed,
    };
  });
}

async function holdThenSettle(debit: Account, amount: bigint): Promise<Outcome> {
  return refusal(async () => {
    const { transfer: hold } = await createHold(deps, {
      idempotencyKey: `hold:${randomUUID()}`,
      type: "withdrawal",
      debitAccountId: debit.id,
      creditAccountId: clearing.id,
      amount,
      currency: "CNY",
      expiresAt: new Date(t.clock.now().getTime() + 3_600_000),
    });
    if (Math.random() < 0.5) {
      await voidHold(deps, hold.id);
      return { kind: "refused", code: "voided" };
    }
    const part = 1n + BigInt(randomInt(Number(amount)));
    const posting = await postHold(deps, hold.id, { amount: part });
    return { kind: "posted_hold", holdId: hold.id, postingId: posting.id, debit: debit.id, amount: part };
  });
}

async function worker(shared: TransferRequest[]): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  for (let n = 0; n < OPERATIONS_PER_WORKER; n++) {
    const roll = Math.random();
    const reused = shared[randomInt(shared.length)];
    if (roll < 0.2 && reused) {
      // The same request again, possibly while its first copy is still in flight elsewhere.
      outcomes.push(await transfer(reused));
    } else if (roll < 0.35) {
      const [d] = pickPair();
      outcomes.push(await holdThenSettle(account(d), BigInt(1 + randomInt(4_000))));
    } else {
      const [d, c] = pickPair();
      outcomes.push(
        await transfer({
          idempotencyKey: `w:${randomUUID()}`,
          type: "transfer",
          debitAccountId: account(d).id,
          creditAccountId: account(c).id,
          amount: BigInt(1 + randomInt(8_000)),
          currency: "CNY",
        }),
      );
    }
  }
  return outcomes;
}

describe("under concurrent load", () => {
  it("lets exactly five of ten simultaneous payments of 200 through an account holding 1,000", async () => {
    const payer = await customerAccount(t, 1_000n);
    const payee = await customerAccount(t);
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, () =>
        transfer({
          idempotencyKey: `race:${randomUUID()}`,
          type: "payment",
          debitAccountId: payer.id,
          creditAccountId: payee.id,
          amount: 200n,
          currency: "CNY",
        }),
      ),
    );
    expect(outcomes.filter((o) => o.kind === "transfer")).toHaveLength(5);
    expect(outcomes.filter((o) => o.kind === "refused" && o.code === "insufficient_funds")).toHaveLength(5);
    const balances = await t.db
      .selectFrom("ledger_accounts")
      .select(["id", "balance"])
      .where("id", "in", [payer.id, payee.id])
      .execute();
    expect(new Map(balances.map((b) => [b.id, b.balance]))).toEqual(
      new Map([
        [payer.id, 0n],
        [payee.id, 1_000n],
      ]),
    );
  });

  it(
    `keeps the ledger exact with ${WORKERS} workers moving money among 10 accounts, two of them hot`,
    async () => {
      // Requests every worker may send again: duplicates race their originals.
      const shared: TransferRequest[] = Array.from({ length: 30 }, () => {
        const [d, c] = pickPair();
        return {
          idempotencyKey: `shared:${randomUUID()}`,
          type: "payment",
          debitAccountId: account(d).id,
          creditAccountId: account(c).id,
          amount: BigInt(1 + randomInt(3_000)),
          currency: "CNY",
        };
      });
      const outcomes = (await Promise.all(Array.from({ length: WORKERS }, () => worker(shared)))).flat();

      const transfers = outcomes.filter((o) => o.kind === "transfer");
      const firsts = transfers.filter((o) => !o.replayed);
      // Every success the callers saw is in the ledger exactly once, and replays point at it.
      const idByKey = new Map<string, string>();
      for (const o of firsts) {
        expect(idByKey.has(o.key), `key ${o.key} posted twice`).toBe(false);
        idByKey.set(o.key, o.id);
      }
      for (const o of transfers.filter((x) => x.replayed)) expect(o.id).toBe(idByKey.get(o.key));
      expect(transfers.filter((o) => o.replayed).length).toBeGreaterThan(0);

      const rows = await t.db
        .selectFrom("ledger_transfers")
        .select(["id", "idempotency_key"])
        .where("type", "in", ["transfer", "payment"])
        .where(
          "debit_account_id",
          "in",
          accounts.map((a) => a.id),
        )
        .execute();
      expect(rows.length).toBe(idByKey.size);
      expect(new Map(rows.map((r) => [r.idempotency_key ?? "", r.id]))).toEqual(idByKey);
      const postings = outcomes.filter((o) => o.kind === "posted_hold");
      const postingRows = await t.db
        .selectFrom("ledger_transfers")
        .select("id")
        .where("hold_id", "is not", null)
        .execute();
      expect(new Set(postingRows.map((r) => r.id))).toEqual(new Set(postings.map((p) => p.postingId)));

      // Each account ends where the callers' successes say it should.
      const expected = new Map(accounts.map((a) => [a.id, START_FUNDS]));
      const move = (id: string, delta: bigint) => expected.set(id, (expected.get(id) ?? 0n) + delta);
      for (const o of firsts) {
        move(o.request.debitAccountId, -o.request.amount);
        move(o.request.creditAccountId, o.request.amount);
      }
      for (const p of postings) move(p.debit, -p.amount);
      const balances = await t.db
        .selectFrom("ledger_accounts")
        .select(["id", "balance", "pending_debits"])
        .where(
          "id",
          "in",
          accounts.map((a) => a.id),
        )
        .execute();
      for (const b of balances) {
        expect(b.balance).toBe(expected.get(b.id));
        expect(b.balance).toBeGreaterThanOrEqual(0n);
        expect(b.pending_debits).toBe(0n);
      }

      const totals = await t.db
        .selectFrom("ledger_accounts")
        .select((eb) => eb.fn.sum<string>("balance").as("total"))
        .executeTakeFirstOrThrow();
      expect(BigInt(totals.total)).toBe(0n);
      const verification = await verifyLedger(t.db);
      expect(verification.problems).toEqual([]);
      expect(verification.ok).toBe(true);
    },
    TIME_LIMIT,
  );
});
