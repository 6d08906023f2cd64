import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { logIn } from "../../../test/factories.js";
import { createTestApp, type TestApp } from "../../../test/harness.js";
import { DomainError } from "../../http/errors.js";
import {
  balanceOf,
  getBalance,
  getOrCreateSystemAccount,
  listEntries,
  openAccount,
  postTransfer,
  reverseTransfer,
  systemAccountCode,
  type TransferRequest,
  verifyLedger,
} from "./index.js";
import { customerAccount, gatewayClearing, rowCounts } from "./test-support.js";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

const key = () => `test:${randomUUID()}`;

async function failure(work: Promise<unknown>): Promise<DomainError> {
  try {
    await work;
  } catch (err) {
    if (err instanceof DomainError) return err;
    throw err;
  }
  throw new Error("expected a DomainError");
}

describe("transfers", () => {
  it("writes a debit and a credit entry that sum to zero, and keeps every currency's balances at zero", async () => {
    const payer = await customerAccount(t, 10_000n);
    const payee = await customerAccount(t);
    const { transfer, replayed } = await postTransfer(t.ctx, {
      idempotencyKey: key(),
      type: "transfer",
      debitAccountId: payer.id,
      creditAccountId: payee.id,
      amount: 1_234n,
      currency: "CNY",
      memo: "lunch",
    });
    expect(replayed).toBe(false);
    expect(transfer).toMatchObject({ status: "posted", amount: 1_234n, currency: "CNY", type: "transfer" });
    const entries = await t.db
      .selectFrom("ledger_entries")
      .select(["account_id", "amount", "balance_after"])
      .where("transfer_id", "=", transfer.id)
      .orderBy("amount")
      .execute();
    expect(entries).toEqual([
      { account_id: payer.id, amount: -1_234n, balance_after: 8_766n },
      { account_id: payee.id, amount: 1_234n, balance_after: 1_234n },
    ]);
    expect(await balanceOf(t.ctx, payer.id)).toBe(8_766n);
    expect(await balanceOf(t.ctx, payee.id)).toBe(1_234n);
    const totals = await t.db
      .selectFrom("ledger_accounts")
      .select(["currency", (eb) => eb.fn.sum<string>("balance").as("total")])
      .groupBy("currency")
      .execute();
    expect(totals.map((r) => [r.currency, BigInt(r.total)])).toEqual([["CNY", 0n]]);
    expect(await verifyLedger(t.db)).toMatchObject({ ok: true, problems: [] });
  });

  it("refuses an overdraft with insufficient_funds and writes nothing", async () => {
    const payer = await customerAccount(t, 500n);
    const payee = await customerAccount(t);
    const before = await rowCounts(t);
    const err = await failure(
      postTransfer(t.ctx, {
        idempotencyKey: key(),
        type: "transfer",
        debitAccountId: payer.id,
        creditAccountId: payee.id,
        amount: 501n,
        currency: "CNY",
      }),
    );
    expect(err.code).toBe("insufficient_funds");
    expect(err.status).toBe(422);
    expect(err.details).toEqual({ available: 500 });
    expect(await rowCounts(t)).toEqual(before);
    expect(await getBalance(t.ctx, payer.id)).toMatchObject({ balance: 500n, available: 500n });
  });

  it("lets an account that allows it go negative: the gateway's clearing account mirrors top-ups", async () => {
    const gateway = await gatewayClearing(t, "USD");
    const customer = await customerAccount(t, 0n, "USD");
    const before = await balanceOf(t.ctx, gateway.id);
    await postTransfer(t.ctx, {
      idempotencyKey: key(),
      type: "topup",
      debitAccountId: gateway.id,
      creditAccountId: customer.id,
      amount: 999n,
      currency: "USD",
    });
    expect(await balanceOf(t.ctx, gateway.id)).toBe(before - 999n);
    expect(gateway.allowNegative).toBe(true);
  });

  it("refuses a transfer between accounts of another currency with currency_mismatch", async () => {
    const cny = await customerAccount(t, 1_000n);
    const usd = await customerAccount(t, 0n, "USD");
    const err = await failure(
      postTransfer(t.ctx, {
        idempotencyKey: key(),
        type: "transfer",
        debitAccountId: cny.id,
        creditAccountId: usd.id,
        amount: 100n,
        currency: "CNY",
      }),
    );
    expect(err.code).toBe("currency_mismatch");
    expect(err.details).toEqual({ side: "credit", accountCurrency: "USD" });
  });

  it("refuses money leaving a frozen customer with account_frozen, and a transfer to a frozen payee", async () => {
    const frozen = await customerAccount(t, 1_000n);
    const other = await customerAccount(t, 1_000n);
    const res = await (await logIn(t, frozen.ownerUserId)).post("/api/v1/me/freeze", {
      password: frozen.password,
    });
    expect(res.statusCode).toBe(204);
    const before = await rowCounts(t);
    const out = await failure(
      postTransfer(t.ctx, {
        idempotencyKey: key(),
        type: "payment",
        debitAccountId: frozen.id,
        creditAccountId: other.id,
        amount: 1n,
        currency: "CNY",
      }),
    );
    expect([out.code, out.details]).toEqual(["account_frozen", { side: "debit" }]);
    const into = await failure(
      postTransfer(t.ctx, {
        idempotencyKey: key(),
        type: "transfer",
        debitAccountId: other.id,
        creditAccountId: frozen.id,
        amount: 1n,
        currency: "CNY",
      }),
    );
    expect([into.code, into.details]).toEqual(["account_frozen", { side: "credit" }]);
    expect(await rowCounts(t)).toEqual(before);
    // A top-up the gateway already took is still credited.
    await postTransfer(t.ctx, {
      idempotencyKey: key(),
      type: "topup",
      debitAccountId: (await gatewayClearing(t)).id,
      creditAccountId: frozen.id,
      amount: 10n,
      currency: "CNY",
    });
    expect(await balanceOf(t.ctx, frozen.id)).toBe(1_010n);
  });

  it("rejects malformed requests with validation_failed before touching the database", async () => {
    const a = await customerAccount(t, 100n);
    const b = await customerAccount(t);
    const good: TransferRequest = {
      idempotencyKey: key(),
      type: "transfer",
      debitAccountId: a.id,
      creditAccountId: b.id,
      amount: 1n,
      currency: "CNY",
    };
    const before = await rowCounts(t);
    const bad: [string, Partial<Record<keyof TransferRequest, unknown>>][] = [
      ["zero", { amount: 0n }],
      ["negative", { amount: -5n }],
      ["not a bigint", { amount: 5 }],
      ["above what JSON carries exactly", { amount: 2n ** 53n }],
      ["lower-case currency", { currency: "cny" }],
      ["four-letter currency", { currency: "CNYY" }],
      ["same account twice", { creditAccountId: a.id }],
      ["not an id", { debitAccountId: "1; drop table ledger_entries" }],
      ["empty key", { idempotencyKey: "" }],
      ["oversize key", { idempotencyKey: "k".repeat(201) }],
      ["oversize memo", { memo: "m".repeat(201) }],
    ];
    for (const [why, change] of bad) {
      const err = await failure(postTransfer(t.ctx, { ...good, ...change } as TransferRequest));
      expect(err.code, why).toBe("validation_failed");
    }
    const missing = await failure(postTransfer(t.ctx, { ...good, creditAccountId: randomUUID() }));
    expect(missing.code).toBe("not_found");
    expect(await rowCounts(t)).toEqual(before);
  });
});

describe("idempotency", () => {
  it("returns the first result for a replay of the same request and moves nothing twice", async () => {
    const payer = await customerAccount(t, 5_000n);
    const payee = await customerAccount(t);
    const request: TransferRequest = {
      idempotencyKey: key(),
      type: "payment",
      debitAccountId: payer.id,
      creditAccountId: payee.id,
      amount: 700n,
      currency: "CNY",
      metadata: { order: "A-1", lines: [1, 2] },
    };
    const first = await postTransfer(t.ctx, request);
    const before = await rowCounts(t);
    const again = await postTransfer(t.ctx, { ...request, metadata: { lines: [1, 2], order: "A-1" } });
    expect(again).toEqual({ transfer: first.transfer, replayed: true });
    expect(await rowCounts(t)).toEqual(before);
    expect(await balanceOf(t.ctx, payer.id)).toBe(4_300n);
  });

  it("refuses the same key with another request as idempotency_conflict", async () => {
    const payer = await customerAccount(t, 5_000n);
    const payee = await customerAccount(t);
    const request: TransferRequest = {
      idempotencyKey: key(),
      type: "payment",
      debitAccountId: payer.id,
      creditAccountId: payee.id,
      amount: 700n,
      currency: "CNY",
    };
    await postTransfer(t.ctx, request);
    const err = await failure(postTransfer(t.ctx, { ...request, amount: 701n }));
    expect([err.code, err.status]).toEqual(["idempotency_conflict", 409]);
    expect(await balanceOf(t.ctx, payer.id)).toBe(4_300n);
  });

  it("lets a key whose request failed be used again, since nothing was stored", async () => {
    const payer = await customerAccount(t, 100n);
    const payee = await customerAccount(t);
    const request: TransferRequest = {
      idempotencyKey: key(),
      type: "payment",
      debitAccountId: payer.id,
      creditAccountId: payee.id,
      amount: 150n,
      currency: "CNY",
    };
    expect((await failure(postTransfer(t.ctx, request))).code).toBe("insufficient_funds");
    await postTransfer(t.ctx, {
      idempotencyKey: key(),
      type: "topup",
      debitAccountId: (await gatewayClearing(t)).id,
      creditAccountId: payer.id,
      amount: 50n,
      currency: "CNY",
    });
    expect((await postTransfer(t.ctx, request)).replayed).toBe(false);
    expect(await balanceOf(t.ctx, payee.id)).toBe(150n);
  });

  it("leaves no trace of a refused transfer inside a caller's transaction that goes on to commit", async () => {
    const payer = await customerAccount(t, 100n);
    const payee = await customerAccount(t);
    const request: TransferRequest = {
      idempotencyKey: key(),
      type: "payment",
      debitAccountId: payer.id,
      creditAccountId: payee.id,
      amount: 150n,
      currency: "CNY",
    };
    const before = await rowCounts(t);
    const code = await t.db.transaction().execute(async (tx) => {
      const err = await failure(postTransfer({ db: tx, clock: t.clock }, request));
      await postTransfer({ db: tx, clock: t.clock }, { ...request, idempotencyKey: key(), amount: 40n });
      return err.code;
    });
    expect(code).toBe("insufficient_funds");
    expect((await rowCounts(t)).keys).toBe(before.keys + 1);
    expect(await balanceOf(t.ctx, payee.id)).toBe(40n);
    expect((await postTransfer(t.ctx, { ...request, amount: 60n })).replayed).toBe(false);
  });

  it("posts once when the same request arrives ten times at the same moment", async () => {
    const payer = await customerAccount(t, 1_000n);
    const payee = await customerAccount(t);
    const request: TransferRequest = {
      idempotencyKey: key(),
      type: "transfer",
      debitAccountId: payer.id,
      creditAccountId: payee.id,
      amount: 100n,
      currency: "CNY",
    };
    const results = await Promise.all(Array.from({ length: 10 }, () => postTransfer(t.ctx, request)));
    expect(new Set(results.map((r) => r.transfer.id)).size).toBe(1);
    expect(results.filter((r) => !r.replayed)).toHaveLength(1);
    expect(await balanceOf(t.ctx, payee.id)).toBe(100n);
  });
});

describe("reversals", () => {
  it("undoes a transfer with a new reversing transfer and leaves the original as it was", async () => {
    const payer = await customerAccount(t, 2_000n);
    const payee = await customerAccount(t);
    const { transfer } = await postTransfer(t.ctx, {
      idempotencyKey: key(),
      type: "payment",
      debitAccountId: payer.id,
      creditAccountId: payee.id,
      amount: 800n,
      currency: "CNY",
    });
    const reversal = await reverseTransfer(t.ctx, transfer.id, { reason: "duplicate charge" });
    expect(reversal).toMatchObject({
      type: "reversal",
      amount: 800n,
      debitAccountId: payee.id,
      creditAccountId: payer.id,
      reversesTransferId: transfer.id,
      memo: "duplicate charge",
    });
    expect(await balanceOf(t.ctx, payer.id)).toBe(2_000n);
    expect(await balanceOf(t.ctx, payee.id)).toBe(0n);
    const original = await t.db
      .selectFrom("ledger_transfers")
      .select(["amount", "hash"])
      .where("id", "=", transfer.id)
      .executeTakeFirstOrThrow();
    expect(original).toEqual({ amount: 800n, hash: transfer.hash });
    const twice = await failure(reverseTransfer(t.ctx, transfer.id, { reason: "again" }));
    expect([twice.code, twice.details.reversalId]).toEqual(["conflict", reversal.id]);
    const ofReversal = await failure(reverseTransfer(t.ctx, reversal.id, { reason: "undo the undo" }));
    expect(ofReversal.code).toBe("conflict");
  });

  it("reverses only once when two staff press the button together", async () => {
    const payer = await customerAccount(t, 2_000n);
    const payee = await customerAccount(t);
    const { transfer } = await postTransfer(t.ctx, {
      idempotencyKey: key(),
      type: "payment",
      debitAccountId: payer.id,
      creditAccountId: payee.id,
      amount: 300n,
      currency: "CNY",
    });
    const outcomes = await Promise.allSettled(
      Array.from({ length: 5 }, () => reverseTransfer(t.ctx, transfer.id, { reason: "refund" })),
    );
    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(1);
    expect(await balanceOf(t.ctx, payer.id)).toBe(2_000n);
  });

  it("refuses to reverse money the payee has already spent", async () => {
    const payer = await customerAccount(t, 1_000n);
    const payee = await customerAccount(t);
    const elsewhere = await customerAccount(t);
    const { transfer } = await postTransfer(t.ctx, {
      idempotencyKey: key(),
      type: "transfer",
      debitAccountId: payer.id,
      creditAccountId: payee.id,
      amount: 600n,
      currency: "CNY",
    });
    await postTransfer(t.ctx, {
      idempotencyKey: key(),
      type: "transfer",
      debitAccountId: payee.id,
      creditAccountId: elsewhere.id,
      amount: 500n,
      currency: "CNY",
    });
    expect((await failure(reverseTransfer(t.ctx, transfer.id, { reason: "fraud" }))).code).toBe(
      "insufficient_funds",
    );
  });
});

describe("balances and history", () => {
  it("tells the balance at a past moment from the entries up to it", async () => {
    const payer = await customerAccount(t, 1_000n);
    const payee = await customerAccount(t);
    const pay = (amount: bigint) =>
      postTransfer(t.ctx, {
        idempotencyKey: key(),
        type: "transfer",
        debitAccountId: payer.id,
        creditAccountId: payee.id,
        amount,
        currency: "CNY",
      });
    const beforeAnything = new Date(t.clock.now().getTime() - 1);
    t.clock.advance(60_000);
    await pay(100n);
    const afterFirst = t.clock.now();
    t.clock.advance(3_600_000);
    await pay(200n);
    const afterSecond = t.clock.now();
    t.clock.advance(86_400_000);
    await pay(300n);
    expect(await balanceOf(t.ctx, payee.id, { at: beforeAnything })).toBe(0n);
    expect(await balanceOf(t.ctx, payee.id, { at: afterFirst })).toBe(100n);
    expect(await balanceOf(t.ctx, payee.id, { at: new Date(afterSecond.getTime() - 1) })).toBe(100n);
    expect(await balanceOf(t.ctx, payee.id, { at: afterSecond })).toBe(300n);
    expect(await balanceOf(t.ctx, payer.id, { at: afterSecond })).toBe(700n);
    expect(await balanceOf(t.ctx, payee.id)).toBe(600n);
    expect(await balanceOf(t.ctx, payee.id, { at: t.clock.now() })).toBe(600n);
  });

  it("pages through history newest first with a cursor, without gaps or repeats", async () => {
    const payer = await customerAccount(t, 10_000n);
    const payee = await customerAccount(t);
    for (let i = 1n; i <= 7n; i++) {
      await postTransfer(t.ctx, {
        idempotencyKey: key(),
        type: "transfer",
        debitAccountId: payer.id,
        creditAccountId: payee.id,
        amount: i,
        currency: "CNY",
        memo: `#${i}`,
      });
    }
    const seen: bigint[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: Awaited<ReturnType<typeof listEntries>> = await listEntries(t.ctx, payee.id, {
        cursor,
        limit: 3,
      });
      seen.push(...page.items.map((e) => e.amount));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(seen).toEqual([7n, 6n, 5n, 4n, 3n, 2n, 1n]);
    expect(pages).toBe(3);
    const first = (await listEntries(t.ctx, payer.id, { limit: 1 })).items[0];
    expect(first).toMatchObject({
      amount: -7n,
      balanceAfter: 10_000n - 28n,
      counterpartyAccountId: payee.id,
    });
    expect((await failure(listEntries(t.ctx, payee.id, { cursor: "abc" }))).code).toBe("validation_failed");
    expect((await failure(listEntries(t.ctx, payee.id, { limit: 1000 }))).code).toBe("validation_failed");
  });

  it("finds history by index, not by reading every entry", async () => {
    const plan = await sql<{ "QUERY PLAN": string }>`explain
      select id from ledger_entries where account_id = ${randomUUID()} and id < 1000 order by id desc limit 50`.execute(
      t.db,
    );
    expect(plan.rows.map((r) => r["QUERY PLAN"]).join("\n")).toMatch(/Index/);
  });
});

describe("accounts", () => {
  it("opens one account per customer and currency, however often it is asked", async () => {
    const a = await customerAccount(t);
    const again = await Promise.all(
      Array.from({ length: 5 }, () => openAccount(t.ctx, { ownerUserId: a.ownerUserId, currency: "CNY" })),
    );
    expect(new Set(again.map((x) => x.id))).toEqual(new Set([a.id]));
    expect(a).toMatchObject({ kind: "customer", allowNegative: false, currency: "CNY" });
    expect((await failure(openAccount(t.ctx, { ownerUserId: randomUUID(), currency: "CNY" }))).code).toBe(
      "not_found",
    );
  });

  it("names system accounts by kind and currency and refuses a code reused for another kind", async () => {
    const code = systemAccountCode("fees", "CNY");
    expect(code).toBe("system:fees:CNY");
    const fees = await getOrCreateSystemAccount(t.ctx, code, "CNY", "fees");
    expect(fees).toMatchObject({ code, kind: "fees", allowNegative: false });
    expect((await getOrCreateSystemAccount(t.ctx, code, "CNY", "fees")).id).toBe(fees.id);
    expect((await failure(getOrCreateSystemAccount(t.ctx, code, "CNY", "merchant"))).code).toBe("conflict");
    expect((await failure(getOrCreateSystemAccount(t.ctx, "fees", "CNY", "fees"))).code).toBe(
      "validation_failed",
    );
  });
});
