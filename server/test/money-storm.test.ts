// Proof: a storm of 1,000 gateway notifications — duplicates, late ones (after the pending-query
// job already settled the top-up), stale "created" reports overtaking "paid", and forgeries —
// fired at once at the sandbox callback credits each of 100 top-ups exactly once.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NOTIFY_PATH } from "../src/modules/gateways/sandbox/service.js";
import { SIGNATURE_HEADER, signMessage } from "../src/modules/gateways/sandbox/signature.js";
import { verifyLedger } from "../src/modules/ledger/index.js";
import { notifyAllBalanceChanges } from "../src/modules/notify/index.js";
import { settleStalePendingTopups } from "../src/modules/wallet/topups.js";
import { createCustomer, type LoggedIn } from "./factories.js";
import { createTestApp, type TestApp } from "./harness.js";

const CUSTOMERS = 20;
const TOPUPS = 100;
// The first 30 are settled by the pending-query job before any notification arrives.
const SETTLED_BY_JOB = 30;
const NOTIFICATIONS = 1_000;
// A provider calls back from a handful of servers; each stays under the per-IP request limit.
const GATEWAY_IPS = Array.from({ length: 8 }, (_, i) => `198.51.100.${10 + i}`);
const TIME_LIMIT = 240_000;

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

type Topup = {
  id: string;
  paymentId: string;
  amount: number;
  outcome: "paid" | "failed";
  customer: LoggedIn;
};
type Notification = { body: string; signature: string | undefined; genuine: boolean; topupId: string };

async function openTopup(customer: LoggedIn, amount: number, outcome: Topup["outcome"]): Promise<Topup> {
  const res = await customer.client.post(
    "/api/v1/wallet/topups",
    { amount, currency: "CNY", method: "sandbox" },
    { headers: { "idempotency-key": `storm-${randomUUID()}` } },
  );
  expect(res.statusCode, res.body).toBe(201);
  const body = res.json() as { id: string; payUrl: string };
  const paymentId = /\/sandbox-gateway\/pay\/([0-9a-f-]{36})$/.exec(body.payUrl)?.[1];
  if (!paymentId) throw new Error(`no payment id in ${body.payUrl}`);
  const finished = await customer.client.post(
    `/sandbox-gateway/payments/${paymentId}/${outcome === "paid" ? "pay" : "fail"}`,
    {},
  );
  expect(finished.statusCode, finished.body).toBe(200);
  return { id: body.id, paymentId, amount, outcome, customer };
}

function signed(body: string): string {
  return signMessage(t.ctx.crypto, body, t.clock.now());
}

/** Deterministic shuffle (a fixed LCG), so a failure can be replayed. */
function shuffle<T>(items: T[], seed = 20261122): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1_103_515_245 + 12_345) % 2 ** 31;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

async function fire(n: Notification, i: number) {
  const res = await t.app.inject({
    method: "POST",
    url: NOTIFY_PATH,
    headers: {
      "content-type": "application/json",
      ...(n.signature === undefined ? {} : { [SIGNATURE_HEADER]: n.signature }),
    },
    remoteAddress: GATEWAY_IPS[i % GATEWAY_IPS.length],
    payload: n.body,
  });
  const outcome = res.statusCode === 200 ? (res.json() as { outcome: string }).outcome : null;
  return { n, status: res.statusCode, outcome, code: res.statusCode === 200 ? null : res.json().code };
}

describe("a notification storm", () => {
  it(
    `credits each of ${TOPUPS} top-ups exactly once under ${NOTIFICATIONS} concurrent duplicate, late, reordered and forged notifications`,
    async () => {
      const customers = await Promise.all(Array.from({ length: CUSTOMERS }, () => createCustomer(t)));
      customers.forEach((c, i) => {
        c.client.ip = `203.0.113.${20 + i}`;
      });
      const topups: Topup[] = [];
      for (let i = 0; i < TOPUPS; i++) {
        const customer = customers[i % CUSTOMERS] as LoggedIn;
        topups.push(await openTopup(customer, 1_000 + i, i % 5 === 4 ? "failed" : "paid"));
        // The early ones age past the pending-query threshold; the rest stay young.
        if (i === SETTLED_BY_JOB - 1) t.clock.advance(11 * 60_000);
      }
      const byJob = await settleStalePendingTopups(t.ctx, { olderThanMs: 10 * 60_000 });
      const early = topups.slice(0, SETTLED_BY_JOB);
      expect(byJob.credited + byJob.failed).toBe(SETTLED_BY_JOB);
      expect(byJob.credited).toBe(early.filter((x) => x.outcome === "paid").length);

      // What the gateway itself queued (its real messages, some already duplicated), sent as
      // many times as needed to make six copies per top-up.
      const outbox = await t.db
        .selectFrom("sandbox_gateway_notifications")
        .select(["payment_id", "body"])
        .execute();
      const storm: Notification[] = [];
      for (const topup of topups) {
        const messages = outbox.filter((o) => o.payment_id === topup.paymentId).map((o) => o.body);
        expect(messages.length).toBeGreaterThanOrEqual(1);
        for (let copy = 0; copy < 6; copy++) {
          const body = messages[copy % messages.length] as string;
          storm.push({ body, signature: signed(body), genuine: true, topupId: topup.id });
        }
        // A stale "created" report of the same payment, overtaking or trailing the outcome.
        const created = JSON.stringify({
          paymentId: topup.paymentId,
          merchantOrderId: topup.id,
          amount: topup.amount,
          currency: "CNY",
          status: "created",
          paidAt: null,
        });
        storm.push({ body: created, signature: signed(created), genuine: true, topupId: topup.id });
        // Forgeries: the outcome flipped or the amount raised under the genuine signature, and a
        // message with no signature at all.
        const truth = messages[0] as string;
        const flipped = truth.includes('"status":"paid"')
          ? truth.replace('"status":"paid"', '"status":"failed"')
          : truth.replace('"status":"failed"', '"status":"paid"');
        const raised = truth.replace(`"amount":${topup.amount}`, `"amount":${topup.amount * 100}`);
        expect(flipped).not.toBe(truth);
        expect(raised).not.toBe(truth);
        storm.push({ body: flipped, signature: signed(truth), genuine: false, topupId: topup.id });
        storm.push({ body: raised, signature: signed(truth), genuine: false, topupId: topup.id });
        storm.push({ body: truth, signature: undefined, genuine: false, topupId: topup.id });
      }
      expect(storm).toHaveLength(NOTIFICATIONS);

      const started = performance.now();
      const results = await Promise.all(shuffle(storm).map(fire));
      const seconds = (performance.now() - started) / 1000;
      console.log(`storm: ${NOTIFICATIONS} notifications in ${seconds.toFixed(1)} s`);

      // Genuine messages are all accepted; every forgery is refused as a bad signature.
      for (const r of results) {
        if (r.n.genuine) expect(r.status, r.n.body).toBe(200);
        else expect([r.status, r.code]).toEqual([401, "invalid_signature"]);
      }
      // Exactly one message per top-up not settled by the job changed it; every other said "unchanged".
      const changing = results.filter((r) => r.outcome === "credited" || r.outcome === "failed");
      expect(changing.map((r) => r.n.topupId).sort()).toEqual(
        topups
          .slice(SETTLED_BY_JOB)
          .map((x) => x.id)
          .sort(),
      );

      const paid = topups.filter((x) => x.outcome === "paid");
      const credits = await t.db
        .selectFrom("ledger_transfers")
        .select(["idempotency_key", "amount"])
        .where("type", "=", "topup")
        .execute();
      expect(credits.map((c) => c.idempotency_key).sort()).toEqual(paid.map((x) => `topup:${x.id}`).sort());
      const rows = await t.db.selectFrom("topups").select(["id", "status", "ledger_transfer_id"]).execute();
      for (const topup of topups) {
        const row = rows.find((r) => r.id === topup.id);
        expect(row?.status).toBe(topup.outcome === "paid" ? "succeeded" : "failed");
      }

      // Balances and the customers' inboxes agree: one credit and one notice per paid top-up
      // (the balance-change notice, the only one a credit gets).
      await notifyAllBalanceChanges(t.ctx);
      for (const c of customers) {
        const mine = paid.filter((x) => x.customer === c);
        const wallet = (await c.client.get("/api/v1/wallet")).json() as {
          accounts: { currency: string; available: number }[];
        };
        expect(wallet.accounts.find((a) => a.currency === "CNY")?.available).toBe(
          mine.reduce((sum, x) => sum + x.amount, 0),
        );
        const inbox = (await c.client.get("/api/v1/me/notifications", { query: { limit: "50" } })).json() as {
          items: { kind: string }[];
        };
        expect(inbox.items.filter((n) => n.kind === "wallet.balance_changed")).toHaveLength(mine.length);
      }

      const verification = await verifyLedger(t.db);
      expect(verification.problems).toEqual([]);
      expect(verification.ok).toBe(true);
    },
    TIME_LIMIT,
  );
});
