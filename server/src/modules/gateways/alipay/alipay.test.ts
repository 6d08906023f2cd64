// Top-ups through Alipay, against a local stand-in that speaks Alipay's format: the app's
// requests are RSA2-signed with a key generated here, the stand-in answers and notifies with
// its own generated key, and the wallet is credited exactly once whatever the notifications do.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCustomer } from "../../../../test/factories.js";
import { createTestApp, type TestApp, type TestClient } from "../../../../test/harness.js";
import type { AlipayConfig } from "../../../config.js";
import { getBalance, openAccount } from "../../ledger/index.js";
import { runReconciliation } from "../../reconciliation/index.js";
import { settleStalePendingTopups } from "../../wallet/topups.js";
import { alipayGateway } from "./adapter.js";
import { type BillRow, billDetailLine, tradeBillZip } from "./bill-file.js";
import { NOTIFY_PATH } from "./protocol.js";
import { AlipayStandIn, rsaKeyPair, STAND_IN_PID } from "./stand-in.js";

const APP_ID = "2021000000000001";
const appKeys = rsaKeyPair();
let standIn: AlipayStandIn;
let alipay: AlipayConfig;
let t: TestApp;

beforeAll(async () => {
  standIn = new AlipayStandIn({ appId: APP_ID, appPublicKey: appKeys.publicKey, now: () => t.clock.now() });
  const gatewayUrl = await standIn.start();
  alipay = {
    appId: APP_ID,
    privateKey: appKeys.privateKey,
    alipayPublicKey: standIn.keys.publicKey,
    gatewayUrl,
  };
  t = await createTestApp({ alipay });
});
afterAll(async () => {
  await t.close();
  await standIn.stop();
});

let keys = 0;
async function openAlipayTopup(client: TestClient, amount: number) {
  keys += 1;
  const res = await client.post(
    "/api/v1/wallet/topups",
    { amount, currency: "CNY", method: "alipay" },
    { headers: { "idempotency-key": `alipay-test-${keys}` } },
  );
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: string; status: string; method: string; payUrl: string };
}

/** The customer's browser follows payUrl to the (stand-in) cashier, which opens the trade. */
async function visitCashier(payUrl: string): Promise<void> {
  const res = await fetch(payUrl);
  expect(res.status, await res.clone().text()).toBe(200);
}

/** Alipay posts a notification to our callback; returns what Alipay would read. */
async function deliver(body: string): Promise<{ status: number; body: string }> {
  const res = await t.app.inject({
    method: "POST",
    url: NOTIFY_PATH,
    headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
    payload: body,
  });
  return { status: res.statusCode, body: res.body };
}

async function balanceOf(userId: string): Promise<bigint> {
  const account = await openAccount(t.ctx, { ownerUserId: userId, currency: "CNY" });
  return (await getBalance(t.ctx, account.id)).balance;
}

/** Today in China time, as the stand-in dates its bills. */
function chinaDay(): string {
  return new Date(t.clock.now().getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
}

async function statusOf(client: TestClient, id: string): Promise<string> {
  return ((await client.get(`/api/v1/wallet/topups/${id}`)).json() as { status: string }).status;
}

describe("top-ups through Alipay (local stand-in)", () => {
  it("pays on Alipay's cashier, is notified, and credits the wallet once despite a duplicate notification", async () => {
    const { user, client } = await createCustomer(t);
    const topup = await openAlipayTopup(client, 8_850);
    expect(topup).toMatchObject({ status: "pending", method: "alipay" });
    const payUrl = new URL(topup.payUrl);
    expect(payUrl.origin + payUrl.pathname).toBe(alipay.gatewayUrl);
    expect(payUrl.searchParams.get("method")).toBe("alipay.trade.page.pay");
    expect(payUrl.searchParams.get("sign_type")).toBe("RSA2");

    await visitCashier(topup.payUrl);
    expect(standIn.requests.at(-1)).toEqual({ method: "alipay.trade.page.pay", signatureValid: true });
    expect(standIn.trades.get(topup.id)).toMatchObject({ totalAmount: "88.50", status: "WAIT_BUYER_PAY" });
    expect(standIn.trades.get(topup.id)?.notifyUrl).toMatch(/\/api\/v1\/gateways\/alipay\/notify$/);

    standIn.pay(topup.id);
    const notification = standIn.notification(topup.id);
    expect(await deliver(notification)).toEqual({ status: 200, body: "success" });
    expect(await deliver(notification)).toEqual({ status: 200, body: "success" });
    expect(await deliver(standIn.notification(topup.id))).toEqual({ status: 200, body: "success" });

    expect(await statusOf(client, topup.id)).toBe("succeeded");
    expect(await balanceOf(user.id)).toBe(8_850n);
  });

  it("ignores a late WAIT_BUYER_PAY or TRADE_CLOSED that arrives after the success", async () => {
    const { user, client } = await createCustomer(t);
    const topup = await openAlipayTopup(client, 1_000);
    await visitCashier(topup.payUrl);
    const waiting = standIn.notification(topup.id);
    standIn.pay(topup.id);
    const paid = standIn.notification(topup.id);
    const closed = standIn.notification(topup.id, { trade_status: "TRADE_CLOSED" });

    expect((await deliver(waiting)).body).toBe("success");
    expect(await statusOf(client, topup.id)).toBe("pending");
    expect((await deliver(paid)).body).toBe("success");
    expect((await deliver(waiting)).body).toBe("success");
    expect((await deliver(closed)).body).toBe("success");

    expect(await statusOf(client, topup.id)).toBe("succeeded");
    expect(await balanceOf(user.id)).toBe(1_000n);
  });

  it("credits once when ten copies of the notification arrive at the same moment", async () => {
    const { user, client } = await createCustomer(t);
    const topup = await openAlipayTopup(client, 2_000);
    await visitCashier(topup.payUrl);
    standIn.pay(topup.id);
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => deliver(standIn.notification(topup.id))),
    );
    expect(answers.map((a) => a.body)).toEqual(Array(10).fill("success"));
    expect(await balanceOf(user.id)).toBe(2_000n);
    const transfers = await t.db
      .selectFrom("ledger_transfers")
      .select("id")
      .where("idempotency_key", "=", `topup:${topup.id}`)
      .execute();
    expect(transfers).toHaveLength(1);
  });

  it("refuses notifications whose signature does not hold, and credits nothing", async () => {
    const { user, client } = await createCustomer(t);
    const topup = await openAlipayTopup(client, 5_000);
    await visitCashier(topup.payUrl);
    standIn.pay(topup.id);

    const tampered = standIn.notification(
      topup.id,
      { total_amount: "50000.00" },
      { signAfterOverrides: false },
    );
    const strangersKey = standIn.notification(topup.id, {}, { signingKey: rsaKeyPair().privateKey });
    const unsigned = new URLSearchParams(standIn.notification(topup.id));
    unsigned.delete("sign");
    const otherApp = standIn.notification(topup.id, { app_id: "2021000000009999" });

    for (const body of [tampered, strangersKey, unsigned.toString(), otherApp, "not a form"]) {
      expect(await deliver(body)).toEqual({ status: 401, body: "fail" });
    }
    expect(await statusOf(client, topup.id)).toBe("pending");
    expect(await balanceOf(user.id)).toBe(0n);
  });

  it("refuses a correctly signed notification for another amount than the top-up asked", async () => {
    const { user, client } = await createCustomer(t);
    const topup = await openAlipayTopup(client, 3_000);
    await visitCashier(topup.payUrl);
    standIn.pay(topup.id, { totalAmount: "0.30" });

    expect(await deliver(standIn.notification(topup.id))).toEqual({ status: 409, body: "fail" });
    t.clock.advance(11 * 60_000);
    const counts = await settleStalePendingTopups(t.ctx);
    expect(counts.refused).toBeGreaterThanOrEqual(1);
    expect(await statusOf(client, topup.id)).toBe("pending");
    expect(await balanceOf(user.id)).toBe(0n);
  });

  it("settles through alipay.trade.query when the notification never comes, once", async () => {
    const { user, client } = await createCustomer(t);
    const topup = await openAlipayTopup(client, 4_200);
    await visitCashier(topup.payUrl);
    standIn.pay(topup.id);

    t.clock.advance(11 * 60_000);
    const queriesBefore = standIn.requests.filter((r) => r.method === "alipay.trade.query").length;
    const first = await settleStalePendingTopups(t.ctx);
    expect(first.credited).toBe(1);
    expect(standIn.requests.filter((r) => r.method === "alipay.trade.query").length).toBeGreaterThan(
      queriesBefore,
    );
    expect(standIn.requests.at(-1)?.signatureValid).toBe(true);
    await settleStalePendingTopups(t.ctx);
    expect((await deliver(standIn.notification(topup.id))).body).toBe("success");

    expect(await statusOf(client, topup.id)).toBe("succeeded");
    expect(await balanceOf(user.id)).toBe(4_200n);
  });

  it("answers a query for a trade Alipay never opened with nothing, and a closed one as failed", async () => {
    const gateway = alipayGateway(t.ctx);
    expect(await gateway.queryPayment("00000000-0000-4000-8000-000000000000")).toBeNull();

    const { client } = await createCustomer(t);
    const topup = await openAlipayTopup(client, 700);
    await visitCashier(topup.payUrl);
    const trade = standIn.trades.get(topup.id);
    if (!trade) throw new Error("no trade");
    trade.status = "TRADE_CLOSED";
    expect(await gateway.queryPayment(topup.id)).toMatchObject({ status: "failed", amount: 700n });
    expect((await deliver(standIn.notification(topup.id))).body).toBe("success");
    expect(await statusOf(client, topup.id)).toBe("failed");
  });

  it("opens a QR payment through alipay.trade.precreate", async () => {
    const { client } = await createCustomer(t);
    const topup = await openAlipayTopup(client, 1_999);
    const qr = await alipayGateway(t.ctx).createQrPayment({ id: topup.id, amount: 1_999n, currency: "CNY" });
    expect(qr.paymentId).toBe(topup.id);
    expect(qr.qrCode).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/qr\//);
    expect(standIn.requests.at(-1)).toEqual({ method: "alipay.trade.precreate", signatureValid: true });
    expect(await alipayGateway(t.ctx).queryPayment(topup.id)).toMatchObject({
      status: "pending",
      amount: 1_999n,
    });
  });

  it("gives the customer a QR code for a pending Alipay top-up of theirs, paying the same trade", async () => {
    const { user, client } = await createCustomer(t);
    const topup = await openAlipayTopup(client, 2_468);
    const res = await client.post(`/api/v1/wallet/topups/${topup.id}/alipay-qr`, {});
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ topupId: topup.id, qrCode: expect.stringMatching(/\/qr\//) });
    expect(standIn.trades.get(topup.id)).toMatchObject({ totalAmount: "24.68", status: "WAIT_BUYER_PAY" });

    const stranger = await createCustomer(t);
    expect((await stranger.client.post(`/api/v1/wallet/topups/${topup.id}/alipay-qr`, {})).statusCode).toBe(
      404,
    );

    standIn.pay(topup.id);
    expect((await deliver(standIn.notification(topup.id))).body).toBe("success");
    expect(await balanceOf(user.id)).toBe(2_468n);
    expect((await client.post(`/api/v1/wallet/topups/${topup.id}/alipay-qr`, {})).statusCode).toBe(409);
  });

  it("is refused by Alipay when our request is signed with another key, and refuses answers not signed by Alipay", async () => {
    const wrongAppKey = alipayGateway({
      config: { ...t.ctx.config, alipay: { ...alipay, privateKey: rsaKeyPair().privateKey } },
    });
    await expect(wrongAppKey.queryPayment("00000000-0000-4000-8000-000000000001")).rejects.toMatchObject({
      code: "invalid_signature",
    });
    expect(standIn.requests.at(-1)).toEqual({ method: "alipay.trade.query", signatureValid: false });

    const wrongAlipayKey = alipayGateway({
      config: { ...t.ctx.config, alipay: { ...alipay, alipayPublicKey: rsaKeyPair().publicKey } },
    });
    await expect(wrongAlipayKey.queryPayment("00000000-0000-4000-8000-000000000001")).rejects.toMatchObject({
      code: "invalid_signature",
    });
  });

  it("downloads the day's bill as Alipay ships it (a zip of GBK CSV files): its trades and refunds", async () => {
    const { client } = await createCustomer(t);
    const topup = await openAlipayTopup(client, 12_345);
    await visitCashier(topup.payUrl);
    standIn.pay(topup.id);
    standIn.refund(topup.id, "10.05");
    const day = chinaDay();
    const bill = await alipayGateway(t.ctx).dailyBill(day);
    expect(bill.file).toBe(`${STAND_IN_PID}_${day.replaceAll("-", "")}_业务明细.csv`);
    expect(bill.trades).toContainEqual(
      expect.objectContaining({ outTradeNo: topup.id, amount: 12_345n, received: 12_345n }),
    );
    expect(bill.refunds).toContainEqual(
      expect.objectContaining({ outTradeNo: topup.id, amount: 1_005n, refundNo: expect.any(String) }),
    );
    const statement = await alipayGateway(t.ctx).dailyStatement(day);
    expect(statement).toContainEqual({
      paymentId: topup.id,
      merchantOrderId: topup.id,
      amount: 12_345n,
      currency: "CNY",
      status: "paid",
    });
    // The statement holds the trades; a refund is not a payment taken.
    expect(statement).toHaveLength(bill.trades.length);
  });

  it("refuses a bill with a malformed row as a whole: the run fails and credits nothing, then a good bill credits", async () => {
    const { user, client } = await createCustomer(t);
    const topup = await openAlipayTopup(client, 4_321);
    await visitCashier(topup.payUrl);
    // Paid at Alipay, but the notification never reached us: only the bill can credit it.
    standIn.pay(topup.id);
    const day = chinaDay();
    const good = standIn.billRows(day);
    const refund = good.find((r) => r.type === "退款") ?? {
      ...(good[0] as BillRow),
      type: "退款" as const,
      received: "-0.01",
      refundNo: "R-extra",
    };
    const broken = billDetailLine({ ...(good[0] as BillRow), outTradeNo: "x", orderAmount: "12.3.4" });
    // The malformed row comes after the good ones: a reader that used rows as it went would
    // already have credited the top-up above.
    standIn.billOverride = (date) =>
      tradeBillZip(STAND_IN_PID, date, [...good, refund], { extraLines: [broken] });
    try {
      const refused = alipayGateway(t.ctx).dailyStatement(day);
      await expect(refused).rejects.toMatchObject({ code: "validation_failed" });
      await expect(alipayGateway(t.ctx).dailyStatement(day)).rejects.toThrow(
        /业务明细\.csv line \d+: 订单金额（元） "12\.3\.4" is not an amount in yuan/,
      );
      await expect(runReconciliation(t.ctx, { date: day, startedBy: null })).rejects.toMatchObject({
        code: "validation_failed",
      });
      const failedRun = await t.db
        .selectFrom("reconciliation_runs")
        .select(["id", "status", "error"])
        .where("statement_date", "=", day)
        .orderBy("started_at", "desc")
        .executeTakeFirstOrThrow();
      expect(failedRun).toMatchObject({
        status: "failed",
        error: expect.stringContaining("is not an amount in yuan"),
      });
      expect(await statusOf(client, topup.id)).toBe("pending");
      expect(await balanceOf(user.id)).toBe(0n);
      const matches = await t.db
        .selectFrom("reconciliation_matches")
        .select("id")
        .where("run_id", "=", failedRun.id)
        .where("gateway", "=", "alipay")
        .execute();
      expect(matches).toEqual([]);
    } finally {
      standIn.billOverride = undefined;
    }

    const run = await runReconciliation(t.ctx, { date: day, startedBy: null });
    expect(run.status).toBe("completed");
    expect(await statusOf(client, topup.id)).toBe("succeeded");
    expect(await balanceOf(user.id)).toBe(4_321n);
    const match = await t.db
      .selectFrom("reconciliation_matches")
      .select("outcome")
      .where("run_id", "=", run.id)
      .where("topup_id", "=", topup.id)
      .executeTakeFirstOrThrow();
    expect(match.outcome).toBe("auto_credited");
  });
});

describe("without ALIPAY_* configured", () => {
  it("refuses the alipay method and Alipay notifications, and opens nothing", async () => {
    const bare = await createTestApp();
    try {
      const { user, client } = await createCustomer(bare);
      const res = await client.post(
        "/api/v1/wallet/topups",
        { amount: 100, currency: "CNY", method: "alipay" },
        { headers: { "idempotency-key": "alipay-unconfigured" } },
      );
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({ code: "not_available" });
      const rows = await bare.db.selectFrom("topups").select("id").where("user_id", "=", user.id).execute();
      expect(rows).toEqual([]);
      const notify = await bare.app.inject({
        method: "POST",
        url: NOTIFY_PATH,
        headers: { "content-type": "application/x-www-form-urlencoded" },
        payload: "out_trade_no=x&trade_status=TRADE_SUCCESS",
      });
      expect({ status: notify.statusCode, body: notify.body }).toEqual({ status: 503, body: "fail" });
    } finally {
      await bare.close();
    }
  });
});
