import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStaff, type LoggedIn } from "../../../test/factories.js";
import { createTestApp, type TestApp } from "../../../test/harness.js";
import { createHold, postTransfer, reverseTransfer, voidHold } from "../ledger/index.js";
import { customerAccount, gatewayClearing } from "../ledger/test-support.js";

let t: TestApp;
let finance: LoggedIn;
beforeAll(async () => {
  t = await createTestApp();
  finance = await createStaff(t, { roles: ["finance"] });
});
afterAll(async () => {
  await t.close();
});

const phoneOf = async (userId: string) =>
  (await t.db.selectFrom("users").select("phone").where("id", "=", userId).executeTakeFirstOrThrow()).phone ??
  "";

const auditOf = (action: string) =>
  t.db
    .selectFrom("audit_log")
    .selectAll()
    .where("action", "=", action)
    .where("actor_id", "=", finance.user.id)
    .orderBy("id", "desc")
    .execute();

async function pay(from: string, to: string, amount: bigint) {
  const { transfer } = await postTransfer(t.ctx, {
    idempotencyKey: `test:${randomUUID()}`,
    type: "transfer",
    debitAccountId: from,
    creditAccountId: to,
    amount,
    currency: "CNY",
  });
  return transfer;
}

describe("console ledger explorer", () => {
  it("finds a customer's account by phone, masked, and records the search", async () => {
    const account = await customerAccount(t, 12_345n);
    await t.db.updateTable("users").set({ name: "张小三" }).where("id", "=", account.ownerUserId).execute();
    const phone = await phoneOf(account.ownerUserId);

    const res = await finance.client.get(`/api/v1/console/ledger/accounts?q=${phone}`);
    expect(res.statusCode).toBe(200);
    expect(res.json().items).toEqual([
      expect.objectContaining({
        id: account.id,
        kind: "customer",
        currency: "CNY",
        owner: {
          id: account.ownerUserId,
          name: "张*三",
          phone: `${phone.slice(0, 3)}****${phone.slice(-4)}`,
        },
        balance: 12_345,
        available: 12_345,
      }),
    ]);
    expect(JSON.stringify(res.json())).not.toContain(phone);
    const [audit] = await auditOf("ledger.accounts_searched");
    expect(audit?.details).toMatchObject({
      by: "phone",
      query: `${phone.slice(0, 3)}****${phone.slice(-4)}`,
    });
    expect(JSON.stringify(audit?.details)).not.toContain(phone);
  });

  it("lists system accounts by code and by kind, a page at a time", async () => {
    await gatewayClearing(t);
    const byCode = await finance.client.get("/api/v1/console/ledger/accounts?q=system:gateway_clearing");
    expect(byCode.json().items.map((a: { code: string }) => a.code)).toEqual(["system:gateway_clearing:CNY"]);

    for (let i = 0; i < 3; i += 1) await customerAccount(t);
    const first = await finance.client.get("/api/v1/console/ledger/accounts?kind=customer&limit=2");
    const body = first.json();
    expect(body.items).toHaveLength(2);
    expect(body.nextCursor).toEqual(expect.any(String));
    const second = await finance.client.get(
      `/api/v1/console/ledger/accounts?kind=customer&limit=2&cursor=${body.nextCursor}`,
    );
    const ids = [...body.items, ...second.json().items].map((a: { id: string }) => a.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(second.json().items.every((a: { kind: string }) => a.kind === "customer")).toBe(true);
  });

  it("refuses a search that is neither a phone, an id nor a code", async () => {
    const res = await finance.client.get("/api/v1/console/ledger/accounts?q=%E5%BC%A0%E4%B8%89");
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe("validation_failed");
  });

  it("shows an account's entries newest first, page by page, with its open holds, and audits the read", async () => {
    const payer = await customerAccount(t, 10_000n);
    const payee = await customerAccount(t);
    await pay(payer.id, payee.id, 100n);
    await pay(payer.id, payee.id, 200n);
    const { transfer: hold } = await createHold(t.ctx, {
      idempotencyKey: `test:${randomUUID()}`,
      type: "withdrawal",
      debitAccountId: payer.id,
      creditAccountId: payee.id,
      amount: 1_000n,
      currency: "CNY",
      expiresAt: new Date(t.clock.now().getTime() + 3_600_000),
    });

    const first = await finance.client.get(`/api/v1/console/ledger/accounts/${payer.id}?limit=2`);
    expect(first.statusCode).toBe(200);
    const body = first.json();
    expect(body.account).toMatchObject({ balance: 9_700, pendingDebits: 1_000, available: 8_700 });
    expect(body.entries.map((e: { amount: number }) => e.amount)).toEqual([-200, -100]);
    expect(body.holds).toEqual([expect.objectContaining({ id: hold.id, status: "pending", amount: 1_000 })]);
    const rest = await finance.client.get(
      `/api/v1/console/ledger/accounts/${payer.id}?limit=2&cursor=${body.nextCursor}`,
    );
    expect(rest.json().entries.map((e: { amount: number; type: string }) => [e.type, e.amount])).toEqual([
      ["topup", 10_000],
    ]);
    expect(rest.json().nextCursor).toBeNull();

    const [audit] = await auditOf("ledger.account_viewed");
    expect(audit).toMatchObject({ target_type: "ledger_account", target_id: payer.id });
    expect(audit?.details).toMatchObject({ subjectUserId: payer.ownerUserId });
  });

  it("shows a transfer with its entries and the transfer that reversed it", async () => {
    const payer = await customerAccount(t, 5_000n);
    const payee = await customerAccount(t);
    const original = await pay(payer.id, payee.id, 1_500n);
    const reversal = await reverseTransfer(t.ctx, original.id, { reason: "sent to the wrong person" });

    const res = await finance.client.get(`/api/v1/console/ledger/transfers/${original.id}`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      id: original.id,
      type: "transfer",
      amount: 1_500,
      status: "posted",
      reversedByTransferId: reversal.id,
      holdEvent: null,
    });
    expect(
      res.json().entries.map((e: { accountId: string; amount: number }) => [e.accountId, e.amount]),
    ).toEqual([
      [payer.id, -1_500],
      [payee.id, 1_500],
    ]);
    const back = await finance.client.get(`/api/v1/console/ledger/transfers/${reversal.id}`);
    expect(back.json()).toMatchObject({ type: "reversal", reversesTransferId: original.id });
    const [audit] = await auditOf("ledger.transfer_viewed");
    expect(audit?.details).toMatchObject({
      subjectUserIds: expect.arrayContaining([payer.ownerUserId, payee.ownerUserId]),
    });
  });

  it("lists holds by outcome and shows a voided hold's event", async () => {
    const payer = await customerAccount(t, 5_000n);
    const clearing = await gatewayClearing(t);
    const { transfer: hold } = await createHold(t.ctx, {
      idempotencyKey: `test:${randomUUID()}`,
      type: "withdrawal",
      debitAccountId: payer.id,
      creditAccountId: clearing.id,
      amount: 2_000n,
      currency: "CNY",
      expiresAt: new Date(t.clock.now().getTime() + 3_600_000),
    });
    await voidHold(t.ctx, hold.id, { reason: "bank refused" });

    const voided = await finance.client.get("/api/v1/console/ledger/holds?status=voided");
    expect(voided.json().items.map((h: { id: string }) => h.id)).toContain(hold.id);
    const pending = await finance.client.get("/api/v1/console/ledger/holds?status=pending");
    expect(pending.json().items.map((h: { id: string }) => h.id)).not.toContain(hold.id);
    const detail = await finance.client.get(`/api/v1/console/ledger/transfers/${hold.id}`);
    expect(detail.json()).toMatchObject({
      status: "pending",
      entries: [],
      holdEvent: { outcome: "voided", postedAmount: 0, reason: "bank refused" },
    });
  });

  it("is closed to staff without ledger:read and says not found for an unknown account", async () => {
    const agent = await createStaff(t, { roles: ["agent"] });
    expect((await agent.client.get("/api/v1/console/ledger/accounts")).statusCode).toBe(403);
    const missing = await finance.client.get(`/api/v1/console/ledger/accounts/${randomUUID()}`);
    expect(missing.statusCode).toBe(404);
  });
});
