// Proof: money stays right through crashes. The real server runs as a child process and takes
// HTTP load (top-ups through the sandbox, transfers, double-sends, replays); the test kills it
// with SIGKILL mid-load and starts it again, then kills PostgreSQL itself under the running
// server and restarts it. Clients retry what got no answer with the same Idempotency-Key, as
// they should. Afterwards every 201 seen is in the ledger exactly once, nothing is half-written
// and verifyLedger passes.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { systemClock } from "../src/clock.js";
import { createCrypto } from "../src/crypto.js";
import { createDb, type Db } from "../src/db/database.js";
import { createTestDatabase } from "./harness.js";
import { HttpClient } from "./support/money-client.js";
import { checkMoney, MoneyLoad, type Party, seedParties } from "./support/money-load.js";
import {
  freePort,
  killLeftovers,
  readiness,
  type ServerProcess,
  startOwnPostgres,
  startServer,
} from "./support/processes.js";
import { waitFor } from "./support/wait.js";

const CUSTOMERS = 10;
const WORKERS = 10;
// 201s (and credited top-ups) to see before each kill and again after the restart.
const PER_PHASE = 30;
const START_FUNDS = 20_000n;
// Two server starts (and a PostgreSQL start) on a loaded two-core machine: generous.
const TIME_LIMIT = 300_000;

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterAll(async () => {
  await killLeftovers();
  for (const step of cleanups.reverse()) await step();
});

function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function partiesOn(db: Db, secret: Buffer, server: ServerProcess): Promise<Party[]> {
  const deps = { db, clock: systemClock, crypto: createCrypto(secret) };
  return seedParties(deps, CUSTOMERS, (i) => new HttpClient(server.url, `203.0.113.${50 + i}`), START_FUNDS);
}

/** Waits until the clients have seen `more` further successes, with requests in flight. */
async function loadRuns(load: MoneyLoad, more: number, what: string): Promise<void> {
  const target = load.successes() + more;
  await waitFor(() => load.successes() >= target || load.failures().length > 0, {
    what: `${more} successes ${what}`,
    timeoutMs: 90_000,
  });
  if (load.failures().length) throw load.failures()[0];
  await waitFor(() => load.inFlight() >= 2, { what: "requests in flight", timeoutMs: 10_000, intervalMs: 5 });
}

/**
 * What became of the requests that were in flight when something died: each was retried with
 * its key until answered; a 201 then either replayed what had committed before the crash or ran
 * afresh. Both must be in the ledger exactly once (checkMoney), this only counts them.
 */
async function fatesOfInFlight(db: Db, load: MoneyLoad, crashedAt: Date) {
  const hit = load.requests.filter((r) => r.answers.some((a) => a.kind === "lost"));
  const fates = { replayed: 0, afresh: 0, refused: 0 };
  for (const r of hit) {
    const last = r.answers.at(-1);
    if (last?.kind !== "ok") {
      fates.refused += 1;
      continue;
    }
    const row = await db
      .selectFrom("ledger_transfers")
      .select("created_at")
      .where("id", "=", last.id)
      .executeTakeFirst();
    if (row && row.created_at < crashedAt) fates.replayed += 1;
    else fates.afresh += 1;
  }
  const topups = load.topups.filter((t) => t.opened.some((a) => a.kind === "lost")).length;
  return { requests: hit.length, ...fates, topups };
}

describe("crashes under load", () => {
  it(
    "loses no money and doubles none when the server is killed with SIGKILL mid-load and started again",
    async () => {
      const started = performance.now();
      const databaseUrl = await createTestDatabase();
      const { db } = createDb(databaseUrl, 4);
      cleanups.push(() => db.destroy());
      const secret = randomBytes(32);
      const options = {
        databaseUrl,
        dataDir: tempDir("oc-crash-server-"),
        secretKeyHex: secret.toString("hex"),
        port: await freePort(),
      };
      const first = await startServer(options);
      const load = new MoneyLoad(await partiesOn(db, secret, first));
      await load.discoverMerchants();
      expect(load.merchants.length).toBeGreaterThan(0);
      load.start(WORKERS);

      await loadRuns(load, PER_PHASE, "before the kill");
      const inFlight = load.inFlight();
      load.outage();
      const crashedAt = new Date();
      await first.kill9();
      expect(await readiness(first.url)).toBeNull();

      const restarting = performance.now();
      const second = await startServer(options);
      const restartSeconds = (performance.now() - restarting) / 1000;
      cleanups.push(() => second.stop());
      load.recovered();
      await loadRuns(load, PER_PHASE, "after the restart");
      await load.stop();

      const fates = await fatesOfInFlight(db, load, crashedAt);
      console.log(
        `server kill: ${((performance.now() - started) / 1000).toFixed(1)} s, ${inFlight} requests in flight at the kill, ` +
          `restart to /readyz 200 in ${restartSeconds.toFixed(1)} s\n` +
          `${load.summary()}\nin-flight money requests: ${JSON.stringify(fates)}`,
      );
      expect(load.lostInOutage).toBeGreaterThan(0);
      expect(second.exited()).toBe(false);
      expect(await checkMoney(db, load)).toEqual([]);
    },
    TIME_LIMIT,
  );

  it(
    "survives PostgreSQL killed with SIGKILL under the running server: /readyz goes red then green, the pool recovers, the ledger is exact",
    async () => {
      const started = performance.now();
      const postgres = await startOwnPostgres(tempDir("oc-crash-pg-"));
      cleanups.push(() => postgres.stop());
      const secret = randomBytes(32);
      const server = await startServer({
        databaseUrl: postgres.url,
        dataDir: tempDir("oc-crash-server-"),
        secretKeyHex: secret.toString("hex"),
        port: await freePort(),
      });
      cleanups.push(() => server.stop());
      const { db } = createDb(postgres.url, 4);
      cleanups.push(() => db.destroy());
      const load = new MoneyLoad(await partiesOn(db, secret, server));
      await load.discoverMerchants();
      expect(load.merchants.length).toBeGreaterThan(0);
      load.start(WORKERS);

      await loadRuns(load, PER_PHASE, "before PostgreSQL is killed");
      const inFlight = load.inFlight();
      load.outage();
      const crashedAt = new Date();
      const killing = performance.now();
      await postgres.kill9();
      await waitFor(async () => (await readiness(server.url)) === 503, { what: "/readyz to go red" });
      const redSeconds = (performance.now() - killing) / 1000;
      const restarting = performance.now();

      await postgres.start();
      await waitFor(async () => (await readiness(server.url)) === 200, { what: "/readyz to go green" });
      const greenSeconds = (performance.now() - restarting) / 1000;
      load.recovered();
      await loadRuns(load, PER_PHASE, "after PostgreSQL is back");
      await load.stop();

      const fates = await fatesOfInFlight(db, load, crashedAt);
      console.log(
        `PostgreSQL kill: ${((performance.now() - started) / 1000).toFixed(1)} s, ${inFlight} requests in flight at the kill, ` +
          `/readyz 503 after ${redSeconds.toFixed(1)} s, PostgreSQL restarted and /readyz 200 after ${greenSeconds.toFixed(1)} s\n` +
          `${load.summary()}\nin-flight money requests: ${JSON.stringify(fates)}`,
      );
      expect(server.exited(), server.log()).toBe(false);
      expect(load.lostInOutage).toBeGreaterThan(0);
      expect(await checkMoney(db, load)).toEqual([]);
    },
    TIME_LIMIT,
  );
});
