import { randomInt, randomUUID } from "node:crypto";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/harness.js";
import { createDb, type Db } from "../../db/database.js";
import { DomainError } from "../../http/errors.js";
import {
  type Account,
  getOrCreateSystemAccount,
  postTransfer,
  postTransferBatch,
  systemAccountCode,
  TransferBatcher,
  type TransferRequest,
  verifyLedger,
} from "./index.js";
import { customerAccount, rowCounts } from "./test-support.js";

// Two shared cores and hundreds of transfers: room beyond the default 30 s.
const TIME_LIMIT = 180_000;

let t: TestApp;
// Two "processes": each batcher has a pool of its own, as two server processes would.
let dbA: Db;
let dbB: Db;

beforeAll(async () => {
  t = await createTestApp();
  dbA = createDb(t.databaseUrl, 5).db;
  dbB = createDb(t.databaseUrl, 5).db;
});
afterAll(async () => {
  await dbA.destroy();
  await dbB.destroy();
  await t.close();
});

function merchant(name: string): Promise<Account> {
  return getOrCreateSystemAccount(t.ctx, systemAccountCode("merchant", "CNY", name), "CNY", "merchant");
}

function payment(from: Account, to: Account, amount: bigint, key = `pay:${randomUUID()}`): TransferRequest {
  return {
    idempotencyKey: key,
    type: "payment",
    debitAccountId: from.id,
    creditAccountId: to.id,
    amount,
    currency: "CNY",
  };
}

async function balance(id: string): Promise<bigint> {
  const row = await t.db
    .selectFrom("ledger_accounts")
    .select("balance")
    .where("id", "=", id)
    .executeTakeFirstOrThrow();
  return row.balance;
}

describe("one batch", () => {
  it("writes the transfers it can pay and refuses the rest without rolling the others back", async () => {
    const payer = await customerAccount(t, 1_000n);
    const shop = await merchant("batch_one");
    const outcomes = await postTransferBatch({ db: t.db, clock: t.clock }, [
      { request: payment(payer, shop, 600n), context: undefined },
      { request: payment(payer, shop, 600n), context: undefined },
      { request: payment(payer, shop, 400n), context: undefined },
    ]);
    expect(outcomes.map((o) => (o === "retry" ? o : o.ok ? "ok" : (o.error as DomainError).code))).toEqual([
      "ok",
      "insufficient_funds",
      "ok",
    ]);
    expect(await balance(payer.id)).toBe(0n);
    expect(await balance(shop.id)).toBe(1_000n);
    // The refused transfer left no key: a retry of it runs afresh (and is refused for funds again).
    const keys = await t.db
      .selectFrom("idempotency_keys")
      .select("key")
      .where("key", "like", "pay:%")
      .execute();
    expect(keys).toHaveLength(2);
    expect((await verifyLedger(t.db)).problems).toEqual([]);
  });

  it("answers used keys as postTransfer does: the same request replays, another is a conflict", async () => {
    const payer = await customerAccount(t, 5_000n);
    const shop = await merchant("batch_replay");
    const first = await postTransfer(t.ctx, payment(payer, shop, 100n, "replay:1"));
    const before = await rowCounts(t);
    const outcomes = await postTransferBatch({ db: t.db, clock: t.clock }, [
      { request: payment(payer, shop, 100n, "replay:1"), context: undefined },
      { request: payment(payer, shop, 999n, "replay:1x"), context: undefined },
      { request: payment(payer, shop, 999n, "replay:1x"), context: undefined },
    ]);
    const [replay, fresh, sameKeyInBatch] = outcomes;
    expect(replay).toEqual({ ok: true, result: { transfer: first.transfer, replayed: true } });
    expect(fresh).toMatchObject({ ok: true, result: { replayed: false } });
    // The second use of a key inside one batch waits for the next batch, where it replays.
    expect(sameKeyInBatch).toBe("retry");
    const conflict = await postTransferBatch({ db: t.db, clock: t.clock }, [
      { request: payment(payer, shop, 1n, "replay:1"), context: undefined },
    ]);
    expect(conflict[0]).toMatchObject({ ok: false, error: { code: "idempotency_conflict" } });
    const after = await rowCounts(t);
    expect(after.transfers - before.transfers).toBe(1);
  });

  it("asks the caller's gate in arrival order, so a transfer it refuses funds nothing after it", async () => {
    const a = await customerAccount(t, 1_000n);
    const b = await customerAccount(t, 0n);
    const shop = await merchant("batch_check");
    const asked: string[] = [];
    let written = 0;
    // b can pay only with what a sends it in the same batch; the gate refuses a's transfer.
    const outcomes = await postTransferBatch(
      { db: t.db, clock: t.clock },
      [
        { request: { ...payment(a, b, 500n), type: "transfer" }, context: "refuse" },
        { request: payment(b, shop, 300n), context: "allow" },
        { request: payment(a, shop, 200n), context: "allow" },
      ],
      {
        gate: () => ({
          statements: [],
          open: () => ({
            admit: (item) => {
              asked.push(`${item.context}:${item.request.amount}`);
              return item.context === "refuse" ? new DomainError("limit_exceeded") : null;
            },
            write: () => {
              written++;
              return [];
            },
          }),
        }),
      },
    );
    expect(outcomes.map((o) => (o === "retry" ? o : o.ok ? "ok" : (o.error as DomainError).code))).toEqual([
      "limit_exceeded",
      "insufficient_funds",
      "ok",
    ]);
    // b's payment failed the ledger's own checks first (a's 500 never arrived), so the gate was
    // asked only about the two the ledger would take; its figures were written once.
    expect(asked).toEqual(["refuse:500", "allow:200"]);
    expect(written).toBe(1);
    expect(await balance(a.id)).toBe(800n);
    expect(await balance(b.id)).toBe(0n);
    expect((await verifyLedger(t.db)).problems).toEqual([]);
  });
});

describe("a batch that fails", () => {
  // Both round trips are pipelines: a statement that fails there fails the whole batch, leaves
  // nothing of it behind, and gives the connection back clean for the next batch.
  for (const where of ["first", "second"] as const) {
    it(`rolls everything back when a statement of its ${where} round trip fails`, async () => {
      const db = createDb(t.databaseUrl, 1).db;
      try {
        const payer = await customerAccount(t, 1_000n);
        const shop = await merchant(`batch_fails_${where}`);
        const before = await rowCounts(t);
        // Data-modifying, so it runs even as an unreferenced part of the write statement.
        const failing = sql`insert into idempotency_keys (scope, key, request_hash)
          select 'test', 'never', (1 / (random() * 0)::int)::text`;
        const outcomes = postTransferBatch(
          { db, clock: t.clock },
          [
            { request: payment(payer, shop, 100n), context: undefined },
            { request: payment(payer, shop, 200n), context: undefined },
          ],
          {
            gate: () => ({
              statements: where === "first" ? [failing] : [],
              open: () => ({ admit: () => null, write: () => (where === "second" ? [failing] : []) }),
            }),
          },
        );
        await expect(outcomes).rejects.toThrow(/division by zero/);
        expect(await rowCounts(t)).toEqual(before);
        expect(await balance(payer.id)).toBe(1_000n);
        // The same connection, now out of the failed transaction, writes the next batch.
        const next = await postTransferBatch({ db, clock: t.clock }, [
          { request: payment(payer, shop, 300n), context: undefined },
        ]);
        expect(next[0]).toMatchObject({ ok: true });
        expect(await balance(payer.id)).toBe(700n);
        expect((await verifyLedger(t.db)).problems).toEqual([]);
      } finally {
        await db.destroy();
      }
    });
  }
});

describe("the batcher's queue", () => {
  it("sends what arrives while a batch is in flight together in the next one", async () => {
    const customers: Account[] = [];
    for (let i = 0; i < 11; i++) customers.push(await customerAccount(t, 1_000n));
    const shop = await merchant("queue");
    const sizes: number[] = [];
    let release: () => void = () => {};
    const held = new Promise<void>((r) => {
      release = r;
    });
    let firstCalled: () => void = () => {};
    const first = new Promise<void>((r) => {
      firstCalled = r;
    });
    const batcher = new TransferBatcher<undefined>(
      { db: dbA, clock: t.clock },
      {
        gate: async (items) => {
          sizes.push(items.length);
          if (sizes.length === 1) {
            firstCalled();
            await held;
          }
          return { statements: [], open: () => ({ admit: () => null, write: () => [] }) };
        },
      },
      { maxBatch: 50, maxWaitMs: 1, concurrency: 4, parallelAfter: 20 },
    );
    const one = batcher.submit(payment(customers[0] as Account, shop, 10n), undefined);
    await first;
    // Ten arrive while the first batch is held open: fewer than 20, so they wait for it.
    const ten = customers.slice(1).map((c) => batcher.submit(payment(c, shop, 10n), undefined));
    // Many times the queue's own 1 ms wait: a batcher without parallelAfter would have started a
    // second batch beside the held one by now.
    await new Promise((r) => setTimeout(r, 50));
    const startedWhileHeld = sizes.length;
    release();
    await Promise.all([one, ...ten]);
    await batcher.close();
    expect(startedWhileHeld).toBe(1);
    expect(sizes).toEqual([1, 10]);
  });
});

describe("lock keys", () => {
  it("keeps a key out of a second batch while a batch holding it is in flight", async () => {
    const [a1, a2, b1] = [
      await customerAccount(t, 1_000n),
      await customerAccount(t, 1_000n),
      await customerAccount(t, 1_000n),
    ] as Account[];
    const shop = await merchant("lock_keys");
    const calls: string[][] = [];
    let release: () => void = () => {};
    const holding = new Promise<void>((r) => {
      release = r;
    });
    let secondCalled: () => void = () => {};
    const second = new Promise<void>((r) => {
      secondCalled = r;
    });
    let firstCalled: () => void = () => {};
    const first = new Promise<void>((r) => {
      firstCalled = r;
    });
    const batcher = new TransferBatcher<string>(
      { db: dbA, clock: t.clock },
      {
        lockKey: (item) => item.context,
        gate: async (items) => {
          calls.push(items.map((i) => i.context));
          if (calls.length === 1) {
            firstCalled();
            await holding;
          }
          if (calls.length === 2) secondCalled();
          return { statements: [], open: () => ({ admit: () => null, write: () => [] }) };
        },
      },
      { maxBatch: 50, maxWaitMs: 1, concurrency: 2, parallelAfter: 1 },
    );
    const held = batcher.submit(payment(a1 as Account, shop, 10n), "customer-a");
    await first;
    // Customer a's next payment must wait for the held batch; customer b's may go beside it.
    const later = batcher.submit(payment(a2 as Account, shop, 10n), "customer-a");
    const beside = batcher.submit(payment(b1 as Account, shop, 10n), "customer-b");
    await second;
    expect(calls).toEqual([["customer-a"], ["customer-b"]]);
    await beside;
    release();
    await Promise.all([held, later]);
    await batcher.close();
    expect(calls).toEqual([["customer-a"], ["customer-b"], ["customer-a"]]);
  });
});

describe("two batchers under concurrent load", () => {
  it(
    "posts every accepted payment exactly once, with a hot merchant, duplicates and overdrafts mixed in",
    async () => {
      const customers: Account[] = [];
      for (let i = 0; i < 40; i++) customers.push(await customerAccount(t, 3_000n));
      const shops: Account[] = [];
      for (let i = 0; i < 5; i++) shops.push(await merchant(`load_${i}`));
      const hot = shops[0] as Account;
      const shopBefore = new Map<string, bigint>();
      for (const s of shops) shopBefore.set(s.id, await balance(s.id));
      const before = await rowCounts(t);

      // Small batches and short waits so the two batchers really interleave.
      const batchers = [
        new TransferBatcher({ db: dbA, clock: t.clock }, {}, { maxBatch: 40, maxWaitMs: 1, concurrency: 2 }),
        new TransferBatcher({ db: dbB, clock: t.clock }, {}, { maxBatch: 40, maxWaitMs: 1, concurrency: 2 }),
      ];
      const requests: TransferRequest[] = [];
      for (let i = 0; i < 600; i++) {
        const payer = customers[randomInt(customers.length)] as Account;
        // Half go to the hot merchant; amounts large enough that many customers run dry.
        const shop = Math.random() < 0.5 ? hot : (shops[1 + randomInt(shops.length - 1)] as Account);
        requests.push(payment(payer, shop, BigInt(100 + randomInt(400))));
      }
      // A fifth of the requests are sent twice, through both batchers at once.
      const sends = requests.flatMap((r, i) => (i % 5 === 0 ? [r, r] : [r]));
      type Seen = { key: string; id: string; replayed: boolean } | { key: string; refused: string };
      const seen: Seen[] = await Promise.all(
        sends.map(async (r, i) => {
          try {
            const res = await (batchers[i % 2] as TransferBatcher).submit(r, undefined);
            return { key: r.idempotencyKey, id: res.transfer.id, replayed: res.replayed };
          } catch (err) {
            if (err instanceof DomainError) return { key: r.idempotencyKey, refused: err.code };
            throw err;
          }
        }),
      );
      await Promise.all(batchers.map((b) => b.close()));

      const ok = seen.filter((s): s is Extract<Seen, { id: string }> => "id" in s);
      const refused = seen.filter((s): s is Extract<Seen, { refused: string }> => "refused" in s);
      expect(new Set(refused.map((r) => r.refused))).toEqual(new Set(["insufficient_funds"]));
      expect(refused.length).toBeGreaterThan(0);
      expect(ok.length).toBeGreaterThan(0);
      // Each key posted once; both copies of a duplicated request name the same transfer.
      const idByKey = new Map<string, string>();
      for (const s of ok) {
        const known = idByKey.get(s.key);
        if (known) expect(s.id).toBe(known);
        else idByKey.set(s.key, s.id);
      }
      expect(ok.filter((s) => !s.replayed).length).toBe(idByKey.size);
      const rows = await t.db
        .selectFrom("ledger_transfers")
        .select(["id", "idempotency_key"])
        .where(
          "idempotency_key",
          "in",
          requests.map((r) => r.idempotencyKey),
        )
        .execute();
      expect(new Map(rows.map((r) => [r.idempotency_key, r.id]))).toEqual(idByKey);
      const after = await rowCounts(t);
      expect(after.transfers - before.transfers).toBe(idByKey.size);
      expect(after.entries - before.entries).toBe(idByKey.size * 2);

      // The money the callers were told went through is exactly the money that moved.
      const byKey = new Map(requests.map((r) => [r.idempotencyKey, r]));
      const expected = new Map(customers.map((c) => [c.id, 3_000n]));
      const shopExpected = new Map(shopBefore);
      for (const key of idByKey.keys()) {
        const r = byKey.get(key) as TransferRequest;
        expected.set(r.debitAccountId, (expected.get(r.debitAccountId) ?? 0n) - r.amount);
        shopExpected.set(r.creditAccountId, (shopExpected.get(r.creditAccountId) ?? 0n) + r.amount);
      }
      for (const c of customers) {
        const b = await balance(c.id);
        expect(b).toBe(expected.get(c.id));
        expect(b).toBeGreaterThanOrEqual(0n);
      }
      for (const s of shops) expect(await balance(s.id)).toBe(shopExpected.get(s.id));

      const verification = await verifyLedger(t.db);
      expect(verification.problems).toEqual([]);
      expect(verification.ok).toBe(true);
    },
    TIME_LIMIT,
  );

  it("sends what queued during a batch as soon as that batch is done, without waiting again for company", async () => {
    const payer = await customerAccount(t, 10_000n);
    const shop = await merchant("no-second-wait");
    // Alone and idle, a transfer would wait a minute for company; two fill a batch at once.
    const batcher = new TransferBatcher(
      { db: dbA, clock: t.clock },
      {},
      { maxBatch: 2, maxWaitMs: 60_000, concurrency: 1 },
    );
    const first = [
      batcher.submit(payment(payer, shop, 100n), undefined),
      batcher.submit(payment(payer, shop, 200n), undefined),
    ];
    // Queued while the first batch is in flight: it goes right after it, not a minute later.
    const third = batcher.submit(payment(payer, shop, 300n), undefined);
    const done = await Promise.all([...first, third]);
    expect(done.map((r) => r.transfer.amount)).toEqual([100n, 200n, 300n]);
    expect(done[2]?.transfer.seq).toBeGreaterThan(done[1]?.transfer.seq ?? 0n);
    await batcher.close();
    expect(await balance(payer.id)).toBe(10_000n - 600n);
  });

  it("runs beside single postTransfer calls on the same accounts without deadlock or drift", async () => {
    const customers: Account[] = [];
    for (let i = 0; i < 6; i++) customers.push(await customerAccount(t, 10_000n));
    const shop = await merchant("beside");
    const batcher = new TransferBatcher({ db: dbA, clock: t.clock }, {}, { maxBatch: 10, maxWaitMs: 1 });
    const work = Array.from({ length: 120 }, async (_, i) => {
      const payer = customers[i % customers.length] as Account;
      const req = payment(payer, shop, 50n);
      if (i % 3 === 0) return (await postTransfer({ db: dbB, clock: t.clock }, req)).transfer.id;
      return (await batcher.submit(req, undefined)).transfer.id;
    });
    const ids = await Promise.all(work);
    await batcher.close();
    expect(new Set(ids).size).toBe(120);
    for (const c of customers) expect(await balance(c.id)).toBe(10_000n - 20n * 50n);
    expect((await verifyLedger(t.db)).problems).toEqual([]);
  });
});
