import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { logIn } from "../../../test/factories.js";
import { createTestApp, type TestApp } from "../../../test/harness.js";
import { maskPhone } from "../identity/index.js";
import {
  createHold,
  getOrCreateSystemAccount,
  postHold,
  postTransfer,
  reverseTransfer,
  systemAccountCode,
} from "../ledger/index.js";
import { customerAccount, gatewayClearing } from "../ledger/test-support.js";
import { seedDemoMerchants } from "../wallet/payments.js";
import { fundedCustomer, PAYMENT_PASSWORD } from "../wallet/test-support.js";
import {
  balanceNotice,
  formatMoney,
  notifyAllBalanceChanges,
  notifyBalanceChanges,
  startBalanceNoticeLoop,
} from "./money-notifications.js";
import { insertInboxItems } from "./money-notifications-store.js";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

const inbox = (userId: string) =>
  t.db
    .selectFrom("notifications")
    .select(["kind", "title", "body"])
    .where("user_id", "=", userId)
    .where("kind", "=", "wallet.balance_changed")
    .orderBy("created_at")
    .orderBy("id")
    .execute();

const texts = (phone: string) =>
  t.db.selectFrom("outbound_messages").select("body").where("destination", "=", phone).execute();

const phoneOf = async (userId: string) =>
  (await t.db.selectFrom("users").select("phone").where("id", "=", userId).executeTakeFirstOrThrow()).phone ??
  "";

const name = (userId: string, value: string) =>
  t.db.updateTable("users").set({ name: value }).where("id", "=", userId).execute();

async function transfer(
  from: string,
  to: string,
  amount: bigint,
  type: "transfer" | "topup" | "payment" | "refund" = "transfer",
) {
  await postTransfer(t.ctx, {
    idempotencyKey: `test:${randomUUID()}`,
    type,
    debitAccountId: from,
    creditAccountId: to,
    amount,
    currency: "CNY",
  });
}

describe("balance-change notices", () => {
  it("tells payer and payee of a transfer once each: who, the amount and the new balance", async () => {
    const payer = await customerAccount(t, 10_000n);
    const payee = await customerAccount(t, 4_444n);
    await name(payer.ownerUserId, "张小三");
    await notifyAllBalanceChanges(t.ctx);
    await transfer(payer.id, payee.id, 1_234n);

    expect(await notifyAllBalanceChanges(t.ctx)).toBe(2);
    expect((await inbox(payee.ownerUserId)).at(-1)).toEqual({
      kind: "wallet.balance_changed",
      title: "收到转账",
      body: "收到张*三转账 ¥12.34，余额 ¥56.78",
    });
    // A payee without a name on file is shown by the masked phone number.
    const payeePhone = maskPhone(await phoneOf(payee.ownerUserId));
    expect((await inbox(payer.ownerUserId)).at(-1)).toMatchObject({
      title: "转账成功",
      body: `转账给${payeePhone} ¥12.34，余额 ¥87.66`,
    });
    expect(await notifyAllBalanceChanges(t.ctx)).toBe(0);
    expect(await inbox(payee.ownerUserId)).toHaveLength(2);
  });

  it("says what happened for a refund, a staff correction and a reversal", async () => {
    const c = await customerAccount(t, 10_000n);
    const merchant = await getOrCreateSystemAccount(
      t.ctx,
      systemAccountCode("merchant", "CNY", `bakery-${randomUUID().slice(0, 8)}`),
      "CNY",
      "merchant",
    );
    await t.db
      .insertInto("merchants")
      .values({
        code: `m-${randomUUID().slice(0, 8)}`,
        name: "面包房",
        category: "shop",
        account_id: merchant.id,
      })
      .execute();
    await notifyAllBalanceChanges(t.ctx);
    await transfer(c.id, merchant.id, 2_000n, "payment");
    await transfer(merchant.id, c.id, 500n, "refund");
    const adjustments = await getOrCreateSystemAccount(
      t.ctx,
      systemAccountCode("adjustments", "CNY"),
      "CNY",
      "adjustments",
    );
    const { transfer: fix } = await postTransfer(t.ctx, {
      idempotencyKey: `test:${randomUUID()}`,
      type: "adjustment",
      debitAccountId: c.id,
      creditAccountId: adjustments.id,
      amount: 100n,
      currency: "CNY",
    });
    await reverseTransfer(t.ctx, fix.id, { reason: "test" });
    await notifyAllBalanceChanges(t.ctx);
    // One run writes these four at one moment; their order within it is not the point.
    const told = (await inbox(c.ownerUserId))
      .filter((n) => n.title !== "充值成功")
      .map((n) => [n.title, n.body]);
    expect(told.sort()).toEqual(
      [
        ["付款成功", "付款给面包房 ¥20.00，余额 ¥80.00"],
        ["退款到账", "面包房退款 ¥5.00，余额 ¥85.00"],
        ["账户调整", "调账转出 ¥1.00，余额 ¥84.00"],
        ["账户调整", "冲正转入 ¥1.00，余额 ¥85.00"],
      ].sort(),
    );
  });

  it("leaves out the posting of a withdrawal's hold: the withdrawal tells of its payout itself", async () => {
    const c = await customerAccount(t, 10_000n);
    const clearing = await getOrCreateSystemAccount(
      t.ctx,
      systemAccountCode("withdrawal_clearing", "CNY"),
      "CNY",
      "withdrawal_clearing",
    );
    await notifyAllBalanceChanges(t.ctx);
    const { transfer: hold } = await createHold(t.ctx, {
      idempotencyKey: `test:${randomUUID()}`,
      type: "withdrawal",
      debitAccountId: c.id,
      creditAccountId: clearing.id,
      amount: 3_000n,
      currency: "CNY",
      expiresAt: new Date(t.clock.now().getTime() + 60_000),
    });
    await postHold(t.ctx, hold.id, { metadata: { withdrawalId: randomUUID() } });
    expect(await notifyAllBalanceChanges(t.ctx)).toBe(0);
    expect(await inbox(c.ownerUserId)).toHaveLength(1);
  });

  it("notifies a top-up in the app only by default, and by SMS when the customer subscribed", async () => {
    const quiet = await customerAccount(t);
    const keen = await customerAccount(t);
    const client = await logIn(t, keen.ownerUserId);
    await client.put("/api/v1/me/notification-subscriptions", { balance: { sms: true } });
    const clearing = await gatewayClearing(t);
    await transfer(clearing.id, quiet.id, 5_000n, "topup");
    await transfer(clearing.id, keen.id, 123_456_789n, "topup");

    await notifyAllBalanceChanges(t.ctx);
    expect((await inbox(quiet.ownerUserId)).map((n) => n.body)).toEqual(["充值 ¥50.00，余额 ¥50.00"]);
    expect(await texts(await phoneOf(quiet.ownerUserId))).toEqual([]);
    expect((await texts(await phoneOf(keen.ownerUserId))).map((m) => m.body)).toEqual([
      "【OpenCounter】充值成功：充值 ¥1,234,567.89，余额 ¥1,234,567.89",
    ]);
  });

  it("sends a merchant payment by SMS and e-mail to a customer subscribed to balance changes", async () => {
    await seedDemoMerchants(t.ctx);
    const keen = await fundedCustomer(t, 10_000n);
    const quiet = await fundedCustomer(t, 10_000n);
    await notifyAllBalanceChanges(t.ctx);
    const email = `${randomUUID()}@example.com`;
    await t.db
      .updateTable("users")
      .set({ email, email_verified_at: t.clock.now() })
      .where("id", "=", keen.user.id)
      .execute();
    const subscribed = await keen.client.put("/api/v1/me/notification-subscriptions", {
      balance: { sms: true, email: true },
    });
    expect(subscribed.statusCode).toBe(200);
    const shop = (await keen.client.get("/api/v1/wallet/merchants"))
      .json()
      .items.find((m: { name: string }) => m.name === "面包房 Bakery");
    await notifyAllBalanceChanges(t.ctx);
    for (const c of [keen, quiet]) {
      const paid = await c.client.post(
        "/api/v1/wallet/payments",
        { merchantId: shop.id, amount: 2_550, currency: "CNY", paymentPassword: PAYMENT_PASSWORD },
        { headers: { "idempotency-key": randomUUID() } },
      );
      expect(paid.statusCode, paid.body).toBe(201);
    }
    await notifyAllBalanceChanges(t.ctx);
    await notifyAllBalanceChanges(t.ctx);

    const outbox = (to: string) =>
      t.db
        .selectFrom("outbound_messages")
        .select(["channel", "subject", "body"])
        .where("destination", "=", to)
        .execute();
    expect(await outbox(keen.phone)).toEqual([
      {
        channel: "sms",
        subject: null,
        body: "【OpenCounter】付款成功：付款给面包房 Bakery ¥25.50，余额 ¥74.50",
      },
    ]);
    expect(await outbox(email)).toEqual([
      { channel: "email", subject: "付款成功", body: "付款给面包房 Bakery ¥25.50，余额 ¥74.50" },
    ]);
    expect(await outbox(quiet.phone)).toEqual([]);
    // The quiet payer's notice came with the payment (its entry marked), the keen one's from here.
    const marks = await t.db
      .selectFrom("ledger_entries")
      .innerJoin("ledger_accounts", "ledger_accounts.id", "ledger_entries.account_id")
      .select(["ledger_accounts.owner_user_id", "ledger_entries.noticed"])
      .where("ledger_accounts.owner_user_id", "in", [keen.user.id, quiet.user.id])
      .where("ledger_entries.amount", "<", 0n)
      .execute();
    expect(marks.map((m) => [m.owner_user_id, m.noticed]).sort()).toEqual(
      [
        [keen.user.id, false],
        [quiet.user.id, true],
      ].sort(),
    );
    // In the app each payer has one notice of the payment, not two.
    for (const c of [keen, quiet]) {
      const notices = await t.db
        .selectFrom("notifications")
        .select("title")
        .where("user_id", "=", c.user.id)
        .where("title", "=", "付款成功")
        .execute();
      expect(notices).toHaveLength(1);
    }
  });

  it("writes a payment's notice with the payment in the customer's language, the same text as here", async () => {
    await seedDemoMerchants(t.ctx);
    const payer = await fundedCustomer(t, 10_000n);
    await t.db
      .updateTable("users")
      .set({ preferences: JSON.stringify({ language: "en" }) })
      .where("id", "=", payer.user.id)
      .execute();
    await notifyAllBalanceChanges(t.ctx);
    const shop = (await payer.client.get("/api/v1/wallet/merchants"))
      .json()
      .items.find((m: { name: string }) => m.name === "面包房 Bakery");
    const paid = await payer.client.post(
      "/api/v1/wallet/payments",
      { merchantId: shop.id, amount: 1_234, currency: "CNY", paymentPassword: PAYMENT_PASSWORD },
      { headers: { "idempotency-key": randomUUID() } },
    );
    expect(paid.statusCode, paid.body).toBe(201);
    const told = async () =>
      (
        await t.db
          .selectFrom("notifications")
          .select(["kind", "title", "body"])
          .where("user_id", "=", payer.user.id)
          .where("kind", "=", "wallet.balance_changed")
          .execute()
      ).filter((n) => n.title === "Payment made");
    const fromBatch = await told();
    // What the loop would have written for that entry, had the batch left it.
    expect(fromBatch).toEqual([
      balanceNotice({
        type: "payment",
        amount: -1_234n,
        balanceAfter: 8_766n,
        currency: "CNY",
        counterparty: { kind: "merchant", merchantName: "面包房 Bakery", name: null, phone: null },
        preferences: { language: "en" },
      }),
    ]);
    expect(fromBatch[0]?.body).toBe("Payment to 面包房 Bakery ¥12.34, balance ¥87.66");
    await notifyAllBalanceChanges(t.ctx);
    expect(await told()).toEqual(fromBatch);
  });

  it("leaves a process from before migration 0025 no cursor to take, so it cannot notify an entry twice", async () => {
    // Such a process locks the row named 'balance' (and, finding none, sends nothing): it would
    // not skip the entries whose notice their payment batch wrote.
    const old = await sql<{ last_entry_id: bigint }>`
      select last_entry_id from money_notification_cursor where name = 'balance' for update skip locked`.execute(
      t.db,
    );
    expect(old.rows).toEqual([]);
    const current = await t.db.selectFrom("money_notification_cursor").select("name").execute();
    expect(current.map((r) => r.name)).toEqual(["balance-v2"]);
  });

  it("writes in English for a customer who chose English", async () => {
    const account = await customerAccount(t);
    await t.db
      .updateTable("users")
      .set({ preferences: JSON.stringify({ language: "en" }) })
      .where("id", "=", account.ownerUserId)
      .execute();
    await transfer((await gatewayClearing(t)).id, account.id, 99n, "topup");
    await notifyAllBalanceChanges(t.ctx);
    const payer = await customerAccount(t, 1_000n);
    await name(payer.ownerUserId, "李四");
    await notifyAllBalanceChanges(t.ctx);
    await transfer(payer.id, account.id, 1n);
    await notifyAllBalanceChanges(t.ctx);
    expect((await inbox(account.ownerUserId)).map((n) => [n.title, n.body])).toEqual([
      ["Top-up received", "Top-up ¥0.99, balance ¥0.99"],
      ["Transfer received", "Transfer from 李* ¥0.01, balance ¥1.00"],
    ]);
  });

  it("sends each notice once when two workers run at the same time", async () => {
    const clearing = await gatewayClearing(t);
    const customers = await Promise.all(Array.from({ length: 6 }, () => customerAccount(t)));
    await notifyAllBalanceChanges(t.ctx);
    for (const c of customers) await transfer(clearing.id, c.id, 100n, "topup");
    for (let i = 0; i < 5; i += 1) await transfer(customers[i]?.id ?? "", customers[i + 1]?.id ?? "", 50n);

    const runs = await Promise.all([
      notifyAllBalanceChanges(t.ctx, { batchSize: 3 }),
      notifyAllBalanceChanges(t.ctx, { batchSize: 3 }),
      notifyAllBalanceChanges(t.ctx, { batchSize: 3 }),
    ]);
    // Whoever lost the race for the cursor stops; a later run picks up whatever is left.
    const total = runs.reduce((a, b) => a + b, 0) + (await notifyAllBalanceChanges(t.ctx));
    expect(total).toBe(6 + 10);
    const counts = await Promise.all(customers.map(async (c) => (await inbox(c.ownerUserId)).length));
    expect(counts).toEqual([2, 3, 3, 3, 3, 2]);
  });

  it("covers every entry up to the newest in one run, a window of entry ids per transaction", async () => {
    const clearing = await gatewayClearing(t);
    const customers = await Promise.all(Array.from({ length: 4 }, () => customerAccount(t)));
    await notifyAllBalanceChanges(t.ctx);
    const before = await t.db
      .selectFrom("money_notification_cursor")
      .select("last_entry_id")
      .executeTakeFirstOrThrow();
    for (const c of customers) await transfer(clearing.id, c.id, 100n, "topup");
    for (let i = 0; i < 3; i += 1) await transfer(customers[i]?.id ?? "", customers[i + 1]?.id ?? "", 50n);

    // 14 entry ids (10 of them customers' entries) in windows of 3: one run, five transactions.
    const run = await notifyBalanceChanges(t.ctx, { batchSize: 3 });
    expect(run).toEqual({ outcome: "done", notified: 10, cursor: before.last_entry_id + 14n });
    const counts = await Promise.all(customers.map(async (c) => (await inbox(c.ownerUserId)).length));
    expect(counts).toEqual([2, 3, 3, 2]);
    expect(await notifyBalanceChanges(t.ctx, { batchSize: 3 })).toEqual({
      outcome: "done",
      notified: 0,
      cursor: before.last_entry_id + 14n,
    });
  });

  it("does not skip an entry whose transaction commits after a later one", async () => {
    const early = await customerAccount(t);
    const late = await customerAccount(t);
    const adjustments = await getOrCreateSystemAccount(
      t.ctx,
      systemAccountCode("adjustments", "CNY"),
      "CNY",
      "adjustments",
    );
    const clearing = await gatewayClearing(t);
    await notifyAllBalanceChanges(t.ctx);

    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let written = () => {};
    const wrote = new Promise<void>((resolve) => {
      written = resolve;
    });
    // The early transfer takes the lower entry ids but stays uncommitted while the late one commits.
    const slow = t.db.transaction().execute(async (tx) => {
      await postTransfer(
        { db: tx, clock: t.clock },
        {
          idempotencyKey: `test:${randomUUID()}`,
          type: "adjustment",
          debitAccountId: adjustments.id,
          creditAccountId: early.id,
          amount: 700n,
          currency: "CNY",
        },
      );
      written();
      await held;
    });
    await wrote;
    await transfer(clearing.id, late.id, 300n, "topup");

    expect(await notifyBalanceChanges(t.ctx, { settleTimeoutMs: 50 })).toEqual({ outcome: "waiting" });
    expect(await inbox(late.ownerUserId)).toEqual([]);
    release();
    await slow;
    expect(await notifyAllBalanceChanges(t.ctx)).toBe(2);
    expect((await inbox(early.ownerUserId)).map((n) => n.body)).toEqual(["调账转入 ¥7.00，余额 ¥7.00"]);
    expect((await inbox(late.ownerUserId)).map((n) => n.body)).toEqual(["充值 ¥3.00，余额 ¥3.00"]);
  });

  it("dates a notice by its money movement: a top-up noticed late lists below the payment after it", async () => {
    await seedDemoMerchants(t.ctx);
    const c = await fundedCustomer(t, 10_000n);
    await notifyAllBalanceChanges(t.ctx);
    const shop = (await c.client.get("/api/v1/wallet/merchants"))
      .json()
      .items.find((m: { name: string }) => m.name === "面包房 Bakery");
    // Money in, its notice not yet written; two minutes later a payment writes its own at once.
    const toppedUpAt = new Date(t.clock.now().getTime() + 60_000);
    t.clock.set(toppedUpAt);
    const gateway = await gatewayClearing(t);
    const wallet = await t.db
      .selectFrom("ledger_accounts")
      .select("id")
      .where("owner_user_id", "=", c.user.id)
      .executeTakeFirstOrThrow();
    await transfer(gateway.id, wallet.id, 5_000n, "topup");
    t.clock.advance(120_000);
    const paidAt = t.clock.now();
    const paid = await c.client.post(
      "/api/v1/wallet/payments",
      { merchantId: shop.id, amount: 1_000, currency: "CNY", paymentPassword: PAYMENT_PASSWORD },
      { headers: { "idempotency-key": randomUUID() } },
    );
    expect(paid.statusCode, paid.body).toBe(201);
    // The loop writes the top-up's notice only now, two minutes after the payment.
    t.clock.advance(120_000);
    await notifyAllBalanceChanges(t.ctx);

    const page = (await c.client.get("/api/v1/me/notifications?limit=100")).json() as {
      items: { title: string; createdAt: string }[];
    };
    const money = page.items.filter((n) => n.title === "付款成功" || n.title === "充值成功");
    expect(money.slice(0, 2)).toEqual([
      expect.objectContaining({ title: "付款成功", createdAt: paidAt.toISOString() }),
      expect.objectContaining({ title: "充值成功", createdAt: toppedUpAt.toISOString() }),
    ]);
  });

  it("formats amounts with thousands separators and the currency", () => {
    expect(formatMoney(0n, "CNY")).toBe("¥0.00");
    expect(formatMoney(100_000_00n, "CNY")).toBe("¥100,000.00");
    expect(formatMoney(-5n, "USD")).toBe("-USD 0.05");
  });
});

describe("the notice loop each server process runs", () => {
  it("tells the customer within moments of the money moving, without waiting for the minute's job", async () => {
    const payer = await customerAccount(t, 10_000n);
    const payee = await customerAccount(t, 0n);
    await notifyAllBalanceChanges(t.ctx);
    const loop = startBalanceNoticeLoop(t.ctx, { intervalMs: 20 });
    try {
      await transfer(payer.id, payee.id, 700n);
      // Generous: the loop runs every 20 ms; this only bounds a hang, it measures nothing.
      const deadline = Date.now() + 10_000;
      while ((await inbox(payee.ownerUserId)).length === 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
      }
      expect((await inbox(payee.ownerUserId)).map((n) => n.title)).toEqual(["收到转账"]);
    } finally {
      await loop.stop();
    }
    // Stopped means stopped: the next payment waits for whoever runs the notices next.
    await transfer(payer.id, payee.id, 100n);
    await new Promise((r) => setTimeout(r, 100));
    expect(await inbox(payee.ownerUserId)).toHaveLength(1);
  });
});

describe("the inbox's pages", () => {
  it("pages through notices of the same moment without skipping or repeating one", async () => {
    const c = await fundedCustomer(t, 0n);
    const at = new Date("2026-11-22T11:00:00Z");
    const items = [1, 2, 3, 4, 5].map((n) => ({
      userId: c.user.id,
      item: { kind: "test.same_moment", title: `第${n}条`, body: "同一时刻", at },
    }));
    await insertInboxItems(t.db, items);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `?limit=2&cursor=${encodeURIComponent(cursor)}` : "?limit=2";
      const res = await c.client.get(`/api/v1/me/notifications${query}`);
      expect(res.statusCode, res.body).toBe(200);
      const page = res.json() as { items: { kind: string; title: string }[]; nextCursor: string | null };
      seen.push(...page.items.filter((n) => n.kind === "test.same_moment").map((n) => n.title));
      cursor = page.nextCursor;
    } while (cursor);
    // Written in one statement in this order; the newest first, each once.
    expect(seen).toEqual(["第5条", "第4条", "第3条", "第2条", "第1条"]);
  });

  it("refuses a cursor it did not issue with 400 bad_request", async () => {
    const c = await fundedCustomer(t, 0n);
    for (const cursor of [
      "2026-11-22T11:00:00.000Z",
      "not-a-cursor",
      Buffer.from("[1,2]").toString("base64url"),
    ]) {
      const res = await c.client.get(`/api/v1/me/notifications?cursor=${encodeURIComponent(cursor)}`);
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ code: "bad_request" });
    }
  });
});
