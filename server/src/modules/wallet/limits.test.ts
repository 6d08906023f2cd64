import { randomInt, randomUUID } from "node:crypto";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/harness.js";
import type { DomainError } from "../../http/errors.js";
import { verifyLedger } from "../ledger/index.js";
import {
  classOf,
  consumeLimits,
  DAILY_ONE_FACTOR_LIMIT,
  DAILY_TWO_FACTOR_LIMIT,
  type LimitRequest,
  startOfChinaDay,
  startOfChinaYear,
} from "./limits.js";
import { lockUsage } from "./limits-store.js";
import { bindCard, makeClassII, makeClassIII, verifyIdentity } from "./limits-test-support.js";
import { availableOf, type Customer, fundedCustomer, PAYMENT_PASSWORD } from "./test-support.js";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

const YUAN = 100n;
const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

/** Runs one batch through consumeLimits in its own transaction, as a money writer would. */
function consume(reqs: LimitRequest[], now: Date = t.clock.now()) {
  return t.db.transaction().execute((tx) => consumeLimits(tx, reqs, now));
}

const pay = (userId: string, yuan: bigint, opts: Partial<LimitRequest> = {}): LimitRequest => ({
  userId,
  business: "payment",
  amount: yuan * YUAN,
  passwordFree: false,
  ...opts,
});

/** A refusal's code and its extension members, or "ok". */
function outcome(r: DomainError | null) {
  return r === null ? "ok" : { code: r.code, ...r.details };
}

type LimitsBody = {
  class: string;
  items: { code: string; scope: string; period: string; limit: number; used: number; remaining: number }[];
};

async function limitsOf(c: Customer): Promise<LimitsBody> {
  const res = await c.client.get("/api/v1/wallet/limits");
  expect(res.statusCode).toBe(200);
  return res.json() as LimitsBody;
}

async function item(c: Customer, code: string) {
  return (await limitsOf(c)).items.find((i) => i.code === code);
}

function transfer(from: Customer, to: Customer, fen: number, key: string = randomUUID()) {
  return from.client.post(
    "/api/v1/wallet/transfers",
    { to: to.phone, amount: fen, currency: "CNY", paymentPassword: PAYMENT_PASSWORD },
    { headers: { "idempotency-key": key } },
  );
}

describe("the customer's class", () => {
  it("follows from what OpenCounter has checked: reviewed identity, phone, cards in the same name, email", () => {
    const none = { idVerified: false, phoneBound: true, emailVerified: false, matchingCards: 0 };
    expect(classOf(none)).toBe("I");
    expect(classOf({ ...none, idVerified: true })).toBe("I");
    expect(classOf({ ...none, idVerified: true, matchingCards: 1 })).toBe("II");
    expect(classOf({ ...none, idVerified: true, matchingCards: 1, phoneBound: false })).toBe("I");
    expect(classOf({ ...none, idVerified: true, matchingCards: 2 })).toBe("II");
    expect(classOf({ ...none, idVerified: true, matchingCards: 2, emailVerified: true })).toBe("III");
  });

  it("is shown with every limit: Class I for a new customer, II once identity and a card match, III with more", async () => {
    const c = await fundedCustomer(t);
    const fresh = await limitsOf(c);
    expect(fresh.class).toBe("I");
    expect(fresh.items.find((i) => i.code === "class_lifetime")).toEqual({
      code: "class_lifetime",
      scope: "all",
      period: "lifetime",
      limit: 100_000,
      used: 0,
      remaining: 100_000,
    });
    expect(fresh.items.map((i) => i.code)).toEqual([
      "class_lifetime",
      "class_daily",
      "class_daily_one_factor",
      "business:transfer:single",
      "business:payment:single",
      "business:phone_topup:single",
      "business:phone_topup:daily",
    ]);

    // A card in someone else's name, or a removed one, is no bank's word for this customer.
    await verifyIdentity(t, c.user.id, "王小明");
    await bindCard(t, c.user.id, "李四");
    const removed = await bindCard(t, c.user.id, "王小明");
    await t.db
      .updateTable("bank_cards")
      .set({ removed_at: t.clock.now() })
      .where("id", "=", removed)
      .execute();
    expect((await limitsOf(c)).class).toBe("I");

    await bindCard(t, c.user.id, "王小明");
    const classII = await limitsOf(c);
    expect(classII.class).toBe("II");
    expect(classII.items.find((i) => i.code === "class_annual")).toMatchObject({
      period: "year",
      limit: 10_000_000,
    });
    expect(classII.items.some((i) => i.code === "class_lifetime")).toBe(false);

    const d = await fundedCustomer(t);
    await makeClassIII(t, d.user.id);
    expect(await limitsOf(d)).toMatchObject({ class: "III" });
    expect(await item(d, "class_annual")).toMatchObject({ limit: 20_000_000 });
  });
});

describe("class limits", () => {
  it("Class I: ¥1,000 in all since the account opened, transfers and payments together, on any day", async () => {
    const payer = await fundedCustomer(t, 5_000n * YUAN);
    const payee = await fundedCustomer(t);
    expect((await transfer(payer, payee, 60_000)).statusCode).toBe(201);
    expect((await consume([pay(payer.user.id, 300n)])).map(outcome)).toEqual(["ok"]);
    const over = await transfer(payer, payee, 10_001);
    expect(over.statusCode).toBe(422);
    expect(over.json()).toMatchObject({
      code: "limit_exceeded",
      limit: "class_lifetime",
      remaining: 10_000,
      limitAmount: 100_000,
      period: "lifetime",
    });
    expect((await transfer(payer, payee, 10_000)).statusCode).toBe(201);
    // Days and years later it is still spent.
    const later = new Date(t.clock.now().getTime() + 400 * DAY);
    expect((await consume([pay(payer.user.id, 1n)], later)).map(outcome)).toEqual([
      expect.objectContaining({ code: "limit_exceeded", limit: "class_lifetime", remaining: 0 }),
    ]);
    expect(await availableOf(payee)).toBe(70_000);
  });

  it("Class II: ¥100,000 a calendar year in China time, a new year starting at midnight in Beijing", async () => {
    const c = await fundedCustomer(t);
    await makeClassII(t, c.user.id);
    const jan1 = startOfChinaYear(new Date("2027-06-01T00:00:00Z"));
    expect(jan1.toISOString()).toBe("2026-12-31T16:00:00.000Z");
    // ¥5,000 a day (the daily cap) for twenty days uses the year's ¥100,000.
    for (let day = 0; day < 20; day++) {
      const at = new Date(jan1.getTime() + day * DAY + HOUR);
      expect((await consume([pay(c.user.id, 5_000n)], at)).map(outcome)).toEqual(["ok"]);
    }
    const day21 = new Date(jan1.getTime() + 20 * DAY + HOUR);
    expect((await consume([pay(c.user.id, 1n)], day21)).map(outcome)).toEqual([
      expect.objectContaining({ code: "limit_exceeded", limit: "class_annual", remaining: 0 }),
    ]);
    const nextYear = startOfChinaYear(new Date("2028-06-01T00:00:00Z"));
    expect((await consume([pay(c.user.id, 1n)], new Date(nextYear.getTime() - 1))).map(outcome)).toEqual([
      expect.objectContaining({ limit: "class_annual" }),
    ]);
    expect((await consume([pay(c.user.id, 5_000n)], nextYear)).map(outcome)).toEqual(["ok"]);
  });

  it("Class III: ¥200,000 a year", async () => {
    const c = await fundedCustomer(t);
    await makeClassIII(t, c.user.id);
    const jan1 = startOfChinaYear(new Date("2030-03-01T00:00:00Z"));
    for (let day = 0; day < 40; day++) {
      const at = new Date(jan1.getTime() + day * DAY + HOUR);
      expect((await consume([pay(c.user.id, 5_000n)], at)).map(outcome)).toEqual(["ok"]);
    }
    expect((await consume([pay(c.user.id, 1n)], new Date(jan1.getTime() + 40 * DAY))).map(outcome)).toEqual([
      expect.objectContaining({
        code: "limit_exceeded",
        limit: "class_annual",
        remaining: 0,
        limitAmount: 20_000_000,
      }),
    ]);
  });

  it("daily: ¥5,000 in all with the payment password, resetting at midnight in China (16:00 UTC)", async () => {
    const c = await fundedCustomer(t);
    await makeClassII(t, c.user.id);
    const midnight = startOfChinaDay(new Date("2031-05-10T12:00:00Z"));
    expect(midnight.toISOString()).toBe("2031-05-09T16:00:00.000Z");
    const lastSecond = new Date(midnight.getTime() + DAY - 1000); // 23:59:59 in Beijing
    expect(
      (
        await consume(
          [pay(c.user.id, 3_000n), pay(c.user.id, 1_500n, { business: "transfer" }), pay(c.user.id, 501n)],
          lastSecond,
        )
      ).map(outcome),
    ).toEqual([
      "ok",
      "ok",
      expect.objectContaining({ code: "limit_exceeded", limit: "class_daily", remaining: 50_000 }),
    ]);
    expect((await consume([pay(c.user.id, 500n)], lastSecond)).map(outcome)).toEqual(["ok"]);
    expect((await consume([pay(c.user.id, 1n)], lastSecond)).map(outcome)).toEqual([
      expect.objectContaining({ limit: "class_daily", remaining: 0 }),
    ]);
    const nextDay = new Date(midnight.getTime() + DAY);
    expect((await consume([pay(c.user.id, 5_000n)], nextDay)).map(outcome)).toEqual(["ok"]);
  });
});

describe("per business", () => {
  it("phone top-up: ¥500 a time and ¥2,000 a day", async () => {
    const c = await fundedCustomer(t);
    await makeClassII(t, c.user.id);
    const topup = (yuan: bigint, extra = 0n) =>
      pay(c.user.id, yuan, { business: "phone_topup", amount: yuan * YUAN + extra });
    expect((await consume([topup(500n, 1n)])).map(outcome)).toEqual([
      expect.objectContaining({
        code: "limit_exceeded",
        limit: "business:phone_topup:single",
        remaining: 50_000,
        period: "single",
      }),
    ]);
    expect(
      (await consume([topup(500n), topup(500n), topup(500n), topup(400n), topup(101n)])).map(outcome),
    ).toEqual([
      "ok",
      "ok",
      "ok",
      "ok",
      expect.objectContaining({ limit: "business:phone_topup:daily", remaining: 10_000 }),
    ]);
    // Other payments are not phone top-ups.
    expect((await consume([pay(c.user.id, 2_000n)])).map(outcome)).toEqual(["ok"]);
    expect(await item(c, "business:phone_topup:daily")).toMatchObject({ used: 190_000, remaining: 10_000 });
    expect(await item(c, "class_daily")).toMatchObject({ used: 390_000, remaining: 110_000 });
  });

  it("one payment or transfer is at most ¥5,000", async () => {
    const c = await fundedCustomer(t);
    await makeClassIII(t, c.user.id);
    expect(
      (await consume([pay(c.user.id, 5_001n), pay(c.user.id, 5_001n, { business: "transfer" })])).map(
        outcome,
      ),
    ).toEqual([
      expect.objectContaining({ code: "limit_exceeded", remaining: 500_000 }),
      expect.objectContaining({ code: "limit_exceeded", remaining: 500_000 }),
    ]);
  });
});

describe("the customer's own daily transfer cap", () => {
  it("is set with the payment password, audited and notified, stops transfers above it, and can be removed", async () => {
    const payer = await fundedCustomer(t, 2_000n * YUAN);
    const payee = await fundedCustomer(t);
    await makeClassII(t, payer.user.id);
    const set = (amount: number | null, paymentPassword = PAYMENT_PASSWORD) =>
      payer.client.put("/api/v1/wallet/limits/transfer-daily", { amount, paymentPassword });

    const wrong = await set(10_000, "000000");
    expect(wrong.statusCode).toBe(401);
    expect(await item(payer, "transfer_daily_custom")).toBeUndefined();
    expect((await set(500_001)).statusCode).toBe(400);

    expect((await set(10_000)).statusCode).toBe(204);
    expect(await item(payer, "transfer_daily_custom")).toEqual({
      code: "transfer_daily_custom",
      scope: "transfer",
      period: "day",
      limit: 10_000,
      used: 0,
      remaining: 10_000,
    });
    expect((await transfer(payer, payee, 6_000)).statusCode).toBe(201);
    const over = await transfer(payer, payee, 5_000);
    expect(over.statusCode).toBe(422);
    expect(over.json()).toMatchObject({
      code: "limit_exceeded",
      limit: "transfer_daily_custom",
      remaining: 4_000,
    });
    // Payments are not transfers: the customer's transfer cap leaves them alone.
    expect((await consume([pay(payer.user.id, 100n)])).map(outcome)).toEqual(["ok"]);

    const audit = await t.db
      .selectFrom("audit_log")
      .select(["action", "details"])
      .where("target_id", "=", payer.user.id)
      .where("action", "=", "limits.transfer_daily_changed")
      .execute();
    expect(audit.map((a) => a.details)).toEqual([{ before: null, after: 10_000 }]);
    const inbox = (await payer.client.get("/api/v1/me/notifications")).json() as {
      items: { kind: string; body: string }[];
    };
    expect(inbox.items.find((n) => n.kind === "security.transfer_limit_changed")?.body).toContain("¥100.00");

    expect((await set(null)).statusCode).toBe(204);
    expect(await item(payer, "transfer_daily_custom")).toBeUndefined();
    expect((await transfer(payer, payee, 5_000)).statusCode).toBe(201);
  });

  it("0 stops transfers altogether", async () => {
    const payer = await fundedCustomer(t, 100n * YUAN);
    const payee = await fundedCustomer(t);
    expect(
      (
        await payer.client.put("/api/v1/wallet/limits/transfer-daily", {
          amount: 0,
          paymentPassword: PAYMENT_PASSWORD,
        })
      ).statusCode,
    ).toBe(204);
    expect((await transfer(payer, payee, 1)).json()).toMatchObject({
      code: "limit_exceeded",
      limit: "transfer_daily_custom",
      remaining: 0,
    });
  });
});

describe("小额免密 (password-free payments)", () => {
  const settings = (c: Customer) => c.client.get("/api/v1/wallet/password-free");
  const put = (c: Customer, body: Record<string, unknown>) =>
    c.client.put("/api/v1/wallet/password-free", { paymentPassword: PAYMENT_PASSWORD, ...body });

  it("is off until the customer switches it on; then pays within the caps, and asks for the password beyond them", async () => {
    const c = await fundedCustomer(t);
    await makeClassII(t, c.user.id);
    const free = (yuan: bigint, business: LimitRequest["business"] = "payment") =>
      pay(c.user.id, yuan, { passwordFree: true, business });

    expect((await settings(c)).json()).toEqual({
      enabled: false,
      perPaymentLimit: 20_000,
      dailyLimit: 100_000,
      usedToday: 0,
    });
    expect((await consume([free(1n)])).map(outcome)).toEqual([
      expect.objectContaining({ code: "password_required", reason: "not_enabled" }),
    ]);

    expect((await put(c, { enabled: true, perPaymentLimit: 5_000, dailyLimit: 10_000 })).statusCode).toBe(
      204,
    );
    expect((await consume([free(50n), free(51n), free(50n, "phone_topup"), free(1n)])).map(outcome)).toEqual([
      "ok",
      expect.objectContaining({ code: "password_required", limit: "password_free:single", remaining: 5_000 }),
      "ok",
      expect.objectContaining({ code: "password_required", limit: "password_free:daily", remaining: 0 }),
    ]);
    // With the password the same payment goes through.
    expect((await consume([pay(c.user.id, 1n)])).map(outcome)).toEqual(["ok"]);
    // Transfers to people always need the password.
    expect((await consume([free(1n, "transfer")])).map(outcome)).toEqual([
      expect.objectContaining({ code: "password_required", reason: "not_for_business" }),
    ]);
    expect((await settings(c)).json()).toEqual({
      enabled: true,
      perPaymentLimit: 5_000,
      dailyLimit: 10_000,
      usedToday: 10_000,
    });
    expect(await item(c, "password_free:daily")).toMatchObject({ used: 10_000, remaining: 0 });

    // The next day in China the password-free allowance is back.
    const tomorrow = new Date(startOfChinaDay(t.clock.now()).getTime() + DAY);
    expect((await consume([free(50n)], tomorrow)).map(outcome)).toEqual(["ok"]);

    expect((await put(c, { enabled: false, perPaymentLimit: 5_000, dailyLimit: 10_000 })).statusCode).toBe(
      204,
    );
    expect((await consume([free(1n)], tomorrow)).map(outcome)).toEqual([
      expect.objectContaining({ code: "password_required", reason: "not_enabled" }),
    ]);
    const audit = await t.db
      .selectFrom("audit_log")
      .select("details")
      .where("target_id", "=", c.user.id)
      .where("action", "=", "password_free.changed")
      .orderBy("id")
      .execute();
    expect(audit.map((a) => (a.details as { after: { enabled: boolean } }).after.enabled)).toEqual([
      true,
      false,
    ]);
    const inbox = (await c.client.get("/api/v1/me/notifications")).json() as { items: { kind: string }[] };
    expect(inbox.items.filter((n) => n.kind === "security.password_free_changed")).toHaveLength(2);
  });

  it("a limit the password cannot lift is refused as limit_exceeded, not password_required", async () => {
    const c = await fundedCustomer(t);
    await put(c, { enabled: true, perPaymentLimit: 50_000, dailyLimit: 100_000 });
    await consume([pay(c.user.id, 800n)]);
    // Class I has ¥200 left since opening: asking for the password would not help.
    expect((await consume([pay(c.user.id, 300n, { passwordFree: true })])).map(outcome)).toEqual([
      expect.objectContaining({ code: "limit_exceeded", limit: "class_lifetime", remaining: 20_000 }),
    ]);
  });

  it("keeps its caps within bounds: at most ¥1,000 a payment and ¥1,000 a day (one factor), per payment ≤ daily", async () => {
    const c = await fundedCustomer(t);
    expect(DAILY_ONE_FACTOR_LIMIT).toBe(100_000n);
    for (const body of [
      { enabled: true, perPaymentLimit: 100_001, dailyLimit: 100_000 },
      { enabled: true, perPaymentLimit: 10_000, dailyLimit: 100_001 },
      { enabled: true, perPaymentLimit: 20_000, dailyLimit: 10_000 },
      { enabled: true, perPaymentLimit: 0, dailyLimit: 10_000 },
      { enabled: "yes", perPaymentLimit: 100, dailyLimit: 100 },
    ]) {
      const res = await put(c, body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().code).toBe("validation_failed");
    }
    expect(
      (await put(c, { enabled: true, perPaymentLimit: 100, dailyLimit: 100, paymentPassword: "000000" }))
        .statusCode,
    ).toBe(401);
    expect((await settings(c)).json()).toMatchObject({ enabled: false });
  });
});

describe("counting", () => {
  it("checks a batch in order and counts only what it allows; a refused request counts nothing", async () => {
    const a = await fundedCustomer(t);
    const b = await fundedCustomer(t);
    await makeClassII(t, a.user.id);
    const results = await consume([
      pay(a.user.id, 4_000n),
      pay(b.user.id, 900n),
      pay(a.user.id, 2_000n),
      pay(b.user.id, 200n),
      pay(a.user.id, 1_000n),
    ]);
    expect(results.map(outcome)).toEqual([
      "ok",
      "ok",
      expect.objectContaining({ limit: "class_daily", remaining: 100_000 }),
      expect.objectContaining({ limit: "class_lifetime", remaining: 10_000 }),
      "ok",
    ]);
    expect(await item(a, "class_daily")).toMatchObject({ used: 500_000, remaining: 0 });
    expect(await item(b, "class_lifetime")).toMatchObject({ used: 90_000, remaining: 10_000 });
  });

  it("a replayed transfer counts once", async () => {
    const payer = await fundedCustomer(t, 500n * YUAN);
    const payee = await fundedCustomer(t);
    const key = randomUUID();
    const first = await transfer(payer, payee, 10_000, key);
    const again = await transfer(payer, payee, 10_000, key);
    expect(again.json()).toEqual(first.json());
    expect(await item(payer, "class_lifetime")).toMatchObject({ used: 10_000 });
  });
});

describe("limits under load", () => {
  it("many parallel transfers from one customer near the daily cap never pass it", async () => {
    const payer = await fundedCustomer(t, 20_000n * YUAN);
    await makeClassII(t, payer.user.id);
    const payees = await Promise.all(Array.from({ length: 4 }, () => fundedCustomer(t)));
    payer.client.ip = "192.0.2.77";
    // ¥4,000 already paid today: ¥1,000 remain.
    expect((await consume([pay(payer.user.id, 4_000n)])).map(outcome)).toEqual(["ok"]);
    const attempts = Array.from({ length: 30 }, (_, i) => ({
      to: payees[i % payees.length] as Customer,
      fen: 5_000 + randomInt(20_000),
    }));
    const results = await Promise.all(attempts.map((a) => transfer(payer, a.to, a.fen)));
    let sent = 0;
    for (const [i, res] of results.entries()) {
      if (res.statusCode === 201) sent += (attempts[i] as { fen: number }).fen;
      else expect(res.json()).toMatchObject({ code: "limit_exceeded", limit: "class_daily" });
    }
    expect(sent).toBeGreaterThan(0);
    expect(sent).toBeLessThanOrEqual(100_000);
    const received = (await Promise.all(payees.map(availableOf))).reduce((x, y) => x + y, 0);
    expect(received).toBe(sent);
    expect(await item(payer, "class_daily")).toMatchObject({ used: 400_000 + sent });
    expect(await verifyLedger(t.db)).toMatchObject({ ok: true, problems: [] });
  });

  it("batches over the same customers in different orders neither deadlock nor overspend", async () => {
    const people = await Promise.all(Array.from({ length: 4 }, () => fundedCustomer(t)));
    for (const p of people) await makeClassII(t, p.user.id);
    const batches = Array.from({ length: 16 }, () =>
      Array.from({ length: 6 }, () => pay((people[randomInt(people.length)] as Customer).user.id, 500n)),
    );
    const results = await Promise.all(batches.map((reqs) => consume(reqs)));
    const allowed = new Map<string, bigint>();
    results.forEach((batch, i) => {
      batch.forEach((r, j) => {
        const req = (batches[i] as LimitRequest[])[j] as LimitRequest;
        if (r === null) allowed.set(req.userId, (allowed.get(req.userId) ?? 0n) + req.amount);
        else expect(r.code).toBe("limit_exceeded");
      });
    });
    for (const p of people) {
      const used = allowed.get(p.user.id) ?? 0n;
      expect(used).toBeLessThanOrEqual(DAILY_TWO_FACTOR_LIMIT);
      expect(await item(p, "class_daily")).toMatchObject({ used: Number(used) });
    }
  });
});

describe("usage rows known to exist (lockUsage's `known`)", () => {
  const fresh = () => ({
    dayStart: startOfChinaDay(t.clock.now()),
    yearStart: startOfChinaYear(t.clock.now()),
  });

  it("learns only rows another transaction committed, and skips creating rows it knows", async () => {
    const a = await fundedCustomer(t);
    const b = await fundedCustomer(t);
    const known = new Set<string>();
    // a's row is created by a transaction that rolls back: nothing is learnt from it.
    await expect(
      t.db.transaction().execute(async (tx) => {
        const rows = await lockUsage(tx, [a.user.id], fresh(), known);
        expect(rows.map((r) => r.user_id)).toEqual([a.user.id]);
        throw new Error("roll back");
      }),
    ).rejects.toThrow("roll back");
    expect(known.has(a.user.id)).toBe(false);
    // Created and committed here: still not learnt (it was this transaction's own insert)…
    await t.db.transaction().execute((tx) => lockUsage(tx, [a.user.id], fresh(), known));
    expect(known.has(a.user.id)).toBe(false);
    // …but the next transaction finds it committed, and learns it.
    await t.db.transaction().execute((tx) => lockUsage(tx, [a.user.id], fresh(), known));
    expect(known.has(a.user.id)).toBe(true);
    // With every id known, no row is created: b (unknown to the database) is left out…
    known.add(b.user.id);
    const rows = await t.db
      .transaction()
      .execute((tx) => lockUsage(tx, [a.user.id, b.user.id].sort(), fresh(), known));
    expect(rows.map((r) => r.user_id)).toEqual([a.user.id]);
    // …and once b is unknown again, its row is made and locked beside a's.
    known.delete(b.user.id);
    const both = await t.db
      .transaction()
      .execute((tx) => lockUsage(tx, [a.user.id, b.user.id].sort(), fresh(), known));
    expect(both.map((r) => r.user_id)).toEqual([a.user.id, b.user.id].sort());
  });

  it("locks the rows: a second transaction waits for the first's figures", async () => {
    const c = await fundedCustomer(t);
    const known = new Set<string>();
    await consume([pay(c.user.id, 1n)]);
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    const first = t.db.transaction().execute(async (tx) => {
      await lockUsage(tx, [c.user.id], fresh(), known);
      await sql`update limit_usage set day_all = day_all + 700 where user_id = ${c.user.id}`.execute(tx);
      await held;
    });
    await new Promise((r) => setTimeout(r, 50));
    const second = t.db.transaction().execute((tx) => lockUsage(tx, [c.user.id], fresh(), known));
    await new Promise((r) => setTimeout(r, 50));
    release();
    await first;
    const [row] = await second;
    expect(row?.day_all).toBe(100n + 700n);
  });
});
