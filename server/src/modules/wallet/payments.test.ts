import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPeerApp, createTestApp, type TestApp, TestClient } from "../../../test/harness.js";
import { verifyLedger } from "../ledger/index.js";
import { notifyAllBalanceChanges } from "../notify/index.js";
import { DEMO_MERCHANTS, seedDemoMerchants } from "./payments.js";
import {
  availableOf,
  type Customer,
  fundedCustomer,
  ledgerRowCounts,
  PAYMENT_PASSWORD,
} from "./test-support.js";

let t: TestApp;
let merchants: { id: string; name: string; category: string }[];

beforeAll(async () => {
  t = await createTestApp();
  await seedDemoMerchants(t.ctx);
  // Seeding twice changes nothing.
  await seedDemoMerchants(t.ctx);
  const c = await fundedCustomer(t);
  merchants = (await c.client.get("/api/v1/wallet/merchants")).json().items;
});
afterAll(async () => {
  await t.close();
});

function merchant(category: "shop" | "phone_topup" | "utility") {
  const m = merchants.find((x) => x.category === category);
  if (!m) throw new Error(`no ${category} merchant`);
  return m;
}

function pay(c: Customer | TestClient, body: Record<string, unknown>, key: string = randomUUID()) {
  const client = c instanceof TestClient ? c : c.client;
  return client.post(
    "/api/v1/wallet/payments",
    { currency: "CNY", ...body },
    { headers: { "idempotency-key": key } },
  );
}

async function merchantBalance(id: string): Promise<bigint> {
  const row = await t.db
    .selectFrom("merchants")
    .innerJoin("ledger_accounts", "ledger_accounts.id", "merchants.account_id")
    .select("ledger_accounts.balance")
    .where("merchants.id", "=", id)
    .executeTakeFirstOrThrow();
  return row.balance;
}

function enablePasswordFree(c: Customer, perPaymentLimit = 20_000, dailyLimit = 50_000) {
  return c.client.put("/api/v1/wallet/password-free", {
    enabled: true,
    perPaymentLimit,
    dailyLimit,
    paymentPassword: PAYMENT_PASSWORD,
  });
}

describe("merchants", () => {
  it("lists the demo shops and billers, among them a 话费充值 phone top-up biller", () => {
    expect(merchants).toHaveLength(DEMO_MERCHANTS.length);
    expect(merchant("phone_topup").name).toContain("话费充值");
    expect(new Set(merchants.map((m) => m.category))).toEqual(new Set(["shop", "phone_topup", "utility"]));
  });
});

describe("paying with the payment password", () => {
  it("moves the money to the merchant once, tells the customer, and replays the same request", async () => {
    const c = await fundedCustomer(t, 10_000n);
    const shop = merchant("shop");
    const before = await merchantBalance(shop.id);
    const key = randomUUID();
    const body = { merchantId: shop.id, amount: 2_550, paymentPassword: PAYMENT_PASSWORD, orderRef: "A-1" };
    const first = await pay(c, body, key);
    expect(first.statusCode).toBe(201);
    expect(first.json()).toEqual({ id: expect.any(String), status: "succeeded", passwordFree: false });
    expect(await availableOf(c)).toBe(7_450);
    expect(await merchantBalance(shop.id)).toBe(before + 2_550n);
    // The payment's notice is its balance-change notice, written with the payment itself: it is
    // in the inbox as the payment answers, its entry is marked, and the notice loop adds no other.
    // The merchant's entry is marked too: a merchant's account gets no balance notices.
    const paid = async () =>
      (await c.client.get("/api/v1/me/notifications"))
        .json()
        .items.filter((n: { title: string }) => n.title === "付款成功");
    expect(await paid()).toEqual([
      expect.objectContaining({ body: `付款给${shop.name} ¥25.50，余额 ¥74.50` }),
    ]);
    const entry = await t.db
      .selectFrom("ledger_entries")
      .select(["noticed", "amount"])
      .where("transfer_id", "=", first.json().id)
      .orderBy("id")
      .execute();
    expect(entry).toEqual([
      { noticed: true, amount: -2_550n },
      { noticed: true, amount: 2_550n },
    ]);
    await notifyAllBalanceChanges(t.ctx);
    expect(await paid()).toHaveLength(1);
    // The history names the merchant, as the notice does.
    const history = (
      await c.client.get("/api/v1/wallet/transactions", { query: { type: "payment" } })
    ).json();
    expect(history.items).toEqual([
      expect.objectContaining({
        id: first.json().id,
        direction: "out",
        amount: 2_550,
        counterparty: shop.name,
      }),
    ]);
    const detail = await c.client.get(`/api/v1/wallet/transactions/${first.json().id}`);
    expect(detail.json().counterparty).toBe(shop.name);

    const counts = await ledgerRowCounts(t);
    const again = await pay(c, body, key);
    expect(again.statusCode).toBe(201);
    expect(again.json().id).toBe(first.json().id);
    expect(await ledgerRowCounts(t)).toEqual(counts);

    const other = await pay(c, { ...body, amount: 1 }, key);
    expect(other.statusCode).toBe(409);
    expect(other.json().code).toBe("idempotency_conflict");
    expect(await availableOf(c)).toBe(7_450);
  });

  it("refuses a wrong password, an unknown merchant and an overdraft, writing nothing", async () => {
    const c = await fundedCustomer(t, 1_000n);
    const counts = await ledgerRowCounts(t);
    const wrong = await pay(c, { merchantId: merchant("shop").id, amount: 100, paymentPassword: "000000" });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().code).toBe("wrong_payment_password");
    const unknown = await pay(c, {
      merchantId: randomUUID(),
      amount: 100,
      paymentPassword: PAYMENT_PASSWORD,
    });
    expect(unknown.statusCode).toBe(404);
    const tooMuch = await pay(c, {
      merchantId: merchant("shop").id,
      amount: 1_001,
      paymentPassword: PAYMENT_PASSWORD,
    });
    expect(tooMuch.statusCode).toBe(422);
    expect(tooMuch.json().code).toBe("insufficient_funds");
    expect(await ledgerRowCounts(t)).toMatchObject({ transfers: counts.transfers, keys: counts.keys });
    expect(await availableOf(c)).toBe(1_000);
  });

  it("counts a phone top-up against the phone top-up limit (¥500 a time)", async () => {
    const c = await fundedCustomer(t, 100_000n);
    const res = await pay(c, {
      merchantId: merchant("phone_topup").id,
      amount: 50_001,
      paymentPassword: PAYMENT_PASSWORD,
    });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ code: "limit_exceeded", limit: "business:phone_topup:single" });
    const ok = await pay(c, {
      merchantId: merchant("phone_topup").id,
      amount: 5_000,
      paymentPassword: PAYMENT_PASSWORD,
    });
    expect(ok.statusCode).toBe(201);
    expect(await availableOf(c)).toBe(95_000);
  });
});

describe("小额免密: paying without the password", () => {
  it("needs the customer to have switched it on, and stays within its caps", async () => {
    const c = await fundedCustomer(t, 100_000n);
    const shop = merchant("shop").id;
    const off = await pay(c, { merchantId: shop, amount: 500 });
    expect(off.statusCode).toBe(403);
    expect(off.json().code).toBe("password_required");

    expect((await enablePasswordFree(c)).statusCode).toBe(204);
    const small = await pay(c, { merchantId: shop, amount: 500 });
    expect(small.statusCode).toBe(201);
    expect(small.json().passwordFree).toBe(true);
    const big = await pay(c, { merchantId: shop, amount: 20_001 });
    expect(big.statusCode).toBe(403);
    expect(big.json().code).toBe("password_required");
    // With the password the same amount goes through.
    const withPassword = await pay(c, {
      merchantId: shop,
      amount: 20_001,
      paymentPassword: PAYMENT_PASSWORD,
    });
    expect(withPassword.statusCode).toBe(201);
    expect(await availableOf(c)).toBe(100_000 - 500 - 20_001);
  });
});

describe("under concurrent load", () => {
  it("lets exactly ten of twenty simultaneous payments through an account holding ten, once each", async () => {
    const c = await fundedCustomer(t, 10_000n);
    expect((await enablePasswordFree(c)).statusCode).toBe(204);
    const shop = merchant("utility").id;
    const before = await merchantBalance(shop);
    const keys = Array.from({ length: 20 }, () => randomUUID());
    // Every request sent twice at once: duplicates race their originals.
    const results = await Promise.all(
      [...keys, ...keys].map((key) => pay(c, { merchantId: shop, amount: 1_000 }, key)),
    );
    const ok = results.filter((r) => r.statusCode === 201);
    const refused = results.filter((r) => r.statusCode === 422);
    expect(ok.length + refused.length).toBe(40);
    expect(refused.every((r) => r.json().code === "insufficient_funds")).toBe(true);
    expect(new Set(ok.map((r) => r.json().id)).size).toBe(10);
    expect(await availableOf(c)).toBe(0);
    expect(await merchantBalance(shop)).toBe(before + 10_000n);
    const verification = await verifyLedger(t.db);
    expect(verification.problems).toEqual([]);
  });
});

describe("password-free payments from two server processes at once", () => {
  it("never pass the daily password-free cap, and count exactly what went through", async () => {
    const peer = await createPeerApp(t);
    try {
      const c = await fundedCustomer(t, 100_000n);
      // ¥10 a payment, ¥100 a day without the password.
      expect((await enablePasswordFree(c, 1_000, 10_000)).statusCode).toBe(204);
      const onPeer = new TestClient(peer.app);
      for (const [k, v] of c.client.cookies) onPeer.cookies.set(k, v);
      const shop = merchant("shop").id;
      const keys = Array.from({ length: 15 }, () => randomUUID());
      // Thirty ¥7 payments, each sent to both processes at once: two batchers, one customer.
      const results = await Promise.all(
        keys.flatMap((key) =>
          [c.client, onPeer].map((client) => pay(client, { merchantId: shop, amount: 700 }, key)),
        ),
      );
      const ok = results.filter((r) => r.statusCode === 201);
      const refused = results.filter((r) => r.statusCode !== 201);
      // 14 × ¥7 = ¥98 fits under ¥100; the 15th does not. A key's twin replays its first answer.
      const paid = new Set(ok.map((r) => r.json().id));
      expect(paid.size).toBe(14);
      expect(refused.every((r) => r.json().code === "password_required")).toBe(true);
      const usage = await t.db
        .selectFrom("limit_usage")
        .select(["day_one_factor", "day_all"])
        .where("user_id", "=", c.user.id)
        .executeTakeFirstOrThrow();
      expect(usage).toEqual({ day_one_factor: 9_800n, day_all: 9_800n });
      expect(await availableOf(c)).toBe(100_000 - 9_800);
      expect((await verifyLedger(t.db)).problems).toEqual([]);
    } finally {
      await peer.close();
    }
  });
});

describe("sessions on the payment route", () => {
  it("stop working in another server process as soon as the customer logs out", async () => {
    const peer = await createPeerApp(t);
    try {
      const c = await fundedCustomer(t, 10_000n);
      const onPeer = new TestClient(peer.app);
      for (const [k, v] of c.client.cookies) onPeer.cookies.set(k, v);
      const body = { merchantId: merchant("shop").id, amount: 100, paymentPassword: PAYMENT_PASSWORD };
      expect((await pay(onPeer, body)).statusCode).toBe(201);
      expect((await pay(onPeer, body)).statusCode).toBe(201);

      expect((await c.client.post("/api/v1/auth/logout")).statusCode).toBe(204);
      // The peer hears of it through NOTIFY as the logout commits.
      const started = Date.now();
      let status = 201;
      while (status === 201 && Date.now() - started < 2_000) status = (await pay(onPeer, body)).statusCode;
      expect(status).toBe(401);
      expect(Date.now() - started).toBeLessThan(2_000);
      expect((await pay(onPeer, body)).statusCode).toBe(401);
    } finally {
      await peer.close();
    }
  });

  it("stop working in another server process as soon as the customer is frozen", async () => {
    const peer = await createPeerApp(t);
    try {
      const c = await fundedCustomer(t, 10_000n);
      const onPeer = new TestClient(peer.app);
      for (const [k, v] of c.client.cookies) onPeer.cookies.set(k, v);
      const body = { merchantId: merchant("shop").id, amount: 100, paymentPassword: PAYMENT_PASSWORD };
      expect((await pay(onPeer, body)).statusCode).toBe(201);
      // Frozen by hand in SQL, as any tool or process might: the trigger tells every process.
      await t.db.updateTable("users").set({ status: "frozen" }).where("id", "=", c.user.id).execute();
      // From the commit on no payment goes through (the ledger checks the owner under its lock),
      // and the session itself is gone as soon as the notification arrives.
      const started = Date.now();
      const seen = new Set<number>();
      let status = 0;
      while (status !== 401 && Date.now() - started < 2_000) {
        status = (await pay(onPeer, body)).statusCode;
        seen.add(status);
      }
      expect(status).toBe(401);
      expect([...seen].every((s) => s === 401 || s === 403)).toBe(true);
    } finally {
      await peer.close();
    }
  });
});
