import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../../test/harness.js";
import { failureFor, payoutBank, SETTLE_AFTER_MS, settleDueSandboxPayouts } from "./index.js";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

const CARD = "6222021000112233445";

describe("the sandbox bank", () => {
  it("accepts a payout once per order and settles it on its own clock", async () => {
    const bank = payoutBank(t.ctx);
    const order = { merchantOrderId: randomUUID(), amount: 10_000n, currency: "CNY", cardNumber: CARD };
    const first = await bank.submitPayout(order);
    const again = await bank.submitPayout(order);
    expect(again.payoutId).toBe(first.payoutId);
    expect(first).toMatchObject({ status: "accepted", amount: 10_000n, failureReason: null });

    t.clock.advance(SETTLE_AFTER_MS - 1_000);
    await settleDueSandboxPayouts(t.ctx);
    expect((await bank.queryPayout(first.payoutId))?.status).toBe("accepted");
    t.clock.advance(1_000);
    expect(await settleDueSandboxPayouts(t.ctx)).toBeGreaterThanOrEqual(1);
    expect(await bank.queryPayout(first.payoutId)).toMatchObject({
      status: "succeeded",
      failureReason: null,
    });
    // Settling again changes nothing.
    expect(await settleDueSandboxPayouts(t.ctx)).toBe(0);
  });

  it("fails the test amounts x.44 and x.45 with a reason, and keeps only the card's last four digits", async () => {
    expect(failureFor(12_344n)).toContain("冻结");
    expect(failureFor(100n)).toBeNull();
    const bank = payoutBank(t.ctx);
    const p = await bank.submitPayout({
      merchantOrderId: randomUUID(),
      amount: 545n,
      currency: "CNY",
      cardNumber: CARD,
    });
    t.clock.advance(SETTLE_AFTER_MS);
    await settleDueSandboxPayouts(t.ctx);
    expect(await bank.queryPayout(p.payoutId)).toMatchObject({
      status: "failed",
      failureReason: expect.stringContaining("不存在"),
    });
    const row = await t.db
      .selectFrom("sandbox_bank_payouts")
      .select("card_last4")
      .where("id", "=", p.payoutId)
      .executeTakeFirstOrThrow();
    expect(row.card_last4).toBe("3445");
  });

  it("refuses the same order with another amount, and does not know made-up payouts", async () => {
    const bank = payoutBank(t.ctx);
    const merchantOrderId = randomUUID();
    await bank.submitPayout({ merchantOrderId, amount: 100n, currency: "CNY", cardNumber: CARD });
    await expect(
      bank.submitPayout({ merchantOrderId, amount: 200n, currency: "CNY", cardNumber: CARD }),
    ).rejects.toMatchObject({ code: "conflict" });
    expect(await bank.queryPayout(randomUUID())).toBeNull();
    expect(await bank.queryPayout("not-an-id")).toBeNull();
  });

  it("is not available in production", () => {
    expect(() => payoutBank({ ...t.ctx, config: { ...t.ctx.config, env: "production" } })).toThrow();
  });
});
