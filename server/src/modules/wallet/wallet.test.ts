import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStaff, logIn, uniquePhone } from "../../../test/factories.js";
import { createTestApp, type TestApp } from "../../../test/harness.js";
import { PAYEE_LOOKUPS_PER_HOUR } from "./service.js";
import { type Customer, fund, fundedCustomer, PAYMENT_PASSWORD } from "./test-support.js";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

type Item = {
  id: string;
  type: string;
  amount: number;
  currency: string;
  direction: "in" | "out";
  counterparty: string;
  status: string;
  createdAt: string;
};

async function pay(from: Customer, to: Customer, amount: number, memo?: string) {
  const res = await from.client.post(
    "/api/v1/wallet/transfers",
    { to: to.phone, amount, currency: "CNY", paymentPassword: PAYMENT_PASSWORD, ...(memo ? { memo } : {}) },
    { headers: { "idempotency-key": randomUUID() } },
  );
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: string; status: string };
}

describe("balance", () => {
  it("opens a CNY account on first look and shows zero available and zero pending", async () => {
    const c = await fundedCustomer(t);
    const res = await c.client.get("/api/v1/wallet");
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ accounts: [{ currency: "CNY", available: 0, pending: 0 }] });
  });

  it("shows money as integer fen", async () => {
    const c = await fundedCustomer(t, 12_345n);
    expect((await c.client.get("/api/v1/wallet")).json()).toEqual({
      accounts: [{ currency: "CNY", available: 12_345, pending: 0 }],
    });
  });

  it("is for customers only: staff get 403", async () => {
    const staff = await createStaff(t, { roles: ["auditor"] });
    const res = await staff.client.get("/api/v1/wallet");
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe("forbidden");
  });
});

describe("history", () => {
  it("lists money in and out newest first, with masked counterparties and labels for system accounts", async () => {
    const alice = await fundedCustomer(t, 10_000n, { name: "王小明" });
    const bob = await fundedCustomer(t, 0n, { name: "李四" });
    t.clock.advance(1000);
    const sent = await pay(alice, bob, 2_500, "午饭");
    t.clock.advance(1000);
    await pay(bob, alice, 500);

    const res = await alice.client.get("/api/v1/wallet/transactions");
    expect(res.statusCode).toBe(200);
    const body = res.json() as { items: Item[]; nextCursor: string | null };
    expect(body.nextCursor).toBeNull();
    expect(body.items.map((i) => [i.type, i.direction, i.amount, i.counterparty, i.status])).toEqual([
      ["transfer", "in", 500, "李*", "succeeded"],
      ["transfer", "out", 2_500, "李*", "succeeded"],
      ["adjustment", "in", 10_000, "系统调整", "succeeded"],
    ]);
    expect(body.items[1]?.id).toBe(sent.id);

    const bobView = (await bob.client.get("/api/v1/wallet/transactions")).json() as { items: Item[] };
    expect(bobView.items.map((i) => [i.direction, i.amount, i.counterparty])).toEqual([
      ["out", 500, "王*明"],
      ["in", 2_500, "王*明"],
    ]);
  });

  it("filters by type, direction and time, and pages with a cursor without gaps or repeats", async () => {
    const alice = await fundedCustomer(t, 100_000n);
    const bob = await fundedCustomer(t);
    const start = t.clock.now();
    for (let i = 1; i <= 5; i++) {
      t.clock.advance(60_000);
      await pay(alice, bob, i * 100);
    }
    const middle = new Date(start.getTime() + 3 * 60_000);
    await fund(t, alice.user.id, 7n);

    const out = (
      await alice.client.get("/api/v1/wallet/transactions", { query: { direction: "out" } })
    ).json() as { items: Item[] };
    expect(out.items.map((i) => i.amount)).toEqual([500, 400, 300, 200, 100]);

    const adjustments = (
      await alice.client.get("/api/v1/wallet/transactions", { query: { type: "adjustment" } })
    ).json() as { items: Item[] };
    expect(adjustments.items.map((i) => i.amount)).toEqual([7, 100_000]);

    const early = (
      await alice.client.get("/api/v1/wallet/transactions", {
        query: { type: "transfer", from: start.toISOString(), to: middle.toISOString() },
      })
    ).json() as { items: Item[] };
    expect(early.items.map((i) => i.amount)).toEqual([200, 100]);

    const seen: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: Record<string, string> = { limit: "3", ...(cursor ? { cursor } : {}) };
      const page = (await alice.client.get("/api/v1/wallet/transactions", { query })).json() as {
        items: Item[];
        nextCursor: string | null;
      };
      seen.push(...page.items.map((i) => i.amount));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual([7, 500, 400, 300, 200, 100, 100_000]);
  });

  it("shows one transaction in detail with its memo, and hides other customers' transactions", async () => {
    const alice = await fundedCustomer(t, 10_000n);
    const bob = await fundedCustomer(t, 0n, { name: "赵六" });
    const stranger = await fundedCustomer(t);
    const { id } = await pay(alice, bob, 1_234, "房租");
    const res = await alice.client.get(`/api/v1/wallet/transactions/${id}`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      id,
      type: "transfer",
      amount: 1_234,
      currency: "CNY",
      direction: "out",
      counterparty: "赵*",
      status: "succeeded",
      memo: "房租",
    });
    const peek = await stranger.client.get(`/api/v1/wallet/transactions/${id}`);
    expect(peek.statusCode).toBe(404);
    expect(peek.json().code).toBe("not_found");
    const nothing = await alice.client.get(`/api/v1/wallet/transactions/${randomUUID()}`);
    expect(nothing.statusCode).toBe(404);
  });

  it.each([
    [{ type: "lottery" }],
    [{ direction: "sideways" }],
    [{ from: "yesterday" }],
    [{ cursor: "-1" }],
    [{ cursor: "abc" }],
    [{ limit: "0" }],
    [{ limit: "101" }],
    [{ limit: "2.5" }],
    [{ surprise: "1" }],
    [{ from: "2026-11-22T00:00:00Z", to: "2026-11-21T00:00:00Z" }],
  ])("refuses the history query %j with validation_failed", async (query) => {
    const c = await fundedCustomer(t);
    const res = await c.client.get("/api/v1/wallet/transactions", { query });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe("validation_failed");
  });

  it("refuses a detail id that is not a UUID", async () => {
    const c = await fundedCustomer(t);
    const res = await c.client.get("/api/v1/wallet/transactions/123");
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe("validation_failed");
  });
});

describe("payee lookup", () => {
  it("shows only the masked name and phone of an active customer", async () => {
    const payer = await fundedCustomer(t);
    const payee = await fundedCustomer(t, 0n, { name: "张小三" });
    const res = await payer.client.get("/api/v1/wallet/payees", { query: { phone: payee.phone } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      maskedName: "张*三",
      maskedPhone: `${payee.phone.slice(0, 3)}****${payee.phone.slice(-4)}`,
    });
  });

  it("finds no one for an unknown number, a frozen customer or a staff member's phone", async () => {
    const payer = await fundedCustomer(t);
    const frozen = await fundedCustomer(t);
    await t.db.updateTable("users").set({ status: "frozen" }).where("id", "=", frozen.user.id).execute();
    for (const phone of [uniquePhone(), frozen.phone]) {
      const res = await payer.client.get("/api/v1/wallet/payees", { query: { phone } });
      expect(res.statusCode).toBe(404);
      expect(res.json().code).toBe("not_found");
    }
  });

  it("refuses to look up yourself", async () => {
    const payer = await fundedCustomer(t);
    const res = await payer.client.get("/api/v1/wallet/payees", { query: { phone: payer.phone } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: "validation_failed", reason: "self" });
  });

  it("stops a customer after 20 lookups an hour, from any address, and lets them go on an hour later", async () => {
    const payer = await fundedCustomer(t);
    const payee = await fundedCustomer(t);
    for (let i = 0; i < PAYEE_LOOKUPS_PER_HOUR; i++) {
      payer.client.ip = `198.51.100.${i + 1}`;
      const res = await payer.client.get("/api/v1/wallet/payees", { query: { phone: uniquePhone() } });
      expect(res.statusCode).toBe(404);
    }
    const blocked = await payer.client.get("/api/v1/wallet/payees", { query: { phone: payee.phone } });
    expect(blocked.statusCode).toBe(429);
    expect(blocked.json().code).toBe("rate_limited");
    t.clock.advance(60 * 60 * 1000);
    // A fresh session: the old one has idled out over the hour.
    const later = await (await logIn(t, payer.user.id)).get("/api/v1/wallet/payees", {
      query: { phone: payee.phone },
    });
    expect(later.statusCode).toBe(200);
  });

  it.each([[{}], [{ phone: "12345" }], [{ phone: "1390000000a" }], [{ phone: uniquePhone(), x: "1" }]])(
    "refuses the lookup %j with validation_failed",
    async (query) => {
      const payer = await fundedCustomer(t);
      const res = await payer.client.get("/api/v1/wallet/payees", { query });
      expect(res.statusCode).toBe(400);
      expect(res.json().code).toBe("validation_failed");
    },
  );
});
