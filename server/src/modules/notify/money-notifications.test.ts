import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { logIn } from "../../../test/factories.js";
import { createTestApp, type TestApp } from "../../../test/harness.js";
import { getOrCreateSystemAccount, postTransfer, systemAccountCode } from "../ledger/index.js";
import { customerAccount, gatewayClearing } from "../ledger/test-support.js";
import { formatMoney, notifyAllBalanceChanges, notifyBalanceChanges } from "./money-notifications.js";

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

async function transfer(from: string, to: string, amount: bigint, type: "transfer" | "topup" = "transfer") {
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
  it("tells payer and payee of a transfer once each, with the amount and the new balance", async () => {
    const payer = await customerAccount(t, 10_000n);
    const payee = await customerAccount(t, 4_444n);
    await notifyAllBalanceChanges(t.ctx);
    await transfer(payer.id, payee.id, 1_234n);

    expect(await notifyAllBalanceChanges(t.ctx)).toBe(2);
    expect((await inbox(payee.ownerUserId)).at(-1)).toEqual({
      kind: "wallet.balance_changed",
      title: "余额变动",
      body: "转入 ¥12.34，余额 ¥56.78",
    });
    expect((await inbox(payer.ownerUserId)).at(-1)?.body).toBe("转出 ¥12.34，余额 ¥87.66");
    expect(await notifyAllBalanceChanges(t.ctx)).toBe(0);
    expect(await inbox(payee.ownerUserId)).toHaveLength(2);
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
      "【OpenCounter】余额变动：充值 ¥1,234,567.89，余额 ¥1,234,567.89",
    ]);
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
    expect((await inbox(account.ownerUserId)).map((n) => [n.title, n.body])).toEqual([
      ["Balance change", "Top-up ¥0.99, balance ¥0.99"],
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

  it("formats amounts with thousands separators and the currency", () => {
    expect(formatMoney(0n, "CNY")).toBe("¥0.00");
    expect(formatMoney(100_000_00n, "CNY")).toBe("¥100,000.00");
    expect(formatMoney(-5n, "USD")).toBe("-USD 0.05");
  });
});
