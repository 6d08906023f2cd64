// Reconciliation stories: each test takes a fresh day (China time) so runs see only that day's
// payments. The sandbox gateway and a local Alipay stand-in provide the statements.
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCustomer, createStaff, type LoggedIn, logIn } from "../../../test/factories.js";
import { createTestApp, type TestApp, type TestClient } from "../../../test/harness.js";
import { AlipayStandIn, rsaKeyPair } from "../gateways/alipay/stand-in.js";
import { gatewayFor } from "../gateways/index.js";
import { createSandboxPayment, finishSandboxPayment } from "../gateways/sandbox/service.js";
import { getBalance, openAccount } from "../ledger/index.js";
import { settleTopup } from "../wallet/topups.js";
import { chinaDate, runReconciliation } from "./service.js";

const APP_ID = "2021000000000002";
const appKeys = rsaKeyPair();
let standIn: AlipayStandIn;
let t: TestApp;
let finance: LoggedIn;

beforeAll(async () => {
  standIn = new AlipayStandIn({ appId: APP_ID, appPublicKey: appKeys.publicKey, now: () => t.clock.now() });
  const gatewayUrl = await standIn.start();
  t = await createTestApp({
    alipay: {
      appId: APP_ID,
      privateKey: appKeys.privateKey,
      alipayPublicKey: standIn.keys.publicKey,
      gatewayUrl,
    },
  });
  finance = await createStaff(t, { roles: ["finance"] });
});
afterAll(async () => {
  await t.close();
  await standIn.stop();
});

/**
 * Moves the clock to the next morning and returns that day, so each story has a day of its own.
 * Finance logs in again: a day is longer than a staff session lasts.
 */
async function nextDay(): Promise<string> {
  t.clock.advance(24 * 3_600_000);
  finance = { ...finance, client: await logIn(t, finance.user.id) };
  return chinaDate(t.clock.now());
}

let keys = 0;
type Opened = { id: string; payUrl: string; paymentId: string };

async function openTopup(client: TestClient, amount: number, method: "sandbox" | "alipay" = "sandbox") {
  keys += 1;
  const res = await client.post(
    "/api/v1/wallet/topups",
    { amount, currency: "CNY", method },
    { headers: { "idempotency-key": `recon-${keys}` } },
  );
  expect(res.statusCode, res.body).toBe(201);
  const body = res.json() as { id: string; payUrl: string };
  const paymentId =
    method === "sandbox"
      ? (/\/sandbox-gateway\/pay\/([0-9a-f-]{36})$/.exec(body.payUrl)?.[1] ?? "")
      : body.id;
  return { ...body, paymentId } satisfies Opened;
}

/** The customer pays at the sandbox gateway; its notification is left undelivered. */
async function payAtSandbox(client: TestClient, topup: Opened) {
  const res = await client.post(`/sandbox-gateway/payments/${topup.paymentId}/pay`, {});
  expect(res.statusCode, res.body).toBe(200);
}

/** What a delivered notification does: the gateway's signed word, settled. */
async function notified(topup: Opened) {
  const report = await gatewayFor(t.ctx, "sandbox").queryPayment(topup.paymentId);
  if (!report) throw new Error("the sandbox does not know the payment");
  expect(await settleTopup(t.ctx, report)).toBe("credited");
}

async function balanceOf(userId: string): Promise<bigint> {
  const account = await openAccount(t.ctx, { ownerUserId: userId, currency: "CNY" });
  return (await getBalance(t.ctx, account.id)).balance;
}

async function creditsOf(topupId: string): Promise<number> {
  const rows = await t.db
    .selectFrom("ledger_transfers")
    .select("id")
    .where("idempotency_key", "=", `topup:${topupId}`)
    .execute();
  return rows.length;
}

type RunDetail = {
  id: string;
  status: string;
  matched: number;
  autoCredited: number;
  exceptions: number;
  matches: { topupId: string; outcome: string; amount: number; gateway: string }[];
  exceptionItems: {
    id: string;
    kind: string;
    topupId: string | null;
    gatewayAmount: number | null;
    ledgerAmount: number | null;
    status: string;
  }[];
};

async function startRun(date: string): Promise<RunDetail> {
  const res = await finance.client.post("/api/v1/console/reconciliation/runs", { date });
  expect(res.statusCode, res.body).toBe(201);
  const { id } = res.json() as { id: string };
  const detail = await finance.client.get(`/api/v1/console/reconciliation/runs/${id}`);
  expect(detail.statusCode, detail.body).toBe(200);
  return detail.json() as RunDetail;
}

describe("daily reconciliation against the gateways' statements", () => {
  it("matches every payment when the ledger credited each one", async () => {
    const day = await nextDay();
    const { user, client } = await createCustomer(t);
    const a = await openTopup(client, 1_000);
    const b = await openTopup(client, 2_500);
    for (const topup of [a, b]) {
      await payAtSandbox(client, topup);
      await notified(topup);
    }

    const run = await startRun(day);
    expect(run).toMatchObject({ status: "completed", matched: 2, autoCredited: 0, exceptions: 0 });
    expect(run.matches.map((m) => [m.topupId, m.outcome, m.amount]).sort()).toEqual(
      [
        [a.id, "matched", 1_000],
        [b.id, "matched", 2_500],
      ].sort(),
    );
    expect(await balanceOf(user.id)).toBe(3_500n);
  });

  it("credits a payment the gateway took but never told us about, once, however often it runs", async () => {
    const day = await nextDay();
    const { user, client } = await createCustomer(t);
    const topup = await openTopup(client, 6_600);
    await payAtSandbox(client, topup);
    expect(await balanceOf(user.id)).toBe(0n);

    const first = await startRun(day);
    expect(first).toMatchObject({ status: "completed", autoCredited: 1, matched: 0, exceptions: 0 });
    expect(first.matches).toEqual([expect.objectContaining({ topupId: topup.id, outcome: "auto_credited" })]);
    expect(await balanceOf(user.id)).toBe(6_600n);

    const second = await startRun(day);
    expect(second).toMatchObject({ autoCredited: 0, matched: 1, exceptions: 0 });
    // The notification that finally arrives changes nothing either.
    const report = await gatewayFor(t.ctx, "sandbox").queryPayment(topup.paymentId);
    if (!report) throw new Error("no report");
    expect(await settleTopup(t.ctx, report)).toBe("unchanged");

    expect(await balanceOf(user.id)).toBe(6_600n);
    expect(await creditsOf(topup.id)).toBe(1);
    const audit = await t.db
      .selectFrom("audit_log")
      .select(["actor_kind", "action"])
      .where("target_id", "=", topup.id)
      .execute();
    expect(audit).toEqual([{ actor_kind: "system", action: "reconciliation.auto_credited" }]);
  });

  it("credits once when two runs for the same day race each other", async () => {
    const day = await nextDay();
    const { user, client } = await createCustomer(t);
    const topups = [await openTopup(client, 300), await openTopup(client, 400), await openTopup(client, 500)];
    for (const topup of topups) await payAtSandbox(client, topup);

    const runs = await Promise.all([
      runReconciliation(t.ctx, { date: day, startedBy: null }),
      runReconciliation(t.ctx, { date: day, startedBy: null }),
      runReconciliation(t.ctx, { date: day, startedBy: null }),
    ]);
    expect(runs.map((r) => r.status)).toEqual(["completed", "completed", "completed"]);
    expect(runs.reduce((n, r) => n + r.autoCredited, 0)).toBe(3);
    expect(runs.reduce((n, r) => n + r.autoCredited + r.matched, 0)).toBe(9);
    expect(await balanceOf(user.id)).toBe(1_200n);
    for (const topup of topups) expect(await creditsOf(topup.id)).toBe(1);
  });

  it("reports a ledger credit the gateway's statement does not show as an exception", async () => {
    const day = await nextDay();
    const { client } = await createCustomer(t);
    const topup = await openTopup(client, 7_700);
    // Credited on a report the gateway never made (the payment is still open at the gateway).
    await settleTopup(t.ctx, {
      paymentId: topup.paymentId,
      merchantOrderId: topup.id,
      amount: 7_700n,
      currency: "CNY",
      status: "paid",
    });

    const run = await startRun(day);
    expect(run).toMatchObject({ status: "completed", exceptions: 1, matched: 0, autoCredited: 0 });
    expect(run.exceptionItems).toEqual([
      expect.objectContaining({
        kind: "ledger_only",
        topupId: topup.id,
        gatewayAmount: null,
        ledgerAmount: 7_700,
        status: "open",
      }),
    ]);
  });

  it("reports a payment for another amount than the top-up as an exception and credits nothing", async () => {
    const day = await nextDay();
    const { user, client } = await createCustomer(t);
    const topup = await openTopup(client, 5_000);
    await payAtSandbox(client, topup);
    await sql`update sandbox_gateway_payments set amount = 500 where id = ${topup.paymentId}`.execute(t.db);

    const run = await startRun(day);
    expect(run).toMatchObject({ exceptions: 1, autoCredited: 0, matched: 0 });
    expect(run.exceptionItems).toEqual([
      expect.objectContaining({ kind: "amount_mismatch", topupId: topup.id, gatewayAmount: 500 }),
    ]);
    expect(await balanceOf(user.id)).toBe(0n);
    expect(await creditsOf(topup.id)).toBe(0);
  });

  it("reports a payment for no top-up of ours", async () => {
    const day = await nextDay();
    const stranger = await createSandboxPayment(t.ctx, {
      merchantOrderId: crypto.randomUUID(),
      amount: 999n,
      currency: "CNY",
    });
    await finishSandboxPayment(t.ctx, stranger.id, "paid", () => false);

    const run = await startRun(day);
    expect(run.exceptionItems).toEqual([
      expect.objectContaining({ kind: "unknown_payment", topupId: null, gatewayAmount: 999 }),
    ]);
  });

  it("reconciles Alipay's downloaded trade bill too, crediting a trade whose notification never came", async () => {
    const day = await nextDay();
    const { user, client } = await createCustomer(t);
    const topup = await openTopup(client, 8_800, "alipay");
    expect((await fetch(topup.payUrl)).status).toBe(200);
    standIn.pay(topup.id);

    const run = await startRun(day);
    expect(run.matches).toEqual([
      expect.objectContaining({
        gateway: "alipay",
        topupId: topup.id,
        outcome: "auto_credited",
        amount: 8_800,
      }),
    ]);
    expect(
      standIn.requests.filter((r) => r.method === "alipay.data.dataservice.bill.downloadurl.query"),
    ).not.toEqual([]);
    expect(await balanceOf(user.id)).toBe(8_800n);
  });

  it("reports a refund in Alipay's bill as an exception: the payer got money back the wallet still holds", async () => {
    const day = await nextDay();
    const { user, client } = await createCustomer(t);
    const topup = await openTopup(client, 5_000, "alipay");
    expect((await fetch(topup.payUrl)).status).toBe(200);
    standIn.pay(topup.id);
    // Refunded in Alipay's own console the same day: OpenCounter never asked for it.
    standIn.refund(topup.id, "20.00");

    const run = await startRun(day);
    expect(run.matches).toEqual([
      expect.objectContaining({
        gateway: "alipay",
        topupId: topup.id,
        outcome: "auto_credited",
        amount: 5_000,
      }),
    ]);
    expect(run.exceptionItems).toEqual([
      expect.objectContaining({
        gateway: "alipay",
        kind: "gateway_refund",
        topupId: topup.id,
        gatewayAmount: 2_000,
        ledgerAmount: 5_000,
      }),
    ]);
    // Nothing moves by itself: finance decides (recover the money, or reverse the credit).
    expect(await balanceOf(user.id)).toBe(5_000n);
  });

  it("lets finance resolve an exception with a note, audited, and only once", async () => {
    const day = await nextDay();
    const { client } = await createCustomer(t);
    const topup = await openTopup(client, 100);
    await payAtSandbox(client, topup);
    await sql`update sandbox_gateway_payments set amount = 101 where id = ${topup.paymentId}`.execute(t.db);
    const run = await startRun(day);
    const item = run.exceptionItems[0];
    if (!item) throw new Error("no exception");

    const open = await finance.client.get("/api/v1/console/reconciliation/exceptions");
    expect((open.json() as { items: { id: string }[] }).items.map((x) => x.id)).toContain(item.id);

    const note = "支付宝侧多收 1 分，已联系渠道退回 / gateway refunded the extra fen";
    const resolved = await finance.client.post(
      `/api/v1/console/reconciliation/exceptions/${item.id}/resolve`,
      {
        note,
      },
    );
    expect(resolved.statusCode, resolved.body).toBe(200);
    expect(resolved.json()).toMatchObject({ status: "resolved", note, resolvedBy: finance.user.id });

    const again = await finance.client.post(`/api/v1/console/reconciliation/exceptions/${item.id}/resolve`, {
      note: "again",
    });
    expect(again.statusCode).toBe(409);
    const empty = await finance.client.post(`/api/v1/console/reconciliation/exceptions/${item.id}/resolve`, {
      note: "  ",
    });
    expect(empty.statusCode).toBe(400);

    const audit = await t.db
      .selectFrom("audit_log")
      .select(["actor_id", "actor_kind", "details"])
      .where("action", "=", "reconciliation.exception_resolved")
      .where("target_id", "=", item.id)
      .execute();
    expect(audit).toEqual([
      { actor_id: finance.user.id, actor_kind: "staff", details: expect.objectContaining({ note }) },
    ]);
    const stillOpen = await finance.client.get("/api/v1/console/reconciliation/exceptions");
    expect((stillOpen.json() as { items: { id: string }[] }).items.map((x) => x.id)).not.toContain(item.id);
  });

  it("lists runs newest first, refuses days that have not begun, and keeps other staff out", async () => {
    await nextDay();
    const tomorrow = chinaDate(new Date(t.clock.now().getTime() + 24 * 3_600_000));
    const future = await finance.client.post("/api/v1/console/reconciliation/runs", { date: tomorrow });
    expect(future.statusCode).toBe(400);
    const bad = await finance.client.post("/api/v1/console/reconciliation/runs", { date: "2026-02-30" });
    expect(bad.statusCode).toBe(400);

    const list = await finance.client.get("/api/v1/console/reconciliation/runs", { query: { limit: "2" } });
    expect(list.statusCode).toBe(200);
    const page = list.json() as { items: { startedAt: string }[]; nextCursor: string | null };
    expect(page.items).toHaveLength(2);
    expect(page.nextCursor).not.toBeNull();
    const next = await finance.client.get("/api/v1/console/reconciliation/runs", {
      query: { limit: "2", cursor: page.nextCursor ?? "" },
    });
    const nextPage = next.json() as { items: { startedAt: string }[] };
    expect((nextPage.items[0]?.startedAt ?? "") <= (page.items[1]?.startedAt ?? "")).toBe(true);

    const agent = await createStaff(t, { roles: ["agent"] });
    expect((await agent.client.get("/api/v1/console/reconciliation/runs")).statusCode).toBe(403);
  });
});
