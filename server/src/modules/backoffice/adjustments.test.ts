import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStaff, type LoggedIn } from "../../../test/factories.js";
import { createTestApp, type TestApp } from "../../../test/harness.js";
import { getBalance } from "../ledger/index.js";
import { customerAccount } from "../ledger/test-support.js";

let t: TestApp;
let finance: LoggedIn;
let admin: LoggedIn;
beforeAll(async () => {
  t = await createTestApp();
  finance = await createStaff(t, { roles: ["finance"] });
  admin = await createStaff(t, { roles: ["admin"] });
});
afterAll(async () => {
  await t.close();
});

function propose(
  who: LoggedIn,
  body: Record<string, unknown>,
  key: string = randomUUID(),
): ReturnType<LoggedIn["client"]["post"]> {
  return who.client.post("/api/v1/console/ledger/adjustments", body, { headers: { "idempotency-key": key } });
}

const adjustment = (accountId: string, over: Record<string, unknown> = {}) => ({
  accountId,
  direction: "credit",
  amount: 1_234,
  currency: "CNY",
  reason: "补记 11 月 3 日柜台现金充值，凭证 A-1024",
  ...over,
});

const balanceOf = async (accountId: string) => (await getBalance(t.ctx, accountId)).balance;

const adjustmentTransfers = (reviewItemId: string) =>
  t.db
    .selectFrom("ledger_transfers")
    .select(["id", "type", "amount", "debit_account_id", "credit_account_id"])
    .where("idempotency_key", "=", `ledger-adjustment:${reviewItemId}`)
    .execute();

describe("manual adjustments under maker-checker", () => {
  it("waits in the review queue, moves nothing until another adjuster approves, then posts once", async () => {
    const account = await customerAccount(t, 500n);
    const proposed = await propose(finance, adjustment(account.id));
    expect(proposed.statusCode).toBe(201);
    const { id } = proposed.json();
    expect(await balanceOf(account.id)).toBe(500n);

    const queue = await admin.client.get("/api/v1/console/reviews?status=pending&kind=ledger_adjustment");
    expect(queue.json().items).toEqual([
      expect.objectContaining({
        id,
        title: "人工调账：调增 ¥12.34",
        summary: expect.objectContaining({ amount: "¥12.34", reason: adjustment(account.id).reason }),
      }),
    ]);

    const approved = await admin.client.post(`/api/v1/console/reviews/${id}/approve`, {});
    expect(approved.statusCode).toBe(200);
    expect(approved.json().status).toBe("approved");
    expect(await balanceOf(account.id)).toBe(1_734n);
    const [posted] = await adjustmentTransfers(id);
    expect(posted).toMatchObject({ type: "adjustment", amount: 1_234n, credit_account_id: account.id });

    const actions = await t.db
      .selectFrom("audit_log")
      .select(["action", "actor_id"])
      .where("action", "in", ["ledger.adjustment_proposed", "ledger.adjustment_posted", "review.approved"])
      .where((eb) => eb.or([eb("target_id", "=", id), eb("target_id", "=", posted?.id ?? "")]))
      .orderBy("id")
      .execute();
    expect(actions).toEqual([
      { action: "ledger.adjustment_proposed", actor_id: finance.user.id },
      { action: "ledger.adjustment_posted", actor_id: admin.user.id },
      { action: "review.approved", actor_id: admin.user.id },
    ]);
  });

  it("does not let the proposer approve their own adjustment", async () => {
    const account = await customerAccount(t);
    const { id } = (await propose(finance, adjustment(account.id))).json();
    const res = await finance.client.post(`/api/v1/console/reviews/${id}/approve`, {});
    expect(res.statusCode).toBe(403);
    expect(await balanceOf(account.id)).toBe(0n);
  });

  it("needs an approver who may adjust the ledger, not only decide reviews", async () => {
    const reviewer = await createStaff(t, { roles: ["reviewer"] });
    const account = await customerAccount(t);
    const { id } = (await propose(finance, adjustment(account.id))).json();
    const res = await reviewer.client.post(`/api/v1/console/reviews/${id}/approve`, {});
    expect(res.statusCode).toBe(403);
    expect(await adjustmentTransfers(id)).toEqual([]);
    const item = await admin.client.get(`/api/v1/console/reviews/${id}`);
    expect(item.json().status).toBe("pending");
  });

  it("posts exactly once when two approvers click at the same moment", async () => {
    const secondFinance = await createStaff(t, { roles: ["finance"] });
    const account = await customerAccount(t);
    const { id } = (await propose(finance, adjustment(account.id, { amount: 10_000 }))).json();

    const answers = await Promise.all([
      admin.client.post(`/api/v1/console/reviews/${id}/approve`, {}),
      secondFinance.client.post(`/api/v1/console/reviews/${id}/approve`, {}),
      admin.client.post(`/api/v1/console/reviews/${id}/approve`, {}),
    ]);
    const codes = answers.map((r) => r.statusCode).sort();
    expect(codes.filter((c) => c === 200)).toHaveLength(1);
    expect(codes.filter((c) => c !== 200).every((c) => c === 409 || c === 403)).toBe(true);
    expect(await adjustmentTransfers(id)).toHaveLength(1);
    expect(await balanceOf(account.id)).toBe(10_000n);
  });

  it("refuses a debit the balance cannot cover and leaves the proposal pending", async () => {
    const account = await customerAccount(t, 100n);
    const { id } = (
      await propose(finance, adjustment(account.id, { direction: "debit", amount: 101 }))
    ).json();
    const res = await admin.client.post(`/api/v1/console/reviews/${id}/approve`, {});
    expect(res.statusCode).toBe(422);
    expect(res.json().code).toBe("insufficient_funds");
    expect((await admin.client.get(`/api/v1/console/reviews/${id}`)).json().status).toBe("pending");
    expect(await balanceOf(account.id)).toBe(100n);

    const rejected = await admin.client.post(`/api/v1/console/reviews/${id}/reject`, { reason: "金额有误" });
    expect(rejected.statusCode).toBe(200);
    expect(await adjustmentTransfers(id)).toEqual([]);
  });

  it("debits to the adjustments account when approved", async () => {
    const account = await customerAccount(t, 1_000n);
    const { id } = (
      await propose(finance, adjustment(account.id, { direction: "debit", amount: 400 }))
    ).json();
    expect((await admin.client.post(`/api/v1/console/reviews/${id}/approve`, {})).statusCode).toBe(200);
    expect(await balanceOf(account.id)).toBe(600n);
    const [posted] = await adjustmentTransfers(id);
    expect(posted?.debit_account_id).toBe(account.id);
  });

  it("replays the same Idempotency-Key and refuses it with another body", async () => {
    const account = await customerAccount(t);
    const key = randomUUID();
    const [a, b] = await Promise.all([
      propose(finance, adjustment(account.id), key),
      propose(finance, adjustment(account.id), key),
    ]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([200, 201]);
    expect(a.json().id).toBe(b.json().id);
    const other = await propose(finance, adjustment(account.id, { amount: 999 }), key);
    expect(other.statusCode).toBe(409);
    expect(other.json().code).toBe("idempotency_conflict");
    const pending = await admin.client.get(
      "/api/v1/console/reviews?status=pending&kind=ledger_adjustment&limit=100",
    );
    expect(pending.json().items.filter((i: { id: string }) => i.id === a.json().id)).toHaveLength(1);
  });

  it.each([
    ["a short reason", { reason: "补记" }, 400],
    ["a zero amount", { amount: 0 }, 400],
    ["a fractional amount", { amount: 12.5 }, 400],
    ["another currency", { currency: "USD" }, 422],
  ])("refuses %s and queues nothing", async (_label, over, status) => {
    const account = await customerAccount(t);
    const before = await t.db.selectFrom("review_items").select("id").execute();
    const res = await propose(finance, adjustment(account.id, over));
    expect(res.statusCode).toBe(status);
    expect(await t.db.selectFrom("review_items").select("id").execute()).toHaveLength(before.length);
  });

  it("adjusts only customer accounts, and only for staff with ledger:adjust", async () => {
    const supervisor = await createStaff(t, { roles: ["supervisor"] });
    const account = await customerAccount(t);
    expect((await propose(supervisor, adjustment(account.id))).statusCode).toBe(403);
    const system = await t.db
      .selectFrom("ledger_accounts")
      .select("id")
      .where("kind", "=", "gateway_clearing")
      .executeTakeFirstOrThrow();
    const res = await propose(finance, adjustment(system.id));
    expect(res.statusCode).toBe(400);
    expect((await propose(finance, adjustment(randomUUID()))).statusCode).toBe(404);
  });
});
