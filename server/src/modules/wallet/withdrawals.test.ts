import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStaff, type LoggedIn, logIn, sendOtp } from "../../../test/factories.js";
import { createTestApp, type TestApp } from "../../../test/harness.js";
import { loadConfig } from "../../config.js";
import { SETTLE_AFTER_MS, settleDueSandboxPayouts } from "../gateways/sandbox-bank/index.js";
import { passesLuhn } from "../identity/index.js";
import { expireHolds, getOrCreateSystemAccount, systemAccountCode, verifyLedger } from "../ledger/index.js";
import { notifyAllBalanceChanges } from "../notify/index.js";
import { availableOf, type Customer, fundedCustomer, PAYMENT_PASSWORD } from "./test-support.js";
import {
  advanceWithdrawals,
  largestWithdrawal,
  placeWithdrawal,
  REVIEW_TIMEOUT_MS,
  rejectStaleWithdrawals,
  withdrawalFee,
} from "./withdrawals.js";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

const DAY = 24 * 60 * 60 * 1000;

/** A 19-digit card number that passes the Luhn check. */
function cardNumber(prefix = "622202100011223344"): string {
  for (let d = 0; d <= 9; d++) if (passesLuhn(`${prefix}${d}`)) return `${prefix}${d}`;
  throw new Error("no check digit");
}
const CARD = cardNumber();

type WithCard = Customer & { cardId: string };

async function customerWithCard(fen: bigint, opts: { name?: string } = {}): Promise<WithCard> {
  const c = await fundedCustomer(t, fen, { name: opts.name ?? "张小三" });
  const res = await c.client.post("/api/v1/me/bank-cards", {
    cardNumber: CARD,
    holderName: opts.name ?? "张小三",
    bankName: "工商银行",
  });
  expect(res.statusCode, res.body).toBe(201);
  return { ...c, cardId: res.json().id };
}

async function withdraw(
  c: WithCard,
  amount: number,
  opts: { key?: string; password?: string; otp?: string; cardId?: string } = {},
) {
  const otp = opts.otp ?? (await sendOtp(t, { to: c.phone, purpose: "withdrawal" }));
  return c.client.post(
    "/api/v1/wallet/withdrawals",
    {
      amount,
      currency: "CNY",
      bankCardId: opts.cardId ?? c.cardId,
      paymentPassword: opts.password ?? PAYMENT_PASSWORD,
      otp,
    },
    { headers: { "idempotency-key": opts.key ?? randomUUID() } },
  );
}

/** Lets the sandbox bank settle what it accepted, and the wallet hear about it. */
async function bankSettles() {
  await advanceWithdrawals(t.ctx);
  t.clock.advance(SETTLE_AFTER_MS);
  await settleDueSandboxPayouts(t.ctx);
  await advanceWithdrawals(t.ctx);
}

async function statusOf(c: Customer, id: string) {
  const res = await c.client.get(`/api/v1/wallet/withdrawals/${id}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

async function systemBalance(kind: "fees" | "withdrawal_clearing" | "settlement", name?: string) {
  const account = await getOrCreateSystemAccount(t.ctx, systemAccountCode(kind, "CNY", name), "CNY", kind);
  const row = await t.db
    .selectFrom("ledger_accounts")
    .select(["balance", "pending_credits"])
    .where("id", "=", account.id)
    .executeTakeFirstOrThrow();
  return { balance: row.balance, pending: row.pending_credits };
}

async function notices(c: Customer) {
  const rows = await t.db
    .selectFrom("notifications")
    .select(["kind", "body"])
    .where("user_id", "=", c.user.id)
    .where("kind", "like", "wallet.withdrawal%")
    .orderBy("created_at")
    .orderBy("id")
    .execute();
  return rows.map((r) => r.kind);
}

async function reviewItemFor(withdrawalId: string) {
  const row = await t.db
    .selectFrom("withdrawals")
    .select("review_item_id")
    .where("id", "=", withdrawalId)
    .executeTakeFirstOrThrow();
  if (!row.review_item_id) throw new Error("no review item");
  return row.review_item_id;
}

async function auditActions(withdrawalId: string) {
  const rows = await t.db
    .selectFrom("audit_log")
    .select("action")
    .where("target_type", "=", "withdrawal")
    .where("target_id", "=", withdrawalId)
    .orderBy("id")
    .execute();
  return rows.map((r) => r.action);
}

describe("configuration", () => {
  const base = { NODE_ENV: "test", SECRET_KEY: "ab".repeat(32) };

  it("reads the fee and thresholds from the environment, in fen", () => {
    const cfg = loadConfig({
      ...base,
      WITHDRAWAL_FEE_RATE_BP: "25",
      WITHDRAWAL_FEE_MIN: "200",
      WITHDRAWAL_AUTO_APPROVE_MAX: "100000",
      WITHDRAWAL_DUAL_APPROVAL_MIN: "1000000",
    }).withdrawals;
    expect(cfg).toEqual({
      feeRateBp: 25,
      feeMin: 200n,
      autoApproveMax: 100_000n,
      dualApprovalMin: 1_000_000n,
    });
    expect(withdrawalFee(cfg, 100_000n)).toBe(250n);
    expect(withdrawalFee(cfg, 100n)).toBe(200n);
  });

  it("stops the start naming a bad value", () => {
    expect(() => loadConfig({ ...base, WITHDRAWAL_FEE_RATE_BP: "0.5" })).toThrowError(
      /WITHDRAWAL_FEE_RATE_BP/,
    );
    expect(() => loadConfig({ ...base, WITHDRAWAL_FEE_MIN: "-1" })).toThrowError(/WITHDRAWAL_FEE_MIN/);
    expect(() => loadConfig({ ...base, WITHDRAWAL_DUAL_APPROVAL_MIN: "lots" })).toThrowError(
      /WITHDRAWAL_DUAL_APPROVAL_MIN/,
    );
  });
});

describe("the quote", () => {
  it("charges 0.1 % rounded up to the fen, at least ¥1, and says when review is needed", async () => {
    const c = await fundedCustomer(t);
    const cases: [number, number, boolean, number][] = [
      [10_000, 100, false, 0], // ¥100: the ¥1 minimum
      [200_000, 200, false, 0], // ¥2,000: still automatic
      [200_001, 201, true, 1], // 0.1 % of ¥2,000.01 is 200.001 fen, rounded up
      [5_000_000, 5_000, true, 2], // ¥50,000: two reviewers
    ];
    for (const [amount, fee, reviewRequired, approvalsRequired] of cases) {
      const res = await c.client.get("/api/v1/wallet/withdrawals/quote", {
        query: { amount: String(amount), currency: "CNY" },
      });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toEqual({
        amount,
        fee,
        total: amount + fee,
        currency: "CNY",
        reviewRequired,
        approvalsRequired,
      });
    }
    const bad = await c.client.get("/api/v1/wallet/withdrawals/quote", { query: { amount: "1.5" } });
    expect(bad.json().code).toBe("validation_failed");
  });
});

describe("a withdrawal under the auto-approve amount", () => {
  it("holds amount + fee, goes to the bank at once, and on success pays out and takes the fee", async () => {
    const c = await customerWithCard(50_000n);
    const feesBefore = await systemBalance("fees");
    const settledBefore = await systemBalance("settlement", "sandbox_bank");

    const res = await withdraw(c, 10_000);
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toEqual({
      id: expect.any(String),
      status: "processing",
      amount: 10_000,
      fee: 100,
      currency: "CNY",
    });
    const id = res.json().id as string;
    expect(await availableOf(c)).toBe(50_000 - 10_100);
    const wallet = (await c.client.get("/api/v1/wallet")).json();
    expect(wallet.accounts[0]).toMatchObject({ available: 39_900, pending: 10_100 });
    const submitted = await t.db
      .selectFrom("withdrawals")
      .select("bank_payout_id")
      .where("id", "=", id)
      .executeTakeFirstOrThrow();
    expect(submitted.bank_payout_id).not.toBeNull();

    await bankSettles();
    expect(await statusOf(c, id)).toMatchObject({
      id,
      status: "succeeded",
      amount: 10_000,
      fee: 100,
      failureReason: null,
      bankCard: { id: c.cardId, masked: `**** ${CARD.slice(-4)}`, bankName: "工商银行" },
    });
    expect((await c.client.get("/api/v1/wallet")).json().accounts[0]).toMatchObject({
      available: 39_900,
      pending: 0,
    });
    expect((await systemBalance("fees")).balance - feesBefore.balance).toBe(100n);
    expect((await systemBalance("settlement", "sandbox_bank")).balance - settledBefore.balance).toBe(10_000n);
    expect((await systemBalance("withdrawal_clearing")).balance).toBe(0n);

    const history = await c.client.get("/api/v1/wallet/transactions", { query: { type: "withdrawal" } });
    expect(history.json().items).toEqual([
      expect.objectContaining({ type: "withdrawal", amount: 10_100, direction: "out", counterparty: "提现" }),
    ]);
    expect(await notices(c)).toEqual(["wallet.withdrawal_requested", "wallet.withdrawal_succeeded"]);
    expect(await auditActions(id)).toEqual([
      "withdrawal.requested",
      "withdrawal.submitted",
      "withdrawal.succeeded",
    ]);
    // Withdrawal progress goes by SMS by default (the customer's subscription).
    const sms = await t.client().get("/api/v1/dev/messages", { query: { to: c.phone } });
    expect(sms.body).toContain("提现成功");
    // The payout is one notice, with the balance; the balance notices leave its posting out.
    await notifyAllBalanceChanges(t.ctx);
    const told = await t.db
      .selectFrom("notifications")
      .select(["kind", "title", "body"])
      .where("user_id", "=", c.user.id)
      .where("kind", "in", ["wallet.withdrawal_succeeded", "wallet.balance_changed"])
      .execute();
    expect(told.sort((a, b) => a.kind.localeCompare(b.kind))).toEqual([
      { kind: "wallet.balance_changed", title: "账户调整", body: "调账转入 ¥500.00，余额 ¥500.00" },
      {
        kind: "wallet.withdrawal_succeeded",
        title: "提现成功",
        body: "您提现的 ¥100.00 已转入银行卡，手续费 ¥1.00，余额 ¥399.00。",
      },
    ]);
    expect(await verifyLedger(t.db)).toMatchObject({ ok: true });
  });

  it("settles once however often the bank is asked", async () => {
    const c = await customerWithCard(20_000n);
    const id = (await withdraw(c, 5_000)).json().id as string;
    await bankSettles();
    await bankSettles();
    const { hold_id: holdId } = await t.db
      .selectFrom("withdrawals")
      .select("hold_id")
      .where("id", "=", id)
      .executeTakeFirstOrThrow();
    const postings = await t.db
      .selectFrom("ledger_transfers")
      .select((eb) => eb.fn.countAll<string>().as("n"))
      .where((eb) =>
        eb.or([
          eb("id", "=", holdId),
          eb("hold_id", "=", holdId),
          eb("idempotency_key", "like", `withdrawal:${id}:%`),
        ]),
      )
      .executeTakeFirstOrThrow();
    // The hold, its posting, the payout and the fee.
    expect(Number(postings.n)).toBe(4);
    expect(await availableOf(c)).toBe(20_000 - 5_100);
  });

  it("on a bank failure voids the hold, says why, and tells the customer", async () => {
    const c = await customerWithCard(50_000n);
    // x.44 is the sandbox bank's test amount for a frozen receiving card.
    const res = await withdraw(c, 12_344);
    expect(res.json().status).toBe("processing");
    expect(await availableOf(c)).toBe(50_000 - 12_344 - 100);
    await bankSettles();
    const w = await statusOf(c, res.json().id);
    expect(w).toMatchObject({ status: "failed", failureReason: expect.stringContaining("冻结") });
    expect(await availableOf(c)).toBe(50_000);
    expect((await c.client.get("/api/v1/wallet")).json().accounts[0].pending).toBe(0);
    expect(await notices(c)).toEqual(["wallet.withdrawal_requested", "wallet.withdrawal_failed"]);
    expect(await verifyLedger(t.db)).toMatchObject({ ok: true });
  });
});

describe("a withdrawal that needs review", () => {
  it("waits for one reviewer above ¥2,000, then goes to the bank", async () => {
    const reviewer = await createStaff(t, { roles: ["reviewer"] });
    const c = await customerWithCard(400_000n);
    const res = await withdraw(c, 300_000);
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ status: "under_review", fee: 300 });
    const id = res.json().id as string;
    expect(await availableOf(c)).toBe(400_000 - 300_300);

    const reviewId = await reviewItemFor(id);
    const queued = await reviewer.client.get(`/api/v1/console/reviews/${reviewId}`);
    expect(queued.json()).toMatchObject({
      kind: "withdrawal",
      title: `提现 ¥3000.00 至尾号 ${CARD.slice(-4)}`,
      summary: {
        amount: "¥3000.00",
        fee: "¥3.00",
        total: "¥3003.00",
        card: `**** ${CARD.slice(-4)} 工商银行`,
      },
      approvals: { required: 1, count: 0 },
    });
    expect(queued.body).not.toContain(CARD);

    const approved = await reviewer.client.post(`/api/v1/console/reviews/${reviewId}/approve`, {});
    expect(approved.statusCode, approved.body).toBe(200);
    expect(approved.json().status).toBe("approved");
    expect((await statusOf(c, id)).status).toBe("processing");
    // Sent to the bank as soon as the approval committed, without waiting for the job.
    const sent = await t.db
      .selectFrom("withdrawals")
      .select("bank_payout_id")
      .where("id", "=", id)
      .executeTakeFirstOrThrow();
    expect(sent.bank_payout_id).not.toBeNull();
    await bankSettles();
    expect((await statusOf(c, id)).status).toBe("succeeded");
    expect(await availableOf(c)).toBe(400_000 - 300_300);
    expect(await notices(c)).toEqual([
      "wallet.withdrawal_requested",
      "wallet.withdrawal_approved",
      "wallet.withdrawal_succeeded",
    ]);
    expect(await auditActions(id)).toEqual([
      "withdrawal.requested",
      "withdrawal.approved",
      "withdrawal.submitted",
      "withdrawal.succeeded",
    ]);
  });

  it("needs two different reviewers from ¥50,000: one approval shows 1/2 and the same person cannot give the second", async () => {
    const first = await createStaff(t, { roles: ["reviewer"] });
    const second = await createStaff(t, { roles: ["finance"] });
    const c = await customerWithCard(6_000_000n);
    const res = await withdraw(c, 5_000_000);
    expect(res.json()).toMatchObject({ status: "under_review", fee: 5_000 });
    const id = res.json().id as string;
    const reviewId = await reviewItemFor(id);

    const one = await first.client.post(`/api/v1/console/reviews/${reviewId}/approve`, {
      reason: "ID checked",
    });
    expect(one.statusCode, one.body).toBe(200);
    expect(one.json()).toMatchObject({ status: "pending", approvals: { required: 2, count: 1 } });
    expect((await statusOf(c, id)).status).toBe("under_review");

    const again = await first.client.post(`/api/v1/console/reviews/${reviewId}/approve`, {});
    expect(again.statusCode).toBe(403);
    expect(again.json().reason).toBe("already_approved");
    expect((await statusOf(c, id)).status).toBe("under_review");

    const two = await second.client.post(`/api/v1/console/reviews/${reviewId}/approve`, {});
    expect(two.statusCode, two.body).toBe(200);
    expect(two.json()).toMatchObject({ status: "approved", approvals: { required: 2, count: 2 } });
    await bankSettles();
    expect((await statusOf(c, id)).status).toBe("succeeded");
    expect(await availableOf(c)).toBe(6_000_000 - 5_005_000);
    expect(await verifyLedger(t.db)).toMatchObject({ ok: true });
  });

  it("releases the funds on rejection and tells the customer the reason", async () => {
    const reviewer = await createStaff(t, { roles: ["reviewer"] });
    const c = await customerWithCard(500_000n);
    const id = (await withdraw(c, 250_000)).json().id as string;
    expect(await availableOf(c)).toBe(500_000 - 250_250);
    const reviewId = await reviewItemFor(id);
    const res = await reviewer.client.post(`/api/v1/console/reviews/${reviewId}/reject`, {
      reason: "收款卡与实名信息不符",
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(await statusOf(c, id)).toMatchObject({
      status: "rejected",
      failureReason: "收款卡与实名信息不符",
    });
    expect(await availableOf(c)).toBe(500_000);
    const told = await t.db
      .selectFrom("notifications")
      .select("body")
      .where("user_id", "=", c.user.id)
      .where("kind", "=", "wallet.withdrawal_rejected")
      .executeTakeFirstOrThrow();
    expect(told.body).toContain("收款卡与实名信息不符");
    expect(await auditActions(id)).toEqual(["withdrawal.requested", "withdrawal.rejected"]);
    await bankSettles();
    expect((await statusOf(c, id)).status).toBe("rejected");
    expect(await verifyLedger(t.db)).toMatchObject({ ok: true });
  });

  it("keeps its hold through a long review, and a review nobody finishes is rejected before the hold expires", async () => {
    const waiting = await customerWithCard(300_000n);
    const forgotten = await customerWithCard(300_000n);
    const waitingId = (await withdraw(waiting, 250_000)).json().id as string;
    const forgottenId = (await withdraw(forgotten, 250_000)).json().id as string;

    t.clock.advance(29 * DAY);
    await expireHolds(t.ctx);
    await rejectStaleWithdrawals(t.ctx);
    // Sessions do not last a month: everyone logs in again.
    waiting.client = await logIn(t, waiting.user.id);
    forgotten.client = await logIn(t, forgotten.user.id);
    const reviewer = await createStaff(t, { roles: ["reviewer"] });
    expect(await availableOf(waiting)).toBe(300_000 - 250_250);
    const approved = await reviewer.client.post(
      `/api/v1/console/reviews/${await reviewItemFor(waitingId)}/approve`,
      {},
    );
    expect(approved.statusCode, approved.body).toBe(200);
    await bankSettles();
    expect((await statusOf(waiting, waitingId)).status).toBe("succeeded");

    t.clock.advance(REVIEW_TIMEOUT_MS - 29 * DAY + 60_000);
    expect(await rejectStaleWithdrawals(t.ctx)).toBeGreaterThanOrEqual(1);
    forgotten.client = await logIn(t, forgotten.user.id);
    expect(await statusOf(forgotten, forgottenId)).toMatchObject({
      status: "rejected",
      failureReason: "审核超时",
    });
    expect(await availableOf(forgotten)).toBe(300_000);
    const checker = await createStaff(t, { roles: ["reviewer"] });
    const item = await checker.client.get(`/api/v1/console/reviews/${await reviewItemFor(forgottenId)}`);
    expect(item.json().status).toBe("cancelled");
    expect(await verifyLedger(t.db)).toMatchObject({ ok: true });
  });
});

describe("a review that times out while a reviewer approves", () => {
  it("ends one way only: approved and paid, or rejected and released", async () => {
    const c = await customerWithCard(300_000n);
    const id = (await withdraw(c, 250_000)).json().id as string;
    const reviewId = await reviewItemFor(id);
    t.clock.advance(REVIEW_TIMEOUT_MS + 60_000);
    const reviewer = await createStaff(t, { roles: ["reviewer"] });
    c.client = await logIn(t, c.user.id);
    const [approved] = await Promise.all([
      reviewer.client.post(`/api/v1/console/reviews/${reviewId}/approve`, {}),
      rejectStaleWithdrawals(t.ctx),
    ]);
    await bankSettles();
    const w = await statusOf(c, id);
    if (approved.statusCode === 200) {
      expect(w.status).toBe("succeeded");
      expect(await availableOf(c)).toBe(300_000 - 250_250);
    } else {
      expect(approved.json().code).toBe("review_already_decided");
      expect(w).toMatchObject({ status: "rejected", failureReason: "审核超时" });
      expect(await availableOf(c)).toBe(300_000);
    }
    expect(await verifyLedger(t.db)).toMatchObject({ ok: true });
  });
});

describe("proving it is the customer", () => {
  it("refuses a wrong payment password and a wrong code, and holds nothing", async () => {
    const c = await customerWithCard(50_000n);
    const wrongPassword = await withdraw(c, 10_000, { password: "000001" });
    expect(wrongPassword.statusCode).toBe(401);
    expect(wrongPassword.json()).toMatchObject({ code: "wrong_payment_password", attemptsLeft: 4 });
    await sendOtp(t, { to: c.phone, purpose: "withdrawal" });
    const wrongCode = await withdraw(c, 10_000, { otp: "000000" });
    expect(wrongCode.statusCode).toBe(400);
    expect(wrongCode.json().code).toBe("invalid_otp");
    // A code for another purpose does not open a withdrawal either.
    const otherPurpose = await sendOtp(t, { to: c.phone, purpose: "payment_password" });
    const misused = await withdraw(c, 10_000, { otp: otherPurpose });
    expect(misused.json().code).toBe("invalid_otp");
    expect(await availableOf(c)).toBe(50_000);
    expect(
      await t.db.selectFrom("withdrawals").selectAll().where("user_id", "=", c.user.id).execute(),
    ).toEqual([]);
  });

  it("refuses another customer's card, a removed card, and a card in someone else's name once verified", async () => {
    const owner = await customerWithCard(50_000n);
    const other = await customerWithCard(50_000n);
    const foreign = await withdraw(other, 10_000, { cardId: owner.cardId });
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json()).toMatchObject({ code: "not_found", field: "bankCardId" });

    const removed = await customerWithCard(50_000n);
    expect((await removed.client.delete(`/api/v1/me/bank-cards/${removed.cardId}`)).statusCode).toBe(204);
    expect((await withdraw(removed, 10_000)).statusCode).toBe(404);

    // The card was bound as 张小三; the verified name now differs.
    const renamed = await customerWithCard(50_000n);
    await t.db
      .updateTable("users")
      .set({ name: "李四", id_number_hash: "verified" })
      .where("id", "=", renamed.user.id)
      .execute();
    const mismatch = await withdraw(renamed, 10_000);
    expect(mismatch.statusCode).toBe(400);
    expect(mismatch.json().code).toBe("holder_name_mismatch");
    for (const c of [other, removed, renamed]) expect(await availableOf(c)).toBe(50_000);
  });
});

describe("the SMS code is spent with the money, once", () => {
  const withdrawalsOf = (c: Customer) =>
    t.db.selectFrom("withdrawals").select(["id", "amount"]).where("user_id", "=", c.user.id).execute();

  it("stays usable after a refusal: insufficient funds, then the same code withdraws less", async () => {
    const c = await customerWithCard(10_000n);
    const otp = await sendOtp(t, { to: c.phone, purpose: "withdrawal" });
    const tooMuch = await withdraw(c, 10_000, { otp });
    expect(tooMuch.statusCode).toBe(422);
    expect(tooMuch.json().code).toBe("insufficient_funds");
    expect(await withdrawalsOf(c)).toEqual([]);
    const less = await withdraw(c, 5_000, { otp });
    expect(less.statusCode, less.body).toBe(201);
    // Spent now: another withdrawal with it is refused and holds nothing.
    const reused = await withdraw(c, 1_000, { otp });
    expect(reused.statusCode).toBe(400);
    expect(reused.json().code).toBe("invalid_otp");
    expect(await withdrawalsOf(c)).toHaveLength(1);
    expect(await availableOf(c)).toBe(10_000 - 5_100);
  });

  it("stays usable when the server's connection dies inside the money transaction", async () => {
    const c = await customerWithCard(50_000n);
    const otp = await sendOtp(t, { to: c.phone, purpose: "withdrawal" });
    const key = randomUUID();
    // Hold the customer's ledger account so the withdrawal stops inside its transaction, after
    // it has spent the code; then kill its database session, as a crash of the server would.
    let release = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let lockedBy = 0;
    let locked = () => {};
    const isLocked = new Promise<void>((resolve) => {
      locked = resolve;
    });
    const holder = t.db.transaction().execute(async (tx) => {
      const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(tx);
      lockedBy = rows[0]?.pid ?? 0;
      await tx
        .selectFrom("ledger_accounts")
        .select("id")
        .where("owner_user_id", "=", c.user.id)
        .forUpdate()
        .execute();
      locked();
      await released;
    });
    await isLocked;
    const crashed = withdraw(c, 10_000, { otp, key });
    let victim: number | undefined;
    while (victim === undefined) {
      const { rows } = await sql<{ pid: number }>`
        select pid from pg_stat_activity
        where datname = current_database() and wait_event_type = 'Lock' and pid <> ${lockedBy}
      `.execute(t.db);
      victim = rows[0]?.pid;
      if (victim === undefined) await new Promise((r) => setTimeout(r, 20));
    }
    await sql`select pg_terminate_backend(${victim})`.execute(t.db);
    expect((await crashed).statusCode).toBe(500);
    release();
    await holder;
    expect(await withdrawalsOf(c)).toEqual([]);
    expect(await availableOf(c)).toBe(50_000);

    const retried = await withdraw(c, 10_000, { otp, key });
    expect(retried.statusCode, retried.body).toBe(201);
    expect(await withdrawalsOf(c)).toHaveLength(1);
    expect(await availableOf(c)).toBe(50_000 - 10_100);
  });

  it("opens one withdrawal when two requests carry one code at once, whatever their keys", async () => {
    const c = await customerWithCard(100_000n);
    const otp = await sendOtp(t, { to: c.phone, purpose: "withdrawal" });
    const answers = await Promise.all([1, 2, 3].map(() => withdraw(c, 10_000, { otp })));
    const statuses = answers.map((a) => a.statusCode).sort();
    expect(statuses).toEqual([201, 400, 400]);
    for (const a of answers.filter((x) => x.statusCode === 400)) expect(a.json().code).toBe("invalid_otp");
    expect(await withdrawalsOf(c)).toHaveLength(1);
    expect(await availableOf(c)).toBe(100_000 - 10_100);

    // The same key twice at once: the second waits for the first and answers its withdrawal.
    const key = randomUUID();
    const fresh = await sendOtp(t, { to: c.phone, purpose: "withdrawal" });
    const twins = await Promise.all([
      withdraw(c, 10_000, { otp: fresh, key }),
      withdraw(c, 10_000, { otp: fresh, key }),
    ]);
    expect(twins.map((a) => a.statusCode)).toEqual([201, 201]);
    expect(twins[0]?.json().id).toBe(twins[1]?.json().id);
    expect(await withdrawalsOf(c)).toHaveLength(2);
    expect(await availableOf(c)).toBe(100_000 - 2 * 10_100);
  });

  it("counts wrong codes toward the limit: the fifth burns the code, and the right one is refused after", async () => {
    const c = await customerWithCard(50_000n);
    const otp = await sendOtp(t, { to: c.phone, purpose: "withdrawal" });
    const wrong = otp === "000000" ? "111111" : "000000";
    const left: number[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await withdraw(c, 10_000, { otp: wrong });
      expect(res.statusCode).toBe(400);
      expect(res.json().code).toBe("invalid_otp");
      left.push(res.json().attemptsLeft);
    }
    expect(left).toEqual([4, 3, 2, 1, 0]);
    const late = await withdraw(c, 10_000, { otp });
    expect(late.statusCode).toBe(400);
    expect(late.json().code).toBe("invalid_otp");
    expect(await withdrawalsOf(c)).toEqual([]);
    expect(await availableOf(c)).toBe(50_000);
  });

  it("counts a wrong guess even when the right code then withdraws", async () => {
    const c = await customerWithCard(50_000n);
    const otp = await sendOtp(t, { to: c.phone, purpose: "withdrawal" });
    const wrong = otp === "000000" ? "111111" : "000000";
    expect((await withdraw(c, 10_000, { otp: wrong })).json().attemptsLeft).toBe(4);
    expect((await withdraw(c, 10_000, { otp })).statusCode).toBe(201);
    const row = await t.db
      .selectFrom("one_time_codes")
      .select(["attempts", "consumed_at"])
      .where("destination", "=", c.phone)
      .where("purpose", "=", "withdrawal")
      .orderBy("created_at", "desc")
      .executeTakeFirstOrThrow();
    expect(row.attempts).toBe(1);
    expect(row.consumed_at).not.toBeNull();
  });
});

describe("the most that can be withdrawn (全部提现)", () => {
  it("is the largest amount whose fee the balance still pays, for any rate, minimum and balance", () => {
    // Against the definition, by brute force around the answer: amount + fee fits, one fen more
    // does not (or it is the whole balance). Random configurations and balances, edges included.
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed % n;
    };
    const balances = [0n, 1n, 99n, 100n, 101n, 200n, 10_000n, 10_100n, 999_999_999n];
    for (let i = 0; i < 400; i++) {
      const cfg = {
        feeRateBp: [0, 1, 10, 25, 100, 9_999, 10_000][rand(7)] as number,
        feeMin: BigInt([0, 1, 100, 200, 5_000][rand(5)] as number),
        autoApproveMax: 200_000n,
        dualApprovalMin: 5_000_000n,
      };
      const available = i < balances.length ? (balances[i] as bigint) : BigInt(rand(2_000_000_000));
      const max = largestWithdrawal(cfg, available);
      const fits = (a: bigint) => a + withdrawalFee(cfg, a) <= available;
      expect(max >= 0n && max <= available).toBe(true);
      if (max > 0n) expect(fits(max)).toBe(true);
      expect(fits(max + 1n)).toBe(false);
    }
  });

  it("is what the balance pays for, and a withdrawal of exactly that leaves nothing", async () => {
    const c = await customerWithCard(10_000n);
    const max = await c.client.get("/api/v1/wallet/withdrawals/max");
    expect(max.statusCode, max.body).toBe(200);
    // ¥100: at least ¥1 of fee, so ¥99 goes out and ¥1 pays for it.
    expect(max.json()).toEqual({
      available: 10_000,
      amount: 9_900,
      fee: 100,
      total: 10_000,
      currency: "CNY",
    });
    const res = await withdraw(c, max.json().amount);
    expect(res.statusCode, res.body).toBe(201);
    expect(await availableOf(c)).toBe(0);
    expect((await c.client.get("/api/v1/wallet/withdrawals/max")).json()).toEqual({
      available: 0,
      amount: 0,
      fee: 0,
      total: 0,
      currency: "CNY",
    });
    const bad = await c.client.get("/api/v1/wallet/withdrawals/max", { query: { currency: "USD" } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe("validation_failed");
  });
});

describe("money rules", () => {
  it("counts the fee against the balance: all of it cannot be withdrawn", async () => {
    const c = await customerWithCard(10_000n);
    const all = await withdraw(c, 10_000);
    expect(all.statusCode).toBe(422);
    expect(all.json().code).toBe("insufficient_funds");
    expect(
      await t.db.selectFrom("withdrawals").selectAll().where("user_id", "=", c.user.id).execute(),
    ).toEqual([]);
    const allButFee = await withdraw(c, 9_900);
    expect(allButFee.statusCode, allButFee.body).toBe(201);
    expect(await availableOf(c)).toBe(0);
  });

  it("returns the first 201 for the same Idempotency-Key and body, holding once, even with a used code", async () => {
    const c = await customerWithCard(50_000n);
    const key = randomUUID();
    const otp = await sendOtp(t, { to: c.phone, purpose: "withdrawal" });
    const first = await withdraw(c, 10_000, { key, otp });
    expect(first.statusCode).toBe(201);
    const again = await withdraw(c, 10_000, { key, otp });
    expect(again.statusCode).toBe(201);
    expect(again.json().id).toBe(first.json().id);
    expect(await availableOf(c)).toBe(50_000 - 10_100);
    const conflict = await withdraw(c, 20_000, { key });
    expect(conflict.statusCode).toBe(409);
    expect(conflict.json().code).toBe("idempotency_conflict");
    expect(await availableOf(c)).toBe(50_000 - 10_100);
  });

  it("never overdraws one account under many parallel withdrawals and transfers; each 201 moved money once", async () => {
    const c = await customerWithCard(100_000n);
    const payee = await fundedCustomer(t, 0n, { name: "李收款" });
    // Withdrawals go through the money path directly: a phone has one live SMS code per purpose,
    // so parallel requests cannot each carry a fresh one. Transfers go through HTTP.
    const withdrawals = Array.from({ length: 12 }, () =>
      placeWithdrawal(
        t.ctx,
        c.user.id,
        { amount: 6_000n, currency: "CNY", bankCardId: c.cardId },
        randomUUID(),
        {
          ip: null,
        },
      ).then(
        (r) => ({ ok: true as const, id: r.withdrawal.id, total: 6_100 }),
        (err: { code?: string }) => ({ ok: false as const, code: err.code }),
      ),
    );
    const transfers = Array.from({ length: 12 }, () =>
      c.client
        .post(
          "/api/v1/wallet/transfers",
          { to: payee.phone, amount: 3_000, currency: "CNY", paymentPassword: PAYMENT_PASSWORD },
          { headers: { "idempotency-key": randomUUID() } },
        )
        .then((res) =>
          res.statusCode === 201
            ? { ok: true as const, id: res.json().id as string, total: 3_000 }
            : { ok: false as const, code: res.json().code as string },
        ),
    );
    const results = await Promise.all([...withdrawals, ...transfers]);
    const okResults = results.filter((r) => r.ok);
    const refused = results.filter((r) => !r.ok);
    for (const r of refused) expect(r.code).toBe("insufficient_funds");
    const spent = okResults.reduce((sum, r) => sum + r.total, 0);
    expect(spent).toBeLessThanOrEqual(100_000);
    // 12 × ¥61 + 12 × ¥30 = ¥1,092 asked for ¥1,000: some must have been refused.
    expect(refused.length).toBeGreaterThan(0);
    expect(await availableOf(c)).toBe(100_000 - spent);

    // Each 201 is in the ledger exactly once.
    const ids = okResults.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    const wIds = okResults.filter((r) => r.total === 6_100).map((r) => r.id);
    const tIds = okResults.filter((r) => r.total === 3_000).map((r) => r.id);
    if (tIds.length > 0) {
      const found = await t.db.selectFrom("ledger_transfers").select("id").where("id", "in", tIds).execute();
      expect(found).toHaveLength(tIds.length);
    }
    if (wIds.length > 0) {
      const holds = await t.db
        .selectFrom("withdrawals as w")
        .innerJoin("ledger_transfers as h", "h.id", "w.hold_id")
        .select(["w.id", "h.amount"])
        .where("w.id", "in", wIds)
        .execute();
      expect(holds).toHaveLength(wIds.length);
      for (const h of holds) expect(h.amount).toBe(6_100n);
    }
    expect(await verifyLedger(t.db)).toMatchObject({ ok: true });

    await bankSettles();
    const settled = await t.db
      .selectFrom("withdrawals")
      .select("status")
      .where("user_id", "=", c.user.id)
      .execute();
    expect(settled.every((w) => w.status === "succeeded")).toBe(true);
    expect(await availableOf(c)).toBe(100_000 - spent);
    expect(await verifyLedger(t.db)).toMatchObject({ ok: true });
  });
});

describe("reading withdrawals", () => {
  it("lists mine newest first with a cursor, and hides other customers'", async () => {
    const c = await customerWithCard(100_000n);
    const made: string[] = [];
    for (let i = 0; i < 3; i++) made.push((await withdraw(c, 1_000 + i)).json().id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: Record<string, string> = { limit: "2" };
      if (cursor) query.cursor = cursor;
      const res = await c.client.get("/api/v1/wallet/withdrawals", { query });
      expect(res.statusCode, res.body).toBe(200);
      seen.push(...res.json().items.map((i: { id: string }) => i.id));
      cursor = res.json().nextCursor;
    } while (cursor);
    expect(seen).toEqual([...made].reverse());

    const stranger = await fundedCustomer(t);
    expect((await stranger.client.get(`/api/v1/wallet/withdrawals/${made[0]}`)).statusCode).toBe(404);
    expect((await stranger.client.get("/api/v1/wallet/withdrawals")).json().items).toEqual([]);
    const forged = await c.client.get("/api/v1/wallet/withdrawals", { query: { cursor: "nope" } });
    expect(forged.json().code).toBe("bad_request");
  });

  it("requires an Idempotency-Key and a well-formed body", async () => {
    const c = await customerWithCard(50_000n);
    const noKey = await c.client.post("/api/v1/wallet/withdrawals", {
      amount: 100,
      currency: "CNY",
      bankCardId: c.cardId,
      paymentPassword: PAYMENT_PASSWORD,
      otp: "123456",
    });
    expect(noKey.statusCode).toBe(400);
    const bad = await withdraw(c, 0, { otp: "123456" });
    expect(bad.json().code).toBe("validation_failed");
    const staff: LoggedIn = await createStaff(t, { roles: ["finance"] });
    const forbidden = await staff.client.get("/api/v1/wallet/withdrawals");
    expect(forbidden.statusCode).toBe(403);
  });
});
