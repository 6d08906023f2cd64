import { randomInt, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { logIn, uniquePhone } from "../../../test/factories.js";
import { createTestApp, type TestApp } from "../../../test/harness.js";
import { DomainError } from "../../http/errors.js";
import { PAYMENT_PASSWORD_MAX_FAILURES } from "../identity/index.js";
import { verifyLedger } from "../ledger/index.js";
import { notifyAllBalanceChanges } from "../notify/index.js";
import { DAILY_TWO_FACTOR_LIMIT, startOfChinaDay } from "./limits.js";
import { makeClassII } from "./limits-test-support.js";
import { PAYEE_LOOKUPS_PER_HOUR, transferToCustomer } from "./service.js";
import {
  availableOf,
  type Customer,
  fundedCustomer,
  ledgerRowCounts,
  PAYMENT_PASSWORD,
} from "./test-support.js";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

type TransferBody = {
  to: string;
  amount: unknown;
  currency: unknown;
  paymentPassword: string;
  memo?: string;
};

function send(
  from: Customer,
  body: Partial<TransferBody> & { to: string },
  key: string | null = randomUUID(),
) {
  return from.client.post(
    "/api/v1/wallet/transfers",
    { amount: 100, currency: "CNY", paymentPassword: PAYMENT_PASSWORD, ...body },
    { headers: key === null ? {} : { "idempotency-key": key } },
  );
}

async function failure(work: Promise<unknown>): Promise<DomainError> {
  try {
    await work;
  } catch (err) {
    if (err instanceof DomainError) return err;
    throw err;
  }
  throw new Error("expected a DomainError");
}

async function inbox(c: Customer) {
  const res = await c.client.get("/api/v1/me/notifications");
  return (res.json() as { items: { kind: string; title: string; body: string }[] }).items;
}

describe("transfers to another customer", () => {
  it("moves the money, answers 201 succeeded, and tells both people (the payee sees a masked payer)", async () => {
    const payer = await fundedCustomer(t, 10_000n, { name: "王小明" });
    const payee = await fundedCustomer(t, 0n, { name: "李小红" });
    const res = await send(payer, { to: payee.phone, amount: 2_550, memo: "电影票" });
    expect(res.statusCode).toBe(201);
    const body = res.json() as { id: string; status: string };
    expect(body).toEqual({ id: expect.any(String), status: "succeeded" });
    expect(await availableOf(payer)).toBe(7_450);
    expect(await availableOf(payee)).toBe(2_550);
    // One notice each, from the balance-change notices: what happened, the amount, the balance.
    await notifyAllBalanceChanges(t.ctx);
    const about = async (c: Customer) =>
      (await inbox(c)).filter((n) => n.kind.startsWith("wallet.")).map((n) => [n.title, n.body]);
    expect(await about(payee)).toEqual([["收到转账", "收到王*明转账 ¥25.50，余额 ¥25.50"]]);
    // The payer's other notice is the funding adjustment before the transfer.
    expect((await about(payer)).sort()).toEqual([
      ["账户调整", "调账转入 ¥100.00，余额 ¥100.00"],
      ["转账成功", "转账给李*红 ¥25.50，余额 ¥74.50"],
    ]);
    expect(await verifyLedger(t.db)).toMatchObject({ ok: true });
  });

  it("returns the first 201 when the same Idempotency-Key and body come again, and moves nothing twice", async () => {
    const payer = await fundedCustomer(t, 10_000n);
    const payee = await fundedCustomer(t);
    const key = randomUUID();
    const first = await send(payer, { to: payee.phone, amount: 1_000 }, key);
    const before = await ledgerRowCounts(t);
    const again = await send(payer, { to: payee.phone, amount: 1_000 }, key);
    expect(again.statusCode).toBe(201);
    expect(again.json()).toEqual(first.json());
    expect(await ledgerRowCounts(t)).toEqual(before);
    expect(await availableOf(payer)).toBe(9_000);
    expect(await availableOf(payee)).toBe(1_000);
  });

  it("refuses the same Idempotency-Key with another body with 409 idempotency_conflict", async () => {
    const payer = await fundedCustomer(t, 10_000n);
    const payee = await fundedCustomer(t);
    const other = await fundedCustomer(t);
    const key = randomUUID();
    expect((await send(payer, { to: payee.phone, amount: 1_000 }, key)).statusCode).toBe(201);
    for (const body of [
      { to: payee.phone, amount: 1_001 },
      { to: other.phone, amount: 1_000 },
      { to: payee.phone, amount: 1_000, memo: "changed" },
    ]) {
      const res = await send(payer, body, key);
      expect(res.statusCode).toBe(409);
      expect(res.json().code).toBe("idempotency_conflict");
    }
    expect(await availableOf(payer)).toBe(9_000);
    expect(await availableOf(other)).toBe(0);
  });

  it("scopes the Idempotency-Key by payer: two customers may use the same key", async () => {
    const a = await fundedCustomer(t, 1_000n);
    const b = await fundedCustomer(t, 1_000n);
    const payee = await fundedCustomer(t);
    const key = "shared-key";
    const first = await send(a, { to: payee.phone, amount: 100 }, key);
    const second = await send(b, { to: payee.phone, amount: 100 }, key);
    expect([first.statusCode, second.statusCode]).toEqual([201, 201]);
    expect(first.json().id).not.toBe(second.json().id);
    expect(await availableOf(payee)).toBe(200);
  });

  it("refuses an overdraft with 422 insufficient_funds and writes nothing, and a retry with money then succeeds", async () => {
    const payer = await fundedCustomer(t, 500n);
    const payee = await fundedCustomer(t);
    const key = randomUUID();
    const before = await ledgerRowCounts(t);
    const res = await send(payer, { to: payee.phone, amount: 501 }, key);
    expect(res.statusCode).toBe(422);
    expect(res.json().code).toBe("insufficient_funds");
    expect(await ledgerRowCounts(t)).toEqual(before);
    expect(await availableOf(payer)).toBe(500);
    // The refused attempt left no key behind, so the same key now runs afresh.
    expect((await send(payer, { to: payee.phone, amount: 500 }, key)).statusCode).toBe(201);
  });

  it("refuses a transfer to yourself", async () => {
    const payer = await fundedCustomer(t, 1_000n);
    const res = await send(payer, { to: payer.phone });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: "validation_failed", reason: "self" });
    expect(await availableOf(payer)).toBe(1_000);
  });

  it("refuses a phone number that belongs to no customer with 404, and counts misses like payee lookups", async () => {
    const payer = await fundedCustomer(t, 1_000n);
    const res = await send(payer, { to: "13000000000" });
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe("not_found");
    for (let i = 1; i < PAYEE_LOOKUPS_PER_HOUR; i++) {
      expect((await send(payer, { to: uniquePhone() })).statusCode).toBe(404);
    }
    const probing = await send(payer, { to: uniquePhone() });
    expect(probing.statusCode).toBe(429);
    expect(probing.json().code).toBe("rate_limited");
    const lookup = await payer.client.get("/api/v1/wallet/payees", { query: { phone: uniquePhone() } });
    expect(lookup.statusCode).toBe(429);
  });

  it("checks the payment password before saying whether the payee exists", async () => {
    const payer = await fundedCustomer(t, 1_000n);
    const res = await send(payer, { to: uniquePhone(), paymentPassword: "000000" });
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe("wrong_payment_password");
  });

  it("counts a wrong payment password, then locks payments after the fifth, even for the right one", async () => {
    const payer = await fundedCustomer(t, 1_000n);
    const payee = await fundedCustomer(t);
    const before = await ledgerRowCounts(t);
    for (let i = 1; i < PAYMENT_PASSWORD_MAX_FAILURES; i++) {
      const res = await send(payer, { to: payee.phone, paymentPassword: "000000" });
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({
        code: "wrong_payment_password",
        attemptsLeft: PAYMENT_PASSWORD_MAX_FAILURES - i,
      });
    }
    const locking = await send(payer, { to: payee.phone, paymentPassword: "000000" });
    expect(locking.statusCode).toBe(423);
    expect(locking.json().code).toBe("payment_password_locked");
    const stillLocked = await send(payer, { to: payee.phone });
    expect(stillLocked.statusCode).toBe(423);
    const after = await ledgerRowCounts(t);
    expect([after.transfers, after.entries, after.keys]).toEqual([
      before.transfers,
      before.entries,
      before.keys,
    ]);
    t.clock.advance(5 * 60 * 1000 + 1000);
    expect((await send(payer, { to: payee.phone })).statusCode).toBe(201);
  });

  it("refuses a frozen payer: the session ends at once, and a transfer already past it gets account_frozen", async () => {
    const payer = await fundedCustomer(t, 1_000n);
    const payee = await fundedCustomer(t);
    await t.db.updateTable("users").set({ status: "frozen" }).where("id", "=", payer.user.id).execute();
    const res = await send(payer, { to: payee.phone });
    expect(res.statusCode).toBe(401);
    const before = await ledgerRowCounts(t);
    const direct = await failure(
      transferToCustomer(
        t.ctx,
        payer.user.id,
        { to: payee.phone, amount: 100n, currency: "CNY", paymentPassword: PAYMENT_PASSWORD },
        randomUUID(),
        { ip: null },
      ),
    );
    expect(direct.code).toBe("account_frozen");
    expect(await ledgerRowCounts(t)).toEqual(before);
    expect(await availableOf(payee)).toBe(0);
  });

  it("refuses to pay a frozen payee with account_frozen and writes nothing", async () => {
    const payer = await fundedCustomer(t, 1_000n);
    const payee = await fundedCustomer(t);
    await t.db.updateTable("users").set({ status: "frozen" }).where("id", "=", payee.user.id).execute();
    const before = await ledgerRowCounts(t);
    const res = await send(payer, { to: payee.phone });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ code: "account_frozen", side: "credit" });
    expect(await ledgerRowCounts(t)).toEqual(before);
    expect(await availableOf(payer)).toBe(1_000);
  });

  it("stops at the daily limit, says which limit and what remains, and resets at midnight in China", async () => {
    const limit = Number(DAILY_TWO_FACTOR_LIMIT);
    const payer = await fundedCustomer(t, BigInt(limit * 3));
    const payee = await fundedCustomer(t);
    // Class II, so the ¥1,000 Class I cap since opening does not stop it first.
    await makeClassII(t, payer.user.id);
    // Start just after midnight in China so the whole test stays within one day.
    const midnight = startOfChinaDay(t.clock.now()).getTime() + 24 * 60 * 60 * 1000;
    t.clock.set(new Date(midnight + 1000));
    payer.client = await logIn(t, payer.user.id);
    payee.client = await logIn(t, payee.user.id);
    const firstKey = randomUUID();
    const first = await send(payer, { to: payee.phone, amount: limit - 300 }, firstKey);
    expect(first.statusCode).toBe(201);
    const before = await ledgerRowCounts(t);
    const over = await send(payer, { to: payee.phone, amount: 301 });
    expect(over.statusCode).toBe(422);
    expect(over.json()).toMatchObject({
      code: "limit_exceeded",
      limit: "class_daily",
      limitAmount: limit,
      remaining: 300,
      currency: "CNY",
    });
    expect(await ledgerRowCounts(t)).toEqual(before);
    expect((await send(payer, { to: payee.phone, amount: 300 })).statusCode).toBe(201);
    expect((await send(payer, { to: payee.phone, amount: 1 })).json()).toMatchObject({
      code: "limit_exceeded",
      remaining: 0,
    });
    // A replay of a transfer already counted is not a new transfer: it still gets its 201.
    const replay = await send(payer, { to: payee.phone, amount: limit - 300 }, firstKey);
    expect(replay.statusCode).toBe(201);
    expect(replay.json()).toEqual(first.json());
    t.clock.set(new Date(midnight + 24 * 60 * 60 * 1000));
    payer.client = await logIn(t, payer.user.id);
    payee.client = await logIn(t, payee.user.id);
    expect((await send(payer, { to: payee.phone, amount: 1 })).statusCode).toBe(201);
    expect(await availableOf(payee)).toBe(limit + 1);
  });

  const badBodies: [string, Record<string, unknown>][] = [
    ["a negative amount", { amount: -100 }],
    ["a zero amount", { amount: 0 }],
    ["a fractional amount", { amount: 12.5 }],
    ["an amount as a string", { amount: "100" }],
    ["an amount as a bigint-like string", { amount: "9007199254740993" }],
    ["an amount past 2^53 - 1", { amount: 2 ** 53 }],
    ["a huge amount", { amount: 1e300 }],
    ["no amount", { amount: undefined }],
    ["an unknown currency", { currency: "XYZ" }],
    ["a lower-case currency", { currency: "cny" }],
    ["a currency that is a number", { currency: 156 }],
    ["a payee that is not a phone number", { to: "alice" }],
    ["an overlong memo", { memo: "备".repeat(101) }],
    ["an unknown field", { tip: 5 }],
    ["no payment password", { paymentPassword: undefined }],
  ];
  it.each(badBodies)("refuses %s with 400 validation_failed and writes nothing", async (_, patch) => {
    const payer = await fundedCustomer(t, 10_000n);
    const payee = await fundedCustomer(t);
    const before = await ledgerRowCounts(t);
    const body = {
      to: payee.phone,
      amount: 100,
      currency: "CNY",
      paymentPassword: PAYMENT_PASSWORD,
      ...patch,
    };
    const res = await payer.client.post("/api/v1/wallet/transfers", body, {
      headers: { "idempotency-key": randomUUID() },
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers["content-type"]).toContain("application/problem+json");
    expect(res.json().code).toBe("validation_failed");
    expect(await ledgerRowCounts(t)).toEqual(before);
  });

  it.each([
    ["missing", null],
    ["empty", ""],
    ["overlong", "k".repeat(101)],
    ["with spaces", "my key"],
  ])("refuses an Idempotency-Key that is %s with 400 validation_failed", async (_, key) => {
    const payer = await fundedCustomer(t, 10_000n);
    const payee = await fundedCustomer(t);
    const before = await ledgerRowCounts(t);
    const res = await send(payer, { to: payee.phone }, key);
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe("validation_failed");
    expect(await ledgerRowCounts(t)).toEqual(before);
  });
});

describe("transfers under load", () => {
  it("lets exactly four of ten simultaneous quarter-limit transfers through the daily limit", async () => {
    const quarter = Number(DAILY_TWO_FACTOR_LIMIT) / 4;
    const payer = await fundedCustomer(t, BigInt(quarter * 20));
    await makeClassII(t, payer.user.id);
    const payees = await Promise.all(Array.from({ length: 3 }, () => fundedCustomer(t)));
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        send(payer, { to: (payees[i % payees.length] as Customer).phone, amount: quarter }),
      ),
    );
    const codes = results.map((r) => (r.statusCode === 201 ? "ok" : (r.json() as { code: string }).code));
    expect(codes.filter((c) => c === "ok")).toHaveLength(4);
    expect(codes.filter((c) => c === "limit_exceeded")).toHaveLength(6);
    expect(await availableOf(payer)).toBe(quarter * 16);
  });

  it("keeps the ledger consistent under many parallel transfers and replays, with every 201 in it exactly once", async () => {
    const people = await Promise.all(
      Array.from({ length: 5 }, (_, i) => fundedCustomer(t, 20_000n, { name: `客户${i}号` })),
    );
    people.forEach((p, i) => {
      p.client.ip = `192.0.2.${i + 10}`;
    });
    // Class II: this test is about idempotency under load, not the ¥1,000 Class I cap.
    for (const p of people) await makeClassII(t, p.user.id, p.user.name ?? "");
    const sent: { payer: Customer; body: { to: string; amount: number }; key: string }[] = [];
    const attempts = Array.from({ length: 120 }, () => {
      const payerIndex = randomInt(people.length);
      const payer = people[payerIndex] as Customer;
      const payee = people[(payerIndex + 1 + randomInt(people.length - 1)) % people.length] as Customer;
      const body = { to: payee.phone, amount: 1 + randomInt(3_000) };
      const replay = sent.length > 0 && randomInt(4) === 0 ? sent[randomInt(sent.length)] : undefined;
      if (replay) return { ...replay, replay: true };
      const attempt = { payer, body, key: randomUUID() };
      sent.push(attempt);
      return { ...attempt, replay: false };
    });
    const results = await Promise.all(
      attempts.map(async (a) => {
        const res = await send(a.payer, a.body, a.key);
        return { ...a, status: res.statusCode, body: res.json() as { id?: string; code?: string } };
      }),
    );

    for (const r of results) {
      expect([201, 409, 422], JSON.stringify(r.body)).toContain(r.status);
      // 409 only for a replay racing its first attempt; 422 only for running out of money.
      if (r.status === 409) expect(r.replay).toBe(true);
      if (r.status === 422) expect(r.body.code).toBe("insufficient_funds");
    }
    const okIds = new Map<string, string>();
    for (const r of results.filter((x) => x.status === 201)) {
      const id = r.body.id ?? "";
      const earlier = okIds.get(r.key);
      // Every 201 for one key names the same transfer.
      if (earlier) expect(id).toBe(earlier);
      okIds.set(r.key, id);
    }
    expect(okIds.size).toBeGreaterThan(20);

    const rows = await t.db
      .selectFrom("ledger_transfers")
      .select(["id", "idempotency_key"])
      .where("id", "in", [...okIds.values()])
      .execute();
    expect(rows).toHaveLength(okIds.size);
    for (const row of rows) {
      const key = row.idempotency_key ?? "";
      const clientKey = key.slice(key.lastIndexOf(":") + 1);
      expect(okIds.get(clientKey)).toBe(row.id);
    }
    // Nothing moved that no client saw a 201 for.
    const userIds = people.map((p) => p.user.id);
    const transfers = await t.db
      .selectFrom("ledger_transfers as t")
      .innerJoin("ledger_accounts as a", "a.id", "t.debit_account_id")
      .select("t.id")
      .where("t.type", "=", "transfer")
      .where("a.owner_user_id", "in", userIds)
      .execute();
    expect(new Set(transfers.map((x) => x.id))).toEqual(new Set(okIds.values()));

    const total = (await Promise.all(people.map(availableOf))).reduce((a, b) => a + b, 0);
    expect(total).toBe(5 * 20_000);
    expect(await verifyLedger(t.db)).toMatchObject({ ok: true, problems: [] });
  });
});
