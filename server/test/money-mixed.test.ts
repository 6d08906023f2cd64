// Proof: many customers at once topping up through the sandbox gateway, transferring to each
// other, double-sending, replaying old Idempotency-Keys and reusing keys for other bodies, all
// through the HTTP API. Afterwards every 201 a client saw is in the ledger exactly once, no
// refused request left a row, every balance is what the 201s add up to, and verifyLedger passes.
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postTransfer } from "../src/modules/ledger/index.js";
import { seedDemoMerchants } from "../src/modules/wallet/payments.js";
import { createTestApp, type TestApp } from "./harness.js";
import { injectClient } from "./support/money-client.js";
import { checkMoney, MoneyLoad, type Party, seedParties } from "./support/money-load.js";
import { waitFor } from "./support/wait.js";

const CUSTOMERS = 16;
const WORKERS = 24;
const SUCCESSES = 300;
// Small purses, so transfers are refused for want of money as well as let through.
const START_FUNDS = 5_000n;
const TIME_LIMIT = 240_000;

// The app's error log, to explain any 5xx a client saw.
const errorLines: string[] = [];
const serverErrors = new Writable({
  write(chunk, _encoding, done) {
    errorLines.push(String(chunk).slice(0, 2_000));
    done();
  },
});

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ logLevel: "error" }, serverErrors);
});
afterAll(async () => {
  await t.close();
});

describe("mixed money traffic from many clients at once", () => {
  it(
    `keeps every one of ${SUCCESSES}+ answered 201s in the ledger exactly once, with ${WORKERS} clients at once`,
    async () => {
      const parties = await seedParties(
        t.ctx,
        CUSTOMERS,
        (i) => {
          const client = t.client();
          client.ip = `203.0.113.${100 + i}`;
          return injectClient(client);
        },
        START_FUNDS,
      );
      const load = new MoneyLoad(parties);
      await seedDemoMerchants(t.ctx);
      await load.discoverMerchants();
      expect(load.merchants.length).toBeGreaterThan(0);
      const started = performance.now();
      load.start(WORKERS);
      await waitFor(() => load.successes() >= SUCCESSES || load.failures().length > 0, {
        what: `${SUCCESSES} successes`,
        timeoutMs: TIME_LIMIT - 30_000,
      });
      await load.stop();
      const seconds = (performance.now() - started) / 1000;
      console.log(`mixed load in ${seconds.toFixed(1)} s\n${load.summary()}`);

      // A healthy server answers everything definitively.
      expect(load.lostWhileUp, errorLines.join("\n")).toEqual([]);
      // The load did what it claims: replays answered 201 again, keys were reused, money ran short.
      const answers = load.requests.flatMap((r) => r.answers);
      expect(
        load.requests.filter((r) => r.answers.filter((a) => a.kind === "ok").length > 1).length,
      ).toBeGreaterThan(0);
      expect(load.probes.length).toBeGreaterThan(0);
      expect(answers.some((a) => a.kind === "refused" && a.code === "insufficient_funds")).toBe(true);
      expect(load.topups.some((r) => r.outcome === "failed" && r.topupId)).toBe(true);
      const succeeded = (op: string) =>
        load.requests.filter((r) => r.op === op && r.answers.some((a) => a.kind === "ok")).length;
      expect(succeeded("transfer")).toBeGreaterThan(0);
      expect(succeeded("withdrawal")).toBeGreaterThan(0);
      expect(succeeded("payment")).toBeGreaterThan(0);

      expect(await checkMoney(t.db, load)).toEqual([]);

      // The check has teeth: one transfer no client asked for is caught, with the balances it skews.
      const [a, b] = parties as [Party, Party];
      await postTransfer(t.ctx, {
        idempotencyKey: `wallet:${a.userId}:nobody-asked`,
        type: "transfer",
        debitAccountId: a.accountId,
        creditAccountId: b.accountId,
        amount: 1n,
        currency: "CNY",
      });
      const caught = await checkMoney(t.db, load);
      expect(caught).toEqual(
        expect.arrayContaining([
          expect.stringContaining("that no client asked for"),
          expect.stringContaining(`account ${a.accountId}: available`),
        ]),
      );
    },
    TIME_LIMIT,
  );
});
