import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/harness.js";
import { DomainError } from "../../http/errors.js";
import {
  type Account,
  createHold,
  expireHolds,
  getBalance,
  getHold,
  getOrCreateSystemAccount,
  type HoldRequest,
  postHold,
  postTransfer,
  systemAccountCode,
  verifyLedger,
  voidHold,
} from "./index.js";
import { customerAccount, rowCounts } from "./test-support.js";

let t: TestApp;
let clearing: Account;
beforeAll(async () => {
  t = await createTestApp();
  clearing = await getOrCreateSystemAccount(
    t.ctx,
    systemAccountCode("withdrawal_clearing", "CNY"),
    "CNY",
    "withdrawal_clearing",
  );
});
afterAll(async () => {
  await t.close();
});

const HOUR = 3_600_000;

async function failure(work: Promise<unknown>): Promise<DomainError> {
  try {
    await work;
  } catch (err) {
    if (err instanceof DomainError) return err;
    throw err;
  }
  throw new Error("expected a DomainError");
}

/** A customer with `funds`, and a withdrawal hold of `amount` on them for an hour. */
async function withdrawalHold(funds: bigint, amount: bigint, extra: Partial<HoldRequest> = {}) {
  const customer = await customerAccount(t, funds);
  const { transfer } = await createHold(t.ctx, {
    idempotencyKey: `test:${randomUUID()}`,
    type: "withdrawal",
    debitAccountId: customer.id,
    creditAccountId: clearing.id,
    amount,
    currency: "CNY",
    expiresAt: new Date(t.clock.now().getTime() + HOUR),
    ...extra,
  });
  return { customer, hold: transfer };
}

describe("holds", () => {
  it("reserves funds: the balance stays, the available amount drops, nothing is posted yet", async () => {
    const { customer, hold } = await withdrawalHold(1_000n, 600n);
    expect(hold.status).toBe("pending");
    expect(await getBalance(t.ctx, customer.id)).toMatchObject({
      balance: 1_000n,
      pendingDebits: 600n,
      available: 400n,
    });
    expect((await getBalance(t.ctx, clearing.id)).pendingCredits).toBeGreaterThanOrEqual(600n);
    const entries = await t.db
      .selectFrom("ledger_entries")
      .select("id")
      .where("transfer_id", "=", hold.id)
      .execute();
    expect(entries).toEqual([]);
    expect((await getHold(t.ctx, hold.id)).status).toBe("pending");
  });

  it("refuses a transfer or a second hold that would spend held money", async () => {
    const { customer } = await withdrawalHold(1_000n, 600n);
    const other = await customerAccount(t);
    const spend = await failure(
      postTransfer(t.ctx, {
        idempotencyKey: `test:${randomUUID()}`,
        type: "transfer",
        debitAccountId: customer.id,
        creditAccountId: other.id,
        amount: 401n,
        currency: "CNY",
      }),
    );
    expect(spend.code).toBe("insufficient_funds");
    const second = await failure(
      createHold(t.ctx, {
        idempotencyKey: `test:${randomUUID()}`,
        type: "withdrawal",
        debitAccountId: customer.id,
        creditAccountId: clearing.id,
        amount: 401n,
        currency: "CNY",
        expiresAt: new Date(t.clock.now().getTime() + HOUR),
      }),
    );
    expect(second.code).toBe("insufficient_funds");
  });

  it("posts a hold in full", async () => {
    const { customer, hold } = await withdrawalHold(1_000n, 600n);
    const posting = await postHold(t.ctx, hold.id);
    expect(posting).toMatchObject({ status: "posted", amount: 600n, holdId: hold.id, type: "withdrawal" });
    expect(await getBalance(t.ctx, customer.id)).toMatchObject({
      balance: 400n,
      pendingDebits: 0n,
      available: 400n,
    });
    expect(await getHold(t.ctx, hold.id)).toMatchObject({
      status: "posted",
      postedAmount: 600n,
      postingTransferId: posting.id,
    });
  });

  it("posts part of a hold and releases the rest", async () => {
    const { customer, hold } = await withdrawalHold(1_000n, 600n);
    await postHold(t.ctx, hold.id, { amount: 250n });
    expect(await getBalance(t.ctx, customer.id)).toMatchObject({
      balance: 750n,
      pendingDebits: 0n,
      available: 750n,
    });
    expect(await getHold(t.ctx, hold.id)).toMatchObject({ status: "posted", postedAmount: 250n });
  });

  it("refuses to post more than was held", async () => {
    const { hold } = await withdrawalHold(1_000n, 600n);
    const err = await failure(postHold(t.ctx, hold.id, { amount: 601n }));
    expect(err.code).toBe("validation_failed");
    expect((await getHold(t.ctx, hold.id)).status).toBe("pending");
  });

  it("voids a hold: the funds are available again and nothing moved", async () => {
    const { customer, hold } = await withdrawalHold(1_000n, 600n);
    const voided = await voidHold(t.ctx, hold.id, { reason: "settlement failed" });
    expect(voided.status).toBe("voided");
    expect(await getBalance(t.ctx, customer.id)).toMatchObject({
      balance: 1_000n,
      pendingDebits: 0n,
      available: 1_000n,
    });
  });

  it("cannot post a voided hold, nor void a posted one, nor post one twice", async () => {
    const first = await withdrawalHold(1_000n, 100n);
    await voidHold(t.ctx, first.hold.id);
    const postVoided = await failure(postHold(t.ctx, first.hold.id));
    expect([postVoided.code, postVoided.details.status]).toEqual(["hold_not_pending", "voided"]);

    const second = await withdrawalHold(1_000n, 100n);
    await postHold(t.ctx, second.hold.id);
    const before = await rowCounts(t);
    const voidPosted = await failure(voidHold(t.ctx, second.hold.id));
    expect([voidPosted.code, voidPosted.details.status]).toEqual(["hold_not_pending", "posted"]);
    expect((await failure(postHold(t.ctx, second.hold.id))).code).toBe("hold_not_pending");
    expect(await rowCounts(t)).toEqual(before);
    expect(await getBalance(t.ctx, second.customer.id)).toMatchObject({ balance: 900n, pendingDebits: 0n });
  });

  it("lets exactly one of a post and a void racing for the same hold win", async () => {
    for (let round = 0; round < 5; round++) {
      const { customer, hold } = await withdrawalHold(1_000n, 300n);
      const outcomes = await Promise.allSettled([postHold(t.ctx, hold.id), voidHold(t.ctx, hold.id)]);
      expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(1);
      const status = (await getHold(t.ctx, hold.id)).status;
      expect((await getBalance(t.ctx, customer.id)).balance).toBe(status === "posted" ? 700n : 1_000n);
    }
  });

  it("expires holds past their time and leaves the others", async () => {
    const soon = await withdrawalHold(1_000n, 100n, {
      expiresAt: new Date(t.clock.now().getTime() + 10 * 60_000),
    });
    const later = await withdrawalHold(1_000n, 100n, {
      expiresAt: new Date(t.clock.now().getTime() + 2 * HOUR),
    });
    t.clock.advance(5 * 60_000);
    expect(await expireHolds(t.ctx)).toBe(0);
    t.clock.advance(5 * 60_000);
    // Once its time has passed, a hold cannot be posted even before the job has run.
    expect((await failure(postHold(t.ctx, soon.hold.id))).details.status).toBe("expired");
    expect(await expireHolds(t.ctx)).toBeGreaterThanOrEqual(1);
    expect((await getHold(t.ctx, soon.hold.id)).status).toBe("expired");
    expect((await getBalance(t.ctx, soon.customer.id)).available).toBe(1_000n);
    expect((await getHold(t.ctx, later.hold.id)).status).toBe("pending");
    expect((await getBalance(t.ctx, later.customer.id)).available).toBe(900n);
    expect(await expireHolds(t.ctx)).toBe(0);
    expect((await failure(voidHold(t.ctx, soon.hold.id))).details.status).toBe("expired");
    t.clock.advance(2 * HOUR);
    await expireHolds(t.ctx);
    expect((await getHold(t.ctx, later.hold.id)).status).toBe("expired");
  });

  it("expires each hold once when several processes run the expiry job at the same moment", async () => {
    await expireHolds(t.ctx);
    const holds = await Promise.all(
      Array.from({ length: 6 }, () =>
        withdrawalHold(1_000n, 100n, { expiresAt: new Date(t.clock.now().getTime() + 60_000) }),
      ),
    );
    t.clock.advance(60_000);
    const counts = await Promise.all(Array.from({ length: 3 }, () => expireHolds(t.ctx)));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(holds.length);
    for (const { customer, hold } of holds) {
      expect((await getHold(t.ctx, hold.id)).status).toBe("expired");
      expect((await getBalance(t.ctx, customer.id)).available).toBe(1_000n);
    }
  });

  it("replays a hold request under the same key instead of holding twice", async () => {
    const customer = await customerAccount(t, 1_000n);
    const request: HoldRequest = {
      idempotencyKey: `test:${randomUUID()}`,
      type: "withdrawal",
      debitAccountId: customer.id,
      creditAccountId: clearing.id,
      amount: 400n,
      currency: "CNY",
      expiresAt: new Date(t.clock.now().getTime() + HOUR),
    };
    const results = await Promise.all([createHold(t.ctx, request), createHold(t.ctx, request)]);
    expect(results[0].transfer.id).toBe(results[1].transfer.id);
    expect((await getBalance(t.ctx, customer.id)).pendingDebits).toBe(400n);
    expect((await failure(createHold(t.ctx, { ...request, amount: 401n }))).code).toBe(
      "idempotency_conflict",
    );
  });

  it("refuses a hold that has already expired or is not a hold", async () => {
    const customer = await customerAccount(t, 1_000n);
    const err = await failure(
      createHold(t.ctx, {
        idempotencyKey: `test:${randomUUID()}`,
        type: "withdrawal",
        debitAccountId: customer.id,
        creditAccountId: clearing.id,
        amount: 1n,
        currency: "CNY",
        expiresAt: t.clock.now(),
      }),
    );
    expect(err.code).toBe("validation_failed");
    const { transfer } = await postTransfer(t.ctx, {
      idempotencyKey: `test:${randomUUID()}`,
      type: "payment",
      debitAccountId: customer.id,
      creditAccountId: clearing.id,
      amount: 1n,
      currency: "CNY",
    });
    expect((await failure(postHold(t.ctx, transfer.id))).code).toBe("not_found");
    expect((await failure(voidHold(t.ctx, randomUUID()))).code).toBe("not_found");
  });

  it("leaves a ledger that verifies after all of the above", async () => {
    const result = await verifyLedger(t.db);
    expect(result.problems).toEqual([]);
    expect(result.ok).toBe(true);
  });
});
