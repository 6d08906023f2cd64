// Top-ups through the sandbox gateway, end to end over HTTP: open, pay, be notified, be credited
// exactly once — whatever the notifications do.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCustomer, logIn } from "../../../test/factories.js";
import { createTestApp, type TestApp, type TestClient } from "../../../test/harness.js";
import { deliverDueNotifications, httpSender, type NotificationSender } from "../gateways/index.js";
import { NOTIFY_PATH } from "../gateways/sandbox/service.js";
import { SIGNATURE_HEADER, signMessage } from "../gateways/sandbox/signature.js";
import { getBalance, openAccount, verifyLedger } from "../ledger/index.js";
import { notifyAllBalanceChanges } from "../notify/index.js";
import { settleStalePendingTopups, TOPUP_PAY_WINDOW_MS } from "./topups.js";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

let keySequence = 0;
function freshKey(): string {
  keySequence += 1;
  return `topup-test-${keySequence}-${crypto.randomUUID()}`;
}

type Created = { id: string; status: string; payUrl: string; amount: number };

async function openTopup(client: TestClient, amount: number, key = freshKey()): Promise<Created> {
  const res = await client.post(
    "/api/v1/wallet/topups",
    { amount, currency: "CNY", method: "sandbox" },
    { headers: { "idempotency-key": key } },
  );
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as Created;
}

function paymentIdOf(topup: Created): string {
  const id = /\/sandbox-gateway\/pay\/([0-9a-f-]{36})$/.exec(topup.payUrl)?.[1];
  if (!id) throw new Error(`no payment id in ${topup.payUrl}`);
  return id;
}

/** Posts a notification to our callback as the gateway would, over the real HTTP stack. */
const toCallback: NotificationSender = async (body, signature) => {
  const res = await t.app.inject({
    method: "POST",
    url: NOTIFY_PATH,
    headers: { "content-type": "application/json", [SIGNATURE_HEADER]: signature },
    payload: body,
  });
  return res.statusCode;
};

async function balanceOfCustomer(userId: string): Promise<bigint> {
  const account = await openAccount(t.ctx, { ownerUserId: userId, currency: "CNY" });
  return (await getBalance(t.ctx, account.id)).balance;
}

async function statusOf(client: TestClient, id: string): Promise<string> {
  const res = await client.get(`/api/v1/wallet/topups/${id}`);
  expect(res.statusCode).toBe(200);
  return (res.json() as { status: string }).status;
}

function notificationBody(paymentId: string, topupId: string, amount: number, status: "paid" | "failed") {
  return JSON.stringify({
    paymentId,
    merchantOrderId: topupId,
    amount,
    currency: "CNY",
    status,
    paidAt: null,
  });
}

describe("top-ups through the sandbox gateway", () => {
  it("credits the wallet once after the customer pays and the gateway's notification arrives", async () => {
    const { user, client } = await createCustomer(t);
    const topup = await openTopup(client, 10_000);
    expect(topup.status).toBe("pending");
    expect(topup.payUrl).toMatch(/\/sandbox-gateway\/pay\/[0-9a-f-]{36}$/);

    const paid = await client.post(`/sandbox-gateway/payments/${paymentIdOf(topup)}/pay`, {});
    expect(paid.statusCode, paid.body).toBe(200);
    expect(await statusOf(client, topup.id)).toBe("pending");

    // Deliver everything due, including any late duplicate the gateway chose to send.
    t.clock.advance(11 * 60_000);
    await deliverDueNotifications(t.ctx, toCallback);
    t.clock.advance(11 * 60_000);
    await deliverDueNotifications(t.ctx, toCallback);

    expect(await statusOf(client, topup.id)).toBe("succeeded");
    expect(await balanceOfCustomer(user.id)).toBe(10_000n);
    // One notice of the credit, from the balance-change notices, however many notifications came.
    await notifyAllBalanceChanges(t.ctx);
    await notifyAllBalanceChanges(t.ctx);
    const inbox = (await client.get("/api/v1/me/notifications")).json() as {
      items: { kind: string; title: string; body: string }[];
    };
    expect(inbox.items.filter((n) => n.kind.startsWith("wallet."))).toEqual([
      expect.objectContaining({
        kind: "wallet.balance_changed",
        title: "充值成功",
        body: "充值 ¥100.00，余额 ¥100.00",
      }),
    ]);
    // The history says which channel the money came through.
    const history = (await client.get("/api/v1/wallet/transactions")).json();
    expect(history.items).toEqual([
      expect.objectContaining({ type: "topup", direction: "in", amount: 10_000, counterparty: "沙箱支付" }),
    ]);
  });

  it("opens one top-up when the same request is sent five times at once", async () => {
    const { user, client } = await createCustomer(t);
    const key = freshKey();
    const results = await Promise.all(Array.from({ length: 5 }, () => openTopup(client, 1_234, key)));
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    expect(new Set(results.map((r) => r.payUrl)).size).toBe(1);
    const rows = await t.db.selectFrom("topups").select("id").where("user_id", "=", user.id).execute();
    expect(rows).toHaveLength(1);
    const payments = await t.db
      .selectFrom("sandbox_gateway_payments")
      .select("id")
      .where("merchant_order_id", "=", results[0]?.id ?? "")
      .execute();
    expect(payments).toHaveLength(1);
  });

  it("is credited when the sandbox sends its notification over a real socket to the listening server", async () => {
    await t.app.listen({ port: 0, host: "127.0.0.1" });
    const address = t.app.server.address();
    if (!address || typeof address === "string") throw new Error("not listening on a port");
    const { user, client } = await createCustomer(t);
    const topup = await openTopup(client, 6_600);
    await client.post(`/sandbox-gateway/payments/${paymentIdOf(topup)}/pay`, {});
    t.clock.advance(11 * 60_000);
    const sent = await deliverDueNotifications(t.ctx, httpSender(`http://127.0.0.1:${address.port}`));
    expect(sent.failed).toBe(0);
    expect(await statusOf(client, topup.id)).toBe("succeeded");
    expect(await balanceOfCustomer(user.id)).toBe(6_600n);
  });

  it("returns the same top-up for the same Idempotency-Key and refuses the key for another amount", async () => {
    const { client } = await createCustomer(t);
    const key = freshKey();
    const first = await openTopup(client, 2_500, key);
    const again = await openTopup(client, 2_500, key);
    expect(again.id).toBe(first.id);
    expect(again.payUrl).toBe(first.payUrl);

    const other = await client.post(
      "/api/v1/wallet/topups",
      { amount: 9_900, currency: "CNY", method: "sandbox" },
      { headers: { "idempotency-key": key } },
    );
    expect(other.statusCode).toBe(409);
    expect(other.json().code).toBe("idempotency_conflict");

    // The same key from another customer is another top-up.
    const { client: stranger } = await createCustomer(t);
    const theirs = await openTopup(stranger, 2_500, key);
    expect(theirs.id).not.toBe(first.id);
    expect((await stranger.get(`/api/v1/wallet/topups/${first.id}`)).statusCode).toBe(404);
  });

  it("refuses bad top-up requests with a stable code and writes nothing", async () => {
    const { user, client } = await createCustomer(t);
    const good = { amount: 100, currency: "CNY", method: "sandbox" };
    const cases: { body: unknown; key?: string; code: string }[] = [
      { body: good, code: "validation_failed" }, // no Idempotency-Key
      { body: good, key: "x".repeat(101), code: "validation_failed" },
      { body: good, key: "has space", code: "validation_failed" },
      { body: { ...good, amount: 0 }, code: "validation_failed" },
      { body: { ...good, amount: -5 }, code: "validation_failed" },
      { body: { ...good, amount: 1.5 }, code: "validation_failed" },
      { body: { ...good, amount: "100" }, code: "validation_failed" },
      { body: { ...good, amount: 5_000_001 }, code: "validation_failed" },
      { body: { ...good, amount: 2 ** 60 }, code: "validation_failed" },
      { body: { ...good, currency: "USD" }, code: "validation_failed" },
      { body: { ...good, method: "wechat" }, code: "validation_failed" },
      { body: { ...good, extra: true }, code: "validation_failed" },
      { body: {}, code: "validation_failed" },
    ];
    for (const c of cases) {
      const headers: Record<string, string> = c.key === undefined ? {} : { "idempotency-key": c.key };
      if (c.key === undefined && c.body !== good) headers["idempotency-key"] = freshKey();
      const res = await client.post("/api/v1/wallet/topups", c.body, { headers });
      expect(res.statusCode, JSON.stringify(c)).toBe(400);
      expect(String(res.headers["content-type"])).toContain("application/problem+json");
      expect(res.json().code).toBe(c.code);
    }
    const rows = await t.db.selectFrom("topups").select("id").where("user_id", "=", user.id).execute();
    expect(rows).toEqual([]);
    expect((await client.get("/api/v1/wallet/topups/not-a-uuid")).statusCode).toBe(404);
  });

  it("marks the top-up failed and credits nothing when the customer fails the payment", async () => {
    const { user, client } = await createCustomer(t);
    // Subscribed to money notices by SMS: the failure is told there too.
    expect(
      (await client.put("/api/v1/me/notification-subscriptions", { balance: { sms: true } })).statusCode,
    ).toBe(200);
    const topup = await openTopup(client, 7_700);
    const failed = await client.post(`/sandbox-gateway/payments/${paymentIdOf(topup)}/fail`, {});
    expect(failed.statusCode).toBe(200);
    expect(failed.json().status).toBe("failed");
    // A failed payment cannot be paid afterwards.
    const pay = await client.post(`/sandbox-gateway/payments/${paymentIdOf(topup)}/pay`, {});
    expect(pay.statusCode).toBe(409);

    t.clock.advance(11 * 60_000);
    await deliverDueNotifications(t.ctx, toCallback);
    expect(await statusOf(client, topup.id)).toBe("failed");
    expect(await balanceOfCustomer(user.id)).toBe(0n);
    await notifyAllBalanceChanges(t.ctx);
    const inbox = (await client.get("/api/v1/me/notifications")).json() as {
      items: { kind: string; body: string }[];
    };
    expect(inbox.items.filter((n) => n.kind.startsWith("wallet."))).toEqual([
      expect.objectContaining({
        kind: "wallet.topup_failed",
        body: "您的 ¥77.00 充值未成功，余额没有变化。",
      }),
    ]);
    const texts = await t.db
      .selectFrom("outbound_messages")
      .select("body")
      .where("destination", "=", user.phone ?? "")
      .where("channel", "=", "sms")
      .execute();
    expect(texts.map((m) => m.body)).toEqual([
      "【OpenCounter】充值未成功：您的 ¥77.00 充值未成功，余额没有变化。",
    ]);
  });

  it("refuses a notification with a bad signature with 401 and changes nothing", async () => {
    const { user, client } = await createCustomer(t);
    const topup = await openTopup(client, 4_200);
    const body = notificationBody(paymentIdOf(topup), topup.id, 4_200, "paid");
    const forged = [
      undefined,
      "",
      "t=1,v1=abc",
      `t=1,v1=${"0".repeat(64)}`,
      signMessage(t.ctx.crypto, body.replace("4200", "4201"), t.clock.now()),
    ];
    for (const signature of forged) {
      const res = await t.app.inject({
        method: "POST",
        url: NOTIFY_PATH,
        headers: {
          "content-type": "application/json",
          ...(signature === undefined ? {} : { [SIGNATURE_HEADER]: signature }),
        },
        payload: body,
      });
      expect(res.statusCode).toBe(401);
      expect(res.json().code).toBe("invalid_signature");
    }
    // A correctly signed notification whose amount disagrees with the top-up is refused too.
    const wrongAmount = notificationBody(paymentIdOf(topup), topup.id, 1, "paid");
    expect(await toCallback(wrongAmount, signMessage(t.ctx.crypto, wrongAmount, t.clock.now()))).toBe(409);
    expect(await statusOf(client, topup.id)).toBe("pending");
    expect(await balanceOfCustomer(user.id)).toBe(0n);
  });

  it("answers a signed notification it cannot use with a stable code and changes nothing", async () => {
    const { user, client } = await createCustomer(t);
    const topup = await openTopup(client, 800);
    const signed = (body: string) => signMessage(t.ctx.crypto, body, t.clock.now());
    const send = (body: string, signature = signed(body)) =>
      t.app.inject({
        method: "POST",
        url: NOTIFY_PATH,
        headers: { "content-type": "application/json", [SIGNATURE_HEADER]: signature },
        payload: body,
      });
    const cases: { body: string; status: number; code: string }[] = [
      { body: "not json", status: 400, code: "bad_request" },
      { body: "{}", status: 400, code: "validation_failed" },
      {
        body: JSON.stringify({
          paymentId: 1,
          merchantOrderId: topup.id,
          amount: 800,
          currency: "CNY",
          status: "paid",
        }),
        status: 400,
        code: "validation_failed",
      },
      {
        body: notificationBody(paymentIdOf(topup), topup.id, 800, "paid").replace('"paid"', '"refunded"'),
        status: 400,
        code: "validation_failed",
      },
      {
        body: notificationBody(paymentIdOf(topup), crypto.randomUUID(), 800, "paid"),
        status: 404,
        code: "not_found",
      },
      {
        body: notificationBody(paymentIdOf(topup), "not-an-id", 800, "paid"),
        status: 404,
        code: "not_found",
      },
      { body: notificationBody(crypto.randomUUID(), topup.id, 800, "paid"), status: 409, code: "conflict" },
      { body: `{"pad":"${"x".repeat(20_000)}"}`, status: 413, code: "payload_too_large" },
    ];
    for (const c of cases) {
      const res = await send(c.body);
      expect(res.statusCode, c.body.slice(0, 80)).toBe(c.status);
      expect(res.json().code).toBe(c.code);
    }
    expect(await statusOf(client, topup.id)).toBe("pending");
    expect(await balanceOfCustomer(user.id)).toBe(0n);
  });

  it("credits each of 20 top-ups exactly once under a parallel storm of 280 duplicate, late, reordered and forged notifications", async () => {
    const customers = await Promise.all(Array.from({ length: 5 }, () => createCustomer(t)));
    const topups: { userId: string; topup: Created; outcome: "paid" | "failed" }[] = [];
    for (let i = 0; i < 20; i++) {
      const c = customers[i % customers.length];
      if (!c) throw new Error("no customer");
      const topup = await openTopup(c.client, 1_000 + i);
      const outcome = i % 5 === 4 ? "failed" : "paid";
      await c.client.post(
        `/sandbox-gateway/payments/${paymentIdOf(topup)}/${outcome === "paid" ? "pay" : "fail"}`,
        {},
      );
      topups.push({ userId: c.user.id, topup, outcome });
    }
    const storm: { body: string; signature: string }[] = [];
    for (const { topup, outcome } of topups) {
      const pid = paymentIdOf(topup);
      for (let copy = 0; copy < 12; copy++) {
        // Copies of the truth, contradictions arriving after it, and forgeries.
        const status = copy % 4 === 3 ? (outcome === "paid" ? "failed" : "paid") : outcome;
        const body = notificationBody(pid, topup.id, topup.amount, status);
        const forged = copy % 6 === 5;
        const signature = forged
          ? `t=1,v1=${"ab".repeat(32)}`
          : signMessage(t.ctx.crypto, body, t.clock.now());
        // A validly signed contradiction is only sent once the truth has landed (below).
        if (!forged && status !== outcome) continue;
        storm.push({ body, signature });
      }
    }
    const contradictions = topups.map(({ topup, outcome }) => {
      const body = notificationBody(
        paymentIdOf(topup),
        topup.id,
        topup.amount,
        outcome === "paid" ? "failed" : "paid",
      );
      return { body, signature: signMessage(t.ctx.crypto, body, t.clock.now()) };
    });
    // Shuffle deterministically so each top-up's copies interleave with the others'.
    const shuffled = storm
      .map((n, i) => ({ n, order: (i * 7919) % storm.length }))
      .sort((a, b) => a.order - b.order)
      .map((x) => x.n);
    const all = [...shuffled, ...shuffled.slice(0, 60)];
    expect(all.length + contradictions.length).toBe(280);

    const statuses = await Promise.all(all.map((n) => toCallback(n.body, n.signature)));
    expect(new Set(statuses)).toEqual(new Set([200, 401]));
    // After the truth has landed, valid-looking contradictions change nothing.
    const late = await Promise.all(contradictions.map((n) => toCallback(n.body, n.signature)));
    expect(late.every((s) => s === 200)).toBe(true);

    const transfers = await t.db
      .selectFrom("ledger_transfers")
      .select(["idempotency_key"])
      .where("type", "=", "topup")
      .where(
        "idempotency_key",
        "in",
        topups.map(({ topup }) => `topup:${topup.id}`),
      )
      .execute();
    const paid = topups.filter((x) => x.outcome === "paid");
    expect(transfers.length).toBe(paid.length);
    for (const { topup, outcome } of topups) {
      const row = await t.db
        .selectFrom("topups")
        .select("status")
        .where("id", "=", topup.id)
        .executeTakeFirstOrThrow();
      expect(row.status).toBe(outcome === "paid" ? "succeeded" : "failed");
    }
    for (const c of customers) {
      const expected = paid
        .filter((x) => x.userId === c.user.id)
        .reduce((s, x) => s + BigInt(x.topup.amount), 0n);
      expect(await balanceOfCustomer(c.user.id)).toBe(expected);
    }
    const verification = await verifyLedger(t.db);
    expect(verification.problems).toEqual([]);
    expect(verification.ok).toBe(true);
  });

  it("settles a paid top-up whose notification never came when the pending-query job asks the gateway", async () => {
    const { user, client } = await createCustomer(t);
    const topup = await openTopup(client, 3_300);
    await client.post(`/sandbox-gateway/payments/${paymentIdOf(topup)}/pay`, {});
    // The notifications are lost: the outbox is emptied as if every send had gone astray.
    await t.db
      .deleteFrom("sandbox_gateway_notifications")
      .where("payment_id", "=", paymentIdOf(topup))
      .execute();

    // Too early: the job leaves young top-ups to their notifications.
    const early = await settleStalePendingTopups(t.ctx, { olderThanMs: 10 * 60_000 });
    expect(early.credited).toBe(0);
    expect(await statusOf(client, topup.id)).toBe("pending");

    t.clock.advance(10 * 60_000 + 1);
    const later = await settleStalePendingTopups(t.ctx, { olderThanMs: 10 * 60_000 });
    expect(later.credited).toBeGreaterThanOrEqual(1);
    expect(await statusOf(client, topup.id)).toBe("succeeded");
    expect(await balanceOfCustomer(user.id)).toBe(3_300n);

    // A second run, and a notification arriving after all, change nothing.
    await settleStalePendingTopups(t.ctx, { olderThanMs: 10 * 60_000 });
    const body = notificationBody(paymentIdOf(topup), topup.id, 3_300, "paid");
    expect(await toCallback(body, signMessage(t.ctx.crypto, body, t.clock.now()))).toBe(200);
    expect(await balanceOfCustomer(user.id)).toBe(3_300n);
  });

  it("leaves an unpaid top-up pending when the job asks, and fails one the gateway failed", async () => {
    const { client } = await createCustomer(t);
    const unpaid = await openTopup(client, 500);
    const failed = await openTopup(client, 600);
    await client.post(`/sandbox-gateway/payments/${paymentIdOf(failed)}/fail`, {});
    await t.db
      .deleteFrom("sandbox_gateway_notifications")
      .where("payment_id", "=", paymentIdOf(failed))
      .execute();
    t.clock.advance(10 * 60_000 + 1);
    await settleStalePendingTopups(t.ctx, { olderThanMs: 10 * 60_000 });
    expect(await statusOf(client, unpaid.id)).toBe("pending");
    expect(await statusOf(client, failed.id)).toBe("failed");
  });

  it("closes a top-up never paid within two hours, so the old pay page cannot take money any more", async () => {
    const { user, client } = await createCustomer(t);
    const unpaid = await openTopup(client, 700);
    const paidLate = await openTopup(client, 800);

    t.clock.advance(TOPUP_PAY_WINDOW_MS - 60_000);
    // Inside the window an unpaid top-up is left alone.
    await settleStalePendingTopups(t.ctx, { olderThanMs: 10 * 60_000 });
    const meanwhile = await logIn(t, user.id);
    expect(await statusOf(meanwhile, unpaid.id)).toBe("pending");
    // The customer pays one of them at the last minute; its notification is lost.
    expect(
      (await meanwhile.post(`/sandbox-gateway/payments/${paymentIdOf(paidLate)}/pay`, {})).statusCode,
    ).toBe(200);
    await t.db
      .deleteFrom("sandbox_gateway_notifications")
      .where("payment_id", "=", paymentIdOf(paidLate))
      .execute();

    t.clock.advance(2 * 60_000);
    await settleStalePendingTopups(t.ctx, { olderThanMs: 10 * 60_000 });
    const after = await logIn(t, user.id);
    expect(await statusOf(after, unpaid.id)).toBe("failed");
    expect(await statusOf(after, paidLate.id)).toBe("succeeded");
    // The closed payment refuses to be paid now; nothing is taken that we would not credit.
    const refused = await after.post(`/sandbox-gateway/payments/${paymentIdOf(unpaid)}/pay`, {});
    expect(refused.statusCode).toBe(409);
    expect(await balanceOfCustomer(user.id)).toBe(800n);
    expect((await verifyLedger(t.db)).ok).toBe(true);
  });
});
