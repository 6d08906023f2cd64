// The sandbox gateway as a provider: its pay page, its script calls, its signed answers and its
// notification outbox, through the real HTTP stack.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCustomer } from "../../../../test/factories.js";
import { createTestApp, type TestApp } from "../../../../test/harness.js";
import { sandboxGateway } from "./adapter.js";
import { createSandboxPayment, deliverDueNotifications, finishSandboxPayment } from "./service.js";
import { formToken, SIGNATURE_HEADER, signatureHolds } from "./signature.js";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

async function newPayment(amount = 12_345) {
  return createSandboxPayment(t.ctx, {
    merchantOrderId: crypto.randomUUID(),
    amount: BigInt(amount),
    currency: "CNY",
  });
}

function formPost(paymentId: string, fields: Record<string, string>) {
  return t.app.inject({
    method: "POST",
    url: `/sandbox-gateway/pay/${paymentId}`,
    headers: { "content-type": "application/x-www-form-urlencoded" },
    payload: new URLSearchParams(fields).toString(),
  });
}

async function paymentStatus(id: string): Promise<string> {
  const row = await t.db
    .selectFrom("sandbox_gateway_payments")
    .select("status")
    .where("id", "=", id)
    .executeTakeFirstOrThrow();
  return row.status;
}

describe("the sandbox pay page", () => {
  it("shows the amount in both languages with a heading and two labelled buttons", async () => {
    const p = await newPayment(12_345);
    const res = await t.client().get(`/sandbox-gateway/pay/${p.id}`);
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toContain("text/html");
    const html = res.body;
    expect(html).toMatch(/<html lang="zh-CN">/);
    expect(html).toMatch(/<h1>[^<]*沙箱支付/);
    expect(html).toContain("¥123.45");
    expect(html).toMatch(/<button[^>]*aria-label="支付 Pay"[^>]*>支付/);
    expect(html).toMatch(/<button[^>]*aria-label="失败 Fail"[^>]*>失败/);
    expect(html).toContain(`name="formToken" value="${formToken(t.ctx.crypto, p.id)}"`);
  });

  it("pays through the form with the page's token, then shows the payment as paid without buttons", async () => {
    const p = await newPayment();
    const res = await formPost(p.id, { formToken: formToken(t.ctx.crypto, p.id), outcome: "paid" });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/sandbox-gateway/pay/${p.id}`);
    expect(await paymentStatus(p.id)).toBe("paid");
    const page = await t.client().get(`/sandbox-gateway/pay/${p.id}`);
    expect(page.body).toContain("已支付");
    expect(page.body).not.toContain("<form");
  });

  it("refuses a form post without the payment's own token and leaves the payment open", async () => {
    const p = await newPayment();
    const other = await newPayment();
    for (const token of ["", "x".repeat(64), formToken(t.ctx.crypto, other.id)]) {
      const res = await formPost(p.id, { formToken: token, outcome: "paid" });
      expect(res.statusCode).toBe(403);
      expect(res.json().code).toBe("csrf_failed");
    }
    const bad = await formPost(p.id, { formToken: formToken(t.ctx.crypto, p.id), outcome: "stolen" });
    expect(bad.statusCode).toBe(400);
    expect(await paymentStatus(p.id)).toBe("created");
  });

  it("answers 404 problem+json for a payment it does not know", async () => {
    const res = await t.client().get(`/sandbox-gateway/pay/${crypto.randomUUID()}`);
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe("not_found");
    expect((await t.client().get("/sandbox-gateway/pay/not-a-uuid")).statusCode).toBe(404);
  });
});

describe("the sandbox script and query API", () => {
  it("only accepts JSON for script calls, so a cross-site form cannot pay", async () => {
    const p = await newPayment();
    const res = await t.app.inject({
      method: "POST",
      url: `/sandbox-gateway/payments/${p.id}/pay`,
      headers: { "content-type": "text/plain" },
      payload: "{}",
    });
    expect(res.statusCode).toBe(400);
    const form = await t.app.inject({
      method: "POST",
      url: `/sandbox-gateway/payments/${p.id}/pay`,
      headers: { "content-type": "application/x-www-form-urlencoded" },
      payload: "",
    });
    expect(form.statusCode).toBe(400);
    expect(await paymentStatus(p.id)).toBe("created");
    const json = await t.client().post(`/sandbox-gateway/payments/${p.id}/pay`, {});
    expect(json.statusCode).toBe(200);
    // Paying twice is harmless; failing a paid payment is a conflict.
    expect((await t.client().post(`/sandbox-gateway/payments/${p.id}/pay`, {})).statusCode).toBe(200);
    expect((await t.client().post(`/sandbox-gateway/payments/${p.id}/fail`, {})).statusCode).toBe(409);
  });

  it("signs its query answers, and the adapter reads them", async () => {
    const p = await newPayment(500);
    await finishSandboxPayment(t.ctx, p.id, "paid", () => false);
    const res = await t.client().get(`/sandbox-gateway/payments/${p.id}`);
    expect(res.statusCode).toBe(200);
    expect(signatureHolds(t.ctx.crypto, res.body, res.headers[SIGNATURE_HEADER])).toBe(true);
    expect(signatureHolds(t.ctx.crypto, res.body.replace("500", "501"), res.headers[SIGNATURE_HEADER])).toBe(
      false,
    );
    expect(res.json()).toMatchObject({ paymentId: p.id, amount: 500, currency: "CNY", status: "paid" });

    const report = await sandboxGateway(t.ctx).queryPayment(p.id);
    expect(report).toMatchObject({ paymentId: p.id, amount: 500n, status: "paid" });
    expect(await sandboxGateway(t.ctx).queryPayment(crypto.randomUUID())).toBeNull();
  });

  it("lists the day's paid payments, in China time, in a signed statement", async () => {
    // 2026-11-22T02:00Z is 10:00 in Beijing on the 22nd.
    t.clock.set(new Date("2026-11-22T02:00:00Z"));
    const paid = await newPayment(1_111);
    const failed = await newPayment(2_222);
    await finishSandboxPayment(t.ctx, paid.id, "paid", () => false);
    await finishSandboxPayment(t.ctx, failed.id, "failed", () => false);
    const res = await t.client().get("/sandbox-gateway/statements/2026-11-22");
    expect(res.statusCode).toBe(200);
    expect(signatureHolds(t.ctx.crypto, res.body, res.headers[SIGNATURE_HEADER])).toBe(true);
    const statement = res.json() as { payments: { paymentId: string }[]; total: number; count: number };
    const ids = statement.payments.map((x) => x.paymentId);
    expect(ids).toContain(paid.id);
    expect(ids).not.toContain(failed.id);
    expect(statement.count).toBe(ids.length);
    const other = await t.client().get("/sandbox-gateway/statements/2026-11-21");
    expect(
      (other.json() as { payments: { paymentId: string }[] }).payments.map((x) => x.paymentId),
    ).not.toContain(paid.id);
    expect((await t.client().get("/sandbox-gateway/statements/22-11-2026")).statusCode).toBe(400);
  });
});

describe("the sandbox notification outbox", () => {
  it("retries a notification the merchant did not accept, later, until it is accepted, then stops", async () => {
    const p = await newPayment(900);
    await finishSandboxPayment(t.ctx, p.id, "paid", () => false);
    const seen: string[] = [];
    const down = async (body: string) => {
      seen.push(body);
      return 503;
    };
    const mine = (body: string) => body.includes(p.id);
    const first = await deliverDueNotifications(t.ctx, down);
    expect(first.failed).toBeGreaterThanOrEqual(1);
    // Not due again yet: backing off.
    const seenBefore = seen.filter(mine).length;
    await deliverDueNotifications(t.ctx, down);
    expect(seen.filter(mine).length).toBe(seenBefore);

    t.clock.advance(2 * 60_000 + 1);
    const received: { body: string; signature: string }[] = [];
    await deliverDueNotifications(t.ctx, async (body, signature) => {
      received.push({ body, signature });
      return 200;
    });
    const ours = received.filter((r) => mine(r.body));
    expect(ours).toHaveLength(1);
    const report = sandboxGateway(t.ctx).verifyNotification(Buffer.from(ours[0]?.body ?? ""), {
      [SIGNATURE_HEADER]: ours[0]?.signature,
    });
    expect(report).toMatchObject({ paymentId: p.id, amount: 900n, status: "paid" });

    t.clock.advance(120 * 60_000);
    const after: string[] = [];
    await deliverDueNotifications(t.ctx, async (body) => {
      after.push(body);
      return 200;
    });
    expect(after.filter(mine)).toEqual([]);
  });

  it("sometimes sends a notification twice, the copy late", async () => {
    const p = await newPayment(800);
    await finishSandboxPayment(t.ctx, p.id, "paid", () => true);
    const rows = await t.db
      .selectFrom("sandbox_gateway_notifications")
      .select(["body", "next_attempt_at"])
      .where("payment_id", "=", p.id)
      .orderBy("next_attempt_at")
      .execute();
    expect(rows).toHaveLength(2);
    expect(rows[0]?.body).toBe(rows[1]?.body);
    expect(
      (rows[1]?.next_attempt_at.getTime() ?? 0) - (rows[0]?.next_attempt_at.getTime() ?? 0),
    ).toBeGreaterThan(0);
  });

  it("refuses a notification whose signature does not hold, before reading it", () => {
    const gateway = sandboxGateway(t.ctx);
    expect(() => gateway.verifyNotification(Buffer.from("{}"), {})).toThrow(/signature/);
    expect(() =>
      gateway.verifyNotification(Buffer.from("not json"), { [SIGNATURE_HEADER]: `t=1,v1=${"0".repeat(64)}` }),
    ).toThrow(/signature/);
  });
});

describe("top-up customers and the sandbox", () => {
  it("pays a top-up from its pay page form", async () => {
    const { client } = await createCustomer(t);
    const res = await client.post(
      "/api/v1/wallet/topups",
      { amount: 100, currency: "CNY", method: "sandbox" },
      { headers: { "idempotency-key": crypto.randomUUID() } },
    );
    const paymentId = String((res.json() as { payUrl: string }).payUrl.split("/").pop());
    const page = await client.get(`/sandbox-gateway/pay/${paymentId}`);
    const token = /name="formToken" value="([0-9a-f]{64})"/.exec(page.body)?.[1] ?? "";
    expect((await formPost(paymentId, { formToken: token, outcome: "paid" })).statusCode).toBe(303);
    expect(await paymentStatus(paymentId)).toBe("paid");
  });
});
