// Merchant payments through the HTTP API beside pgbench's TPC-B-like run on the same PostgreSQL,
// in the same run. `npm run bench:payments`; docs/benchmarks.md explains every choice.
//
// 1. PostgreSQL: DATABASE_URL's server (fresh databases there, dropped after) or an embedded one.
// 2. Baseline: `pgbench -i`, then `pgbench` TPC-B-like with as many clients as the app has
//    database connections, for as long as our full-load phase.
// 3. OpenCounter: 10,000 customers (rows written directly; balances through real top-up
//    transfers in the ledger), 100 merchants; the real app in a child process; every customer
//    logs in over HTTP (real sessions); then payments with an Idempotency-Key each, one merchant
//    taking 20 % of them, password-free (小额免密) so argon2 stays off the payment path:
//    closed loop at full load, then open loop at half the rate reached.
// 4. ledger verification after the run, and ONE table.
import { execFile, spawn } from "node:child_process";
import { randomBytes, randomInt, randomUUID } from "node:crypto";
import { appendFileSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import { cpus, loadavg } from "node:os";
import { constants, monitorEventLoopDelay, PerformanceObserver, performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { hash as argonHash } from "@node-rs/argon2";
import { sql } from "kysely";
import pg from "pg";
import { systemClock } from "../server/src/clock.js";
import { createDb, type Db } from "../server/src/db/database.js";
import { migrateToLatest } from "../server/src/db/migrate.js";
import { createSession, SESSION_COOKIE } from "../server/src/modules/identity/sessions.js";
import {
  getOrCreateSystemAccount,
  postTransferBatch,
  systemAccountCode,
  verifyLedger,
} from "../server/src/modules/ledger/index.js";
import { createMerchant } from "../server/src/modules/wallet/payments.js";
import { openBenchServer, withDatabase } from "./bench-db.js";
import { cpuAvailable, postmasterPid, processCpu, reapedChildrenCpu, serverCpu } from "./cpu.js";

const run = promisify(execFile);
const env = process.env;
const CUSTOMERS = Number(env.BENCH_CUSTOMERS ?? 10_000);
const MERCHANTS = 100;
const HOT_SHARE = 0.2;
/** Database connections: the app's pool, and pgbench's clients. */
const DB_CLIENTS = Number(env.BENCH_DB_CLIENTS ?? 20);
/** Payments in flight at once at full load (customers paying at the same moment). */
const CONCURRENCY = Number(env.BENCH_CONCURRENCY ?? 512);
const SECONDS = Number(env.BENCH_SECONDS ?? 20);
/**
 * Full-load rounds, each between two pgbench runs (pgbench, payments, pgbench, payments, …): the
 * ratio is taken per round against the pgbench runs on either side, and the table gives their
 * median. On a shared machine one round's ratio moves by a tenth with the neighbours' load.
 */
const ROUNDS = Math.max(1, Number(env.BENCH_ROUNDS ?? 3));
const HALF_SECONDS = Number(env.BENCH_HALF_SECONDS ?? 15);
const WARMUP_SECONDS = 3;
const PGBENCH_SCALE = Number(env.BENCH_PGBENCH_SCALE ?? DB_CLIENTS);
/** Server processes, each with its own batcher, behind the load generator's round robin. */
const APP_PROCESSES = Number(env.BENCH_APP_PROCESSES ?? 1);
// ¥100 for every customer and full-load round: a round's payments cost a customer about ¥80 at
// most, so no round runs into insufficient funds.
const TOPUP = 100_00n * BigInt(ROUNDS);
/**
 * Customers who log in over HTTP; the rest get their session from createSession, the function
 * the login route itself ends with. Every login appends to the audit log's single hash chain, so
 * logins are serialised: 10,000 of them would take minutes. BENCH_LOGINS=10000 does them all.
 */
const LOGINS = Math.min(Number(env.BENCH_LOGINS ?? 500), CUSTOMERS);
const LOGIN_PASSWORD = "Bench-Counter-2026";
const RATIO_TARGET = 1.5;
const P99_TARGET_MS = 25;

// --- PostgreSQL ---

/** pgbench's own connection settings from a URL (it takes libpq environment variables). */
function pgEnv(url: string): NodeJS.ProcessEnv {
  const u = new URL(url);
  return {
    ...env,
    PGHOST: u.hostname,
    PGPORT: u.port || "5432",
    PGUSER: decodeURIComponent(u.username || "postgres"),
    ...(u.password ? { PGPASSWORD: decodeURIComponent(u.password) } : {}),
    PGDATABASE: u.pathname.slice(1),
  };
}

async function pgbenchInit(url: string): Promise<void> {
  await run("pgbench", ["-i", "-q", "-s", String(PGBENCH_SCALE)], { env: pgEnv(url), maxBuffer: 1 << 24 });
}

async function pgbenchRun(url: string): Promise<{ tps: number; transactions: number }> {
  const { stdout } = await run(
    "pgbench",
    ["-c", String(DB_CLIENTS), "-j", "2", "-T", String(SECONDS), "-M", "prepared", "-n"],
    { env: pgEnv(url), maxBuffer: 1 << 24 },
  );
  const m = /tps = ([\d.]+) \((?:without initial connection time|excluding connections establishing)\)/.exec(
    stdout,
  );
  const n = /number of transactions actually processed: (\d+)/.exec(stdout);
  if (!m?.[1] || !n?.[1]) throw new Error(`could not read pgbench's TPS:\n${stdout}`);
  return { tps: Number(m[1]), transactions: Number(n[1]) };
}

// --- seeding ---

type Customer = { id: string; phone: string; cookie: string; ip: string };

async function seed(db: Db): Promise<{ customers: Customer[]; merchants: string[] }> {
  // Cheap argon2 parameters for the bench's own users only: 10,000 real logins at the
  // production cost would take minutes, and payments here never verify a password.
  const passwordHash = await argonHash(LOGIN_PASSWORD, { algorithm: 2, memoryCost: 1024, timeCost: 1 });
  const rows = Array.from({ length: CUSTOMERS }, (_, i) => ({
    kind: "customer" as const,
    phone: `139${String(i).padStart(8, "0")}`,
    name: `客户${i}`,
    password_hash: passwordHash,
    updated_at: new Date(),
  }));
  const customers: Customer[] = [];
  for (let i = 0; i < rows.length; i += 1000) {
    const inserted = await db
      .insertInto("users")
      .values(rows.slice(i, i + 1000))
      .returning(["id", "phone"])
      .execute();
    for (const r of inserted) {
      const n = customers.length;
      customers.push({
        id: r.id,
        phone: r.phone ?? "",
        cookie: "",
        ip: `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`,
      });
    }
  }
  await sql`
    insert into ledger_accounts (owner_user_id, currency, kind)
    select id, 'CNY', 'customer' from users where kind = 'customer'`.execute(db);
  const accounts = await db
    .selectFrom("ledger_accounts")
    .select(["id"])
    .where("kind", "=", "customer")
    .execute();
  // Balances arrive as real top-up transfers through the ledger (its batched path).
  const gateway = await getOrCreateSystemAccount(
    { db },
    systemAccountCode("gateway_clearing", "CNY"),
    "CNY",
    "gateway_clearing",
  );
  for (let i = 0; i < accounts.length; i += 500) {
    const outcomes = await postTransferBatch(
      { db, clock: systemClock },
      accounts.slice(i, i + 500).map((a) => ({
        request: {
          idempotencyKey: `bench-topup:${a.id}`,
          type: "topup" as const,
          debitAccountId: gateway.id,
          creditAccountId: a.id,
          amount: TOPUP,
          currency: "CNY",
        },
        context: undefined,
      })),
    );
    if (outcomes.some((o) => o === "retry" || !o.ok)) throw new Error("a bench top-up failed");
  }
  // 小额免密 switched on for everyone (¥10 a payment, ¥200 a day), as a customer does in the
  // portal with the payment password (PUT /api/v1/wallet/password-free); set directly here.
  await sql`
    insert into limit_settings (user_id, password_free_enabled, password_free_per_payment, password_free_daily, updated_at)
    select id, true, 1000, 20000, now() from users where kind = 'customer'`.execute(db);
  const merchants: string[] = [];
  for (let i = 0; i < MERCHANTS; i++) {
    const m = await createMerchant({ db }, { code: `bench-${i}`, name: `商户${i}`, category: "shop" });
    merchants.push(m.id);
  }
  return { customers, merchants };
}

// --- the app, in a child process ---

/** The payment batches since the last trace line (BENCH_APP_TRACE). */
const batches: { size: number; ms: number }[] = [];

function traceEventLoop(): void {
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  const gc = { pauses: 0, ms: 0, longest: 0, major: 0 };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      gc.pauses++;
      gc.ms += e.duration;
      gc.longest = Math.max(gc.longest, e.duration);
      // A minor collection is a scavenge of the young generation; the others collect the old one.
      const kind = (e as { detail?: { kind?: number } }).detail?.kind;
      if (kind !== constants.NODE_PERFORMANCE_GC_MINOR) gc.major++;
    }
  }).observe({ entryTypes: ["gc"] });
  setInterval(() => {
    const ms = (ns: number) => (ns / 1e6).toFixed(1);
    const sizes = batches.map((b) => b.size).sort((a, b) => a - b);
    const times = batches.map((b) => b.ms).sort((a, b) => a - b);
    const at = (xs: number[], q: number) => xs[Math.min(xs.length - 1, Math.floor(q * xs.length))] ?? 0;
    console.error(
      `[app] event loop delay p50 ${ms(delay.percentile(50))} p99 ${ms(delay.percentile(99))} max ${ms(delay.max)} ms; ` +
        `gc ${gc.pauses} pauses (${gc.major} old-generation), ${gc.ms.toFixed(0)} ms, longest ${gc.longest.toFixed(1)} ms; ` +
        `${batches.length} batches, size p50 ${at(sizes, 0.5)}, time p50 ${at(times, 0.5).toFixed(1)} p99 ${at(times, 0.99).toFixed(1)} max ${(times.at(-1) ?? 0).toFixed(1)} ms`,
    );
    batches.length = 0;
    delay.reset();
    Object.assign(gc, { pauses: 0, ms: 0, longest: 0, major: 0 });
  }, 3000).unref();
}

async function startApp(
  databaseUrl: string,
  attempt = 1,
): Promise<{ port: number; pid: number; stop: () => Promise<void> }> {
  // Below Linux's ephemeral range (32768–60999), so no outgoing connection holds it already.
  const port = 20000 + randomInt(5000);
  // The V8 flag `npm start` gives the server (docs/operations.md): a young generation big enough
  // that a request's short-lived objects die there (the default spent a third of the app's CPU
  // more, mostly in the scavenger).
  const nodeArgs = [
    "--max-semi-space-size=64",
    ...(env.BENCH_NODE_FLAGS ? env.BENCH_NODE_FLAGS.split(" ") : []),
    "--import",
    "tsx",
  ];
  const child = spawn(process.execPath, [...nodeArgs, fileURLToPath(import.meta.url), "--serve"], {
    env: {
      ...env,
      NODE_ENV: "production",
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      HOST: "127.0.0.1",
      SECRET_KEY: randomBytes(32).toString("hex"),
      LOG_LEVEL: "warn",
      // Each customer's own address arrives in X-Forwarded-For, as behind a real proxy:
      // per-IP limits then apply per customer, not to the bench as a whole.
      TRUST_PROXY: "true",
    },
    // stdin stays open while this process lives: the app ends when it closes (serve()), so an
    // interrupted bench leaves no server behind.
    stdio: ["pipe", "pipe", "inherit"],
  });
  try {
    await new Promise<void>((resolve, reject) => {
      child.once("exit", (code) => reject(new Error(`app exited with ${code}`)));
      child.stdout?.on("data", (d: Buffer) => {
        if (env.BENCH_APP_STDOUT) appendFileSync(env.BENCH_APP_STDOUT, d);
        if (d.toString().includes("bench-app-ready")) resolve();
      });
    });
  } catch (err) {
    // Most likely the random port was taken: another one.
    if (attempt < 3) return startApp(databaseUrl, attempt + 1);
    throw err;
  }
  return {
    port,
    pid: child.pid ?? 0,
    stop: () =>
      new Promise((resolve) => {
        child.removeAllListeners("exit");
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

async function serve(): Promise<void> {
  const [{ loadConfig }, { createContext }, { buildApp }, { PAYMENT_BATCH }] = await Promise.all([
    import("../server/src/config.js"),
    import("../server/src/runtime.js"),
    import("../server/src/app.js"),
    import("../server/src/modules/wallet/payments-routes.js"),
  ]);
  // Experiments only: the batcher's settings (defaults in payments-routes.ts).
  if (env.BENCH_BATCH_CONCURRENCY) PAYMENT_BATCH.concurrency = Number(env.BENCH_BATCH_CONCURRENCY);
  if (env.BENCH_BATCH_WAIT_MS) PAYMENT_BATCH.maxWaitMs = Number(env.BENCH_BATCH_WAIT_MS);
  if (env.BENCH_BATCH_PARALLEL_AFTER) PAYMENT_BATCH.parallelAfter = Number(env.BENCH_BATCH_PARALLEL_AFTER);
  if (env.BENCH_APP_TRACE) PAYMENT_BATCH.onBatch = (b) => batches.push(b);
  const config = loadConfig();
  const { default: pino } = await import("pino");
  const { ctx, close } = await createContext(config, config.databaseUrl ?? "", pino({ level: "warn" }));
  // With its logger, as main.ts builds it (LOG_LEVEL above): a child logger per request.
  const app = await buildApp(ctx);
  // BENCH_APP_TRACE=1: every 3 s, the app's event-loop delay and garbage-collection pauses
  // (stderr) — what a payment's latency waits on besides the database.
  if (env.BENCH_APP_TRACE) traceEventLoop();
  // As main.ts does: balance-change notices (the payer's 付款成功 among them) within a second.
  const { startBalanceNoticeLoop } = await import("../server/src/modules/notify/index.js");
  const notices = startBalanceNoticeLoop(ctx, {
    onError: (err) => console.error("[balance notices]", err),
    ...(env.BENCH_NOTICE_MS ? { intervalMs: Number(env.BENCH_NOTICE_MS) } : {}),
  });
  // BENCH_CPU_PROF=<folder>: a CPU profile of the full-load phase only (SIGUSR2 starts and stops it).
  const profileDir = env.BENCH_CPU_PROF;
  if (profileDir) {
    const { Session } = await import("node:inspector/promises");
    const { writeFileSync } = await import("node:fs");
    const session = new Session();
    session.connect();
    let running = false;
    process.on("SIGUSR2", () => {
      void (async () => {
        if (!running) {
          running = true;
          await session.post("Profiler.enable");
          await session.post("Profiler.start");
          return;
        }
        running = false;
        const { profile } = await session.post("Profiler.stop");
        writeFileSync(`${profileDir}/app-${process.pid}.cpuprofile`, JSON.stringify(profile));
      })();
    });
  }
  await app.listen({ port: config.port, host: "127.0.0.1" });
  process.stdout.write("bench-app-ready\n");
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void app
      .close()
      .then(() => notices.stop())
      .then(close)
      .finally(() => process.exit(0));
  };
  process.on("SIGTERM", stop);
  // The bench holds our stdin open for as long as it runs: when it is gone (killed, interrupted),
  // so is this server.
  process.stdin.on("end", stop).on("error", stop).resume();
}

/** Ledger entries the balance-notice loop has not reached yet. */
async function noticesBehind(db: Db): Promise<bigint> {
  const { rows } = await sql<{ behind: bigint }>`
    select coalesce((select max(id) from ledger_entries), 0) - last_entry_id as behind
    from money_notification_cursor where name = 'balance-v2'`.execute(db);
  return rows[0]?.behind ?? 0n;
}

/** Where the database's time went during the full load (BENCH_PG_STATS=1), per payment. */
async function printStatementStats(db: Db, payments: number): Promise<void> {
  const { rows } = await sql<{ calls: string; ms: number; rows: string; query: string }>`
    select calls::text, total_exec_time as ms, rows::text, regexp_replace(query, '\\s+', ' ', 'g') as query
    from pg_stat_statements s join pg_database d on d.oid = s.dbid
    where d.datname = current_database()
    order by total_exec_time desc limit 15`.execute(db);
  console.log(`\nstatements by database time during the full load (${payments} payments):`);
  for (const r of rows) {
    const perPayment = (r.ms * 1000) / Math.max(payments, 1);
    console.log(
      `${perPayment.toFixed(1).padStart(8)} µs/payment ${r.calls.padStart(7)} calls ${r.rows.padStart(8)} rows  ${r.query.slice(0, 150)}`,
    );
  }
}

// --- HTTP ---

type Reply = { status: number; headers: http.IncomingHttpHeaders; body: string };

function request(
  agent: http.Agent,
  port: number,
  method: string,
  urlPath: string,
  body: unknown,
  headers: Record<string, string>,
): Promise<Reply> {
  const data = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        agent,
        host: "127.0.0.1",
        port,
        method,
        path: urlPath,
        headers: {
          ...headers,
          ...(data ? { "content-type": "application/json", "content-length": Buffer.byteLength(data) } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString(),
          }),
        );
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(data);
  });
}

const CSRF = "bench-csrf-token-0123456789";

async function directSessions(db: Db, customers: Customer[]): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      for (let c = customers[next++]; c; c = customers[next++]) {
        const { token } = await createSession(db, systemClock, c.id, { ip: c.ip, userAgent: "bench" });
        c.cookie = `${SESSION_COOKIE}=${token}; oc_csrf=${CSRF}`;
      }
    }),
  );
}

async function logIn(agent: http.Agent, ports: number[], customers: Customer[]): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      for (;;) {
        const c = customers[next++];
        if (!c) return;
        const r = await request(
          agent,
          ports[next % ports.length] as number,
          "POST",
          "/api/v1/auth/login",
          { login: c.phone, password: LOGIN_PASSWORD },
          { cookie: `oc_csrf=${CSRF}`, "x-csrf-token": CSRF, "x-forwarded-for": c.ip },
        );
        const setCookie = (r.headers["set-cookie"] ?? []).find((s) => s.startsWith("oc_session="));
        if (r.status !== 200 || !setCookie) throw new Error(`login failed: ${r.status} ${r.body}`);
        c.cookie = `${setCookie.split(";")[0]}; oc_csrf=${CSRF}`;
      }
    }),
  );
}

type Sample = { ms: number; status: number; code: string | null };

/**
 * The payments' own HTTP/1.1 client: keep-alive connections, each request written with one
 * `write`, each answer read by its Content-Length. Node's http client spent about 150 µs of CPU
 * per request here — CPU the load generator takes from the server and PostgreSQL on the same
 * two cores, as pgbench's client (C, libpq) hardly does. The server sees the same requests
 * either way: method, path, cookie, CSRF header, X-Forwarded-For, Idempotency-Key, JSON body.
 */
class LeanConnection {
  private chunks: Buffer[] = [];
  private waiting: {
    resolve: (r: { status: number; body: string }) => void;
    reject: (e: Error) => void;
  } | null = null;
  readonly ready: Promise<void>;
  broken = false;

  constructor(port: number) {
    this.socket = net.connect({ host: "127.0.0.1", port, noDelay: true });
    this.ready = new Promise((resolve, reject) => {
      this.socket.once("connect", resolve);
      this.socket.once("error", reject);
    });
    this.socket.on("data", (d: Buffer) => this.onData(d));
    const fail = (e: Error) => {
      this.broken = true;
      this.waiting?.reject(e);
      this.waiting = null;
    };
    this.socket.on("error", fail);
    this.socket.on("close", () => fail(new Error("connection closed")));
  }

  private readonly socket: net.Socket;

  send(raw: string): Promise<{ status: number; body: string }> {
    if (this.broken) return Promise.reject(new Error("connection closed"));
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.chunks = [];
      this.socket.write(raw);
    });
  }

  private onData(d: Buffer): void {
    this.chunks.push(d);
    const all = this.chunks.length === 1 ? d : Buffer.concat(this.chunks);
    this.chunks = [all];
    const head = all.indexOf("\r\n\r\n");
    if (head < 0) return;
    const headers = all.toString("latin1", 0, head);
    const length = /\r\ncontent-length: *(\d+)/i.exec(headers);
    if (!length?.[1]) {
      this.waiting?.reject(new Error("answer without Content-Length"));
      this.waiting = null;
      return;
    }
    const end = head + 4 + Number(length[1]);
    if (all.length < end) return;
    const status = Number(headers.slice(9, 12));
    const body = all.toString("utf8", head + 4, end);
    this.chunks = [];
    const w = this.waiting;
    this.waiting = null;
    w?.resolve({ status, body });
  }

  close(): void {
    this.socket.destroy();
  }
}

class LeanPool {
  private idle = new Map<number, LeanConnection[]>();
  private all: LeanConnection[] = [];

  async request(port: number, raw: string): Promise<{ status: number; body: string }> {
    let list = this.idle.get(port);
    if (!list) {
      list = [];
      this.idle.set(port, list);
    }
    // A connection the server closed while it sat idle (keep-alive timeout between rounds) is
    // dropped here: a write to it would never be answered.
    let conn = list.pop();
    while (conn?.broken) conn = list.pop();
    if (!conn) {
      conn = new LeanConnection(port);
      this.all.push(conn);
      await conn.ready;
    }
    try {
      return await conn.send(raw);
    } finally {
      if (!conn.broken) list.push(conn);
    }
  }

  close(): void {
    for (const c of this.all) c.close();
  }
}

const lean = new LeanPool();

function pay(ports: number[], customers: Customer[], merchants: string[]): Promise<Sample> {
  const n = randomInt(customers.length);
  const c = customers[n] as Customer;
  const merchant = (
    Math.random() < HOT_SHARE ? merchants[0] : merchants[1 + randomInt(merchants.length - 1)]
  ) as string;
  const body = JSON.stringify({ merchantId: merchant, amount: 1 + randomInt(500), currency: "CNY" });
  const raw =
    "POST /api/v1/wallet/payments HTTP/1.1\r\nhost: 127.0.0.1\r\n" +
    `cookie: ${c.cookie}\r\nx-csrf-token: ${CSRF}\r\nx-forwarded-for: ${c.ip}\r\n` +
    `idempotency-key: ${randomUUID()}\r\ncontent-type: application/json\r\n` +
    `content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
  const started = performance.now();
  // A customer sticks to one process, as behind a load balancer with session affinity.
  return lean.request(ports[n % ports.length] as number, raw).then(
    (r) => ({
      ms: performance.now() - started,
      status: r.status,
      code: r.status === 201 ? null : ((JSON.parse(r.body) as { code?: string }).code ?? String(r.status)),
    }),
    (err: Error) => ({ ms: performance.now() - started, status: 0, code: err.message }),
  );
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN;
}

type Phase = { ok: number; failed: Map<string, number>; seconds: number; p50: number; p99: number };

function summarise(samples: Sample[], seconds: number): Phase {
  const failed = new Map<string, number>();
  const times: number[] = [];
  for (const s of samples) {
    if (s.status === 201) times.push(s.ms);
    else failed.set(s.code ?? "?", (failed.get(s.code ?? "?") ?? 0) + 1);
  }
  times.sort((a, b) => a - b);
  return { ok: times.length, failed, seconds, p50: percentile(times, 0.5), p99: percentile(times, 0.99) };
}

/** Closed loop: CONCURRENCY customers each paying again as soon as the last payment answered. */
async function closedLoop(ports: number[], customers: Customer[], merchants: string[], seconds: number) {
  const samples: Sample[] = [];
  const started = performance.now();
  const end = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < end) samples.push(await pay(ports, customers, merchants));
    }),
  );
  return summarise(samples, (performance.now() - started) / 1000);
}

/**
 * Open loop at `rate` payments a second: each payment starts at its planned moment whether or
 * not earlier ones have answered, and its latency counts from that moment (no coordinated omission).
 */
async function openLoop(
  ports: number[],
  customers: Customer[],
  merchants: string[],
  rate: number,
  seconds: number,
) {
  const total = Math.floor(rate * seconds);
  const started = performance.now();
  const pending: Promise<Sample>[] = [];
  let sent = 0;
  while (sent < total) {
    const now = performance.now();
    const due = Math.min(total, Math.floor(((now - started) / 1000) * rate) + 1);
    for (; sent < due; sent++) {
      const planned = started + (sent / rate) * 1000;
      pending.push(pay(ports, customers, merchants).then((s) => ({ ...s, ms: s.ms + (now - planned) })));
    }
    await new Promise((r) => setTimeout(r, 1));
  }
  const samples = await Promise.all(pending);
  return summarise(samples, (performance.now() - started) / 1000);
}

// --- CPU per operation ---

type Measured = { server: number; apps: number; reaped: number; self: number };

/**
 * CPU per pgbench transaction (server + pgbench, which is reaped as our child) and per payment
 * (server + app + this load generator), and the ratio those costs allow: if both sides were
 * bound by the same cores, payments/s ÷ TPS would come to about pgbench's CPU per transaction
 * ÷ a payment's. Only with the embedded server on Linux (NaN otherwise: rows left out).
 */
function cpuRows(
  pgbenchRuns: (Measured & { result: { transactions: number } })[],
  full: Measured,
  payments: number,
): [string, string][] {
  if (Number.isNaN(full.server)) return [];
  const ms = (s: number, n: number) => ((s * 1000) / Math.max(n, 1)).toFixed(3);
  const sum = (f: (m: Measured & { result: { transactions: number } }) => number) =>
    pgbenchRuns.reduce((total, m) => total + f(m), 0);
  const txs = sum((m) => m.result.transactions);
  const pgServer = sum((m) => m.server);
  const pgClient = sum((m) => m.reaped);
  const perTx = (pgServer + pgClient) / Math.max(txs, 1);
  const perPayment = (full.server + full.apps + full.self) / Math.max(payments, 1);
  return [
    [
      "CPU per pgbench transaction",
      `${ms(pgServer + pgClient, txs)} ms (PostgreSQL ${ms(pgServer, txs)} + pgbench ${ms(pgClient, txs)})`,
    ],
    [
      "CPU per payment (full load)",
      `${ms(full.server + full.apps + full.self, payments)} ms (PostgreSQL ${ms(full.server, payments)} + app ${ms(full.apps, payments)} + load generator ${ms(full.self, payments)})`,
    ],
    ["ratio the CPU costs allow", (perTx / perPayment).toFixed(2)],
  ];
}

// --- the run ---

async function main() {
  const load0 = loadavg();
  const t0 = performance.now();
  const { serverUrl, stop, embedded, dataDir } = await openBenchServer();
  // CPU seconds by side (Linux, embedded server only: an external server's processes are not ours to read).
  const pm = dataDir && cpuAvailable() ? postmasterPid(dataDir) : null;
  const cpuNow = () => ({
    server: pm ? serverCpu(pm) : Number.NaN,
    apps: apps.reduce((sum, a) => sum + processCpu(a.pid), 0),
    reaped: reapedChildrenCpu(),
    self: (process.cpuUsage().user + process.cpuUsage().system) / 1e6,
  });
  const measured = async <T>(work: () => Promise<T>) => {
    const before = cpuNow();
    const result = await work();
    const after = cpuNow();
    return {
      result,
      server: after.server - before.server,
      apps: after.apps - before.apps,
      reaped: after.reaped - before.reaped,
      self: after.self - before.self,
    };
  };
  const suffix = `${process.pid}_${randomBytes(3).toString("hex")}`;
  const pgbenchDb = `oc_bench_pgbench_${suffix}`;
  const appDb = `oc_bench_payments_${suffix}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  let apps: { port: number; pid: number; stop: () => Promise<void> }[] = [];
  let db: Db | undefined;
  try {
    const version = (await admin.query("show server_version")).rows[0].server_version as string;
    const settings = await admin.query(
      "select name, setting from pg_settings where name in ('fsync', 'synchronous_commit', 'shared_buffers', 'max_connections')",
    );
    const setting = new Map(settings.rows.map((r: { name: string; setting: string }) => [r.name, r.setting]));
    await admin.query(`create database ${pgbenchDb}`);
    await admin.query(`create database ${appDb}`);

    console.log(`pgbench: scale ${PGBENCH_SCALE}, ${DB_CLIENTS} clients, ${SECONDS} s …`);
    // Each measured phase starts right after a checkpoint, so neither pays for the other's
    // (or the setup's) dirty pages being written out.
    const checkpoint = async () => {
      await admin.query("checkpoint");
    };
    // pgbench runs before and after the payments and counts as their mean: on a shared machine
    // the neighbours' load drifts, and this way both sides see about the same.
    const pgbenchUrl = withDatabase(serverUrl, pgbenchDb);
    await pgbenchInit(pgbenchUrl);
    await checkpoint();
    const pgbenchRuns = [await measured(() => pgbenchRun(pgbenchUrl))];

    const appUrl = withDatabase(serverUrl, appDb);
    db = createDb(appUrl, 4).db;
    await migrateToLatest(db);
    const seedStart = performance.now();
    const { customers, merchants } = await seed(db);
    // Fresh statistics for the planner, as pgbench -i leaves its own tables vacuumed and analysed.
    await sql`vacuum analyze`.execute(db);
    console.log(
      `seeded ${customers.length} customers (¥${TOPUP / 100n} each by top-up transfers) and ${merchants.length} merchants in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`,
    );
    apps = await Promise.all(Array.from({ length: APP_PROCESSES }, () => startApp(appUrl)));
    const ports = apps.map((a) => a.port);
    const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY * 4 });
    const loginStart = performance.now();
    await logIn(agent, ports, customers.slice(0, LOGINS));
    console.log(
      `${LOGINS} customers logged in over HTTP in ${((performance.now() - loginStart) / 1000).toFixed(1)} s; ` +
        `${customers.length - LOGINS} sessions made with createSession`,
    );
    await directSessions(db, customers.slice(LOGINS));

    const profile = () => {
      if (env.BENCH_CPU_PROF) for (const a of apps) process.kill(a.pid, "SIGUSR2");
    };
    // The balance notices run off the payments' path: how far behind a full load left them, and
    // how long they took to catch up with it. Whatever comes next (pgbench, the half load) starts
    // after that, so that neither pays for the notices nor the payments escape their cost.
    const catchUp = async () => {
      const behind = await noticesBehind(db as Db);
      const start = performance.now();
      for (let left = behind; left > 0n && performance.now() - start < 120_000; ) {
        await new Promise((r) => setTimeout(r, 100));
        left = await noticesBehind(db as Db);
      }
      return { behind, ms: performance.now() - start };
    };
    const rounds: { run: Measured & { result: Phase }; notices: { behind: bigint; ms: number } }[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      await closedLoop(ports, customers, merchants, WARMUP_SECONDS);
      await checkpoint();
      if (env.BENCH_PG_STATS) {
        await sql`create extension if not exists pg_stat_statements`.execute(db);
        await sql`select pg_stat_statements_reset()`.execute(db);
      }
      const of = ROUNDS > 1 ? ` (round ${round} of ${ROUNDS})` : "";
      console.log(`full load${of}: ${CONCURRENCY} payments in flight, ${SECONDS} s …`);
      if (round === 1) profile();
      const run = await measured(() => closedLoop(ports, customers, merchants, SECONDS));
      if (round === 1) profile();
      if (env.BENCH_PG_STATS) await printStatementStats(db, run.result.ok);
      rounds.push({ run, notices: await catchUp() });
      if (round < ROUNDS) {
        console.log(`pgbench again: ${DB_CLIENTS} clients, ${SECONDS} s …`);
        await checkpoint();
        pgbenchRuns.push(await measured(() => pgbenchRun(pgbenchUrl)));
      }
    }
    // The half load runs at half the median round's payments/s.
    const rateOf = (r: (typeof rounds)[number]) => r.run.result.ok / r.run.result.seconds;
    const middle = <T>(xs: T[]): T => xs[Math.floor((xs.length - 1) / 2)] as T;
    // BENCH_HALF_RATE (experiments): a fixed rate instead, so that two runs compare like with like.
    const halfRate = env.BENCH_HALF_RATE
      ? Number(env.BENCH_HALF_RATE)
      : rateOf(middle([...rounds].sort((a, b) => rateOf(a) - rateOf(b)))) / 2;
    await openLoop(ports, customers, merchants, halfRate, WARMUP_SECONDS);
    await checkpoint();
    console.log(`half load: open loop at ${halfRate.toFixed(0)} payments/s, ${HALF_SECONDS} s …`);
    const half = await openLoop(ports, customers, merchants, halfRate, HALF_SECONDS);
    agent.destroy();
    lean.close();
    await Promise.all(apps.map((a) => a.stop()));
    apps = [];

    console.log(`pgbench again: ${DB_CLIENTS} clients, ${SECONDS} s …`);
    await checkpoint();
    pgbenchRuns.push(await measured(() => pgbenchRun(pgbenchUrl)));
    await admin.query(`drop database if exists ${pgbenchDb} with (force)`);
    // Each round against the pgbench runs on either side of it; the table's figures are those of
    // the round with the median ratio.
    const tpsOf = (i: number) => pgbenchRuns[i]?.result.tps ?? Number.NaN;
    const ratios = rounds.map((r, i) => rateOf(r) / ((tpsOf(i) + tpsOf(i + 1)) / 2));
    const medianIndex = middle(ratios.map((r, i) => [r, i] as const).sort((a, b) => a[0] - b[0]))[1];
    const median = rounds[medianIndex] as (typeof rounds)[number];
    const full = median.run.result;
    const throughput = rateOf(median);
    const ratio = ratios[medianIndex] as number;
    const tpsBefore = tpsOf(medianIndex);
    const tpsAfter = tpsOf(medianIndex + 1);
    const tps = (tpsBefore + tpsAfter) / 2;
    const { behind, ms: caughtUpMs } = median.notices;
    // CPU over every round: all pgbench runs, all full loads.
    const allFull = rounds.reduce(
      (total, r) => ({
        server: total.server + r.run.server,
        apps: total.apps + r.run.apps,
        reaped: total.reaped + r.run.reaped,
        self: total.self + r.run.self,
        ok: total.ok + r.run.result.ok,
      }),
      { server: 0, apps: 0, reaped: 0, self: 0, ok: 0 },
    );

    const verification = await verifyLedger(db);
    const payments = await sql<{
      n: string;
    }>`select count(*)::text as n from ledger_transfers where type = 'payment'`.execute(db);
    const load1 = loadavg();
    const fmt = (n: number, d = 1) => n.toFixed(d);
    const failures = (p: Phase) =>
      p.failed.size === 0 ? "none" : [...p.failed].map(([code, n]) => `${code} ×${n}`).join(", ");
    const rows: [string, string][] = [
      [
        "pgbench TPC-B-like TPS",
        `${fmt(tps)}  (mean of ${fmt(tpsBefore)} before and ${fmt(tpsAfter)} after; scale ${PGBENCH_SCALE}, ${DB_CLIENTS} clients, ${SECONDS} s each)`,
      ],
      [
        "OpenCounter payments/s (HTTP)",
        `${fmt(throughput)}  (${CONCURRENCY} in flight, ${SECONDS} s, ${full.ok} payments)`,
      ],
      ["ratio (target ≥ 1.5)", `${fmt(ratio, 2)}  ${ratio >= RATIO_TARGET ? "met" : "NOT met"}`],
      ...(ROUNDS > 1
        ? ([
            [
              `rounds: payments/s ÷ pgbench TPS around (median of ${ROUNDS})`,
              rounds
                .map(
                  (r, i) =>
                    `${fmt(rateOf(r))}/s ÷ (${fmt(tpsOf(i))}, ${fmt(tpsOf(i + 1))}) → ${fmt(ratios[i] as number, 2)}`,
                )
                .join("; "),
            ],
          ] as [string, string][])
        : []),
      ["full load p50 / p99", `${fmt(full.p50)} ms / ${fmt(full.p99)} ms`],
      ...cpuRows(pgbenchRuns, allFull, allFull.ok),
      [
        "balance notices behind at full load's end",
        `${behind} entry ids (caught up ${(caughtUpMs / 1000).toFixed(1)} s later)`,
      ],
      [
        `half load (${fmt(halfRate, 0)}/s open loop) p50 / p99`,
        `${fmt(half.p50)} ms / ${fmt(half.p99)} ms  ${half.p99 <= P99_TARGET_MS ? "met" : "NOT met"} (target p99 ≤ ${P99_TARGET_MS} ms)`,
      ],
      ["failed requests full / half", `${failures(full)} / ${failures(half)}`],
      [
        "ledger verify after the run",
        `${verification.ok ? "consistent" : `NOT consistent: ${verification.problems.slice(0, 3).join("; ")}`} (${payments.rows[0]?.n} payments in the ledger)`,
      ],
      [
        "machine",
        `${cpus().length} cores, load average ${load0.map((x) => x.toFixed(2)).join(" ")} before, ${load1.map((x) => x.toFixed(2)).join(" ")} after`,
      ],
      [
        "PostgreSQL",
        `${version}${embedded ? " (embedded)" : ""}, fsync ${setting.get("fsync")}, synchronous_commit ${setting.get("synchronous_commit")}`,
      ],
    ];
    const w = Math.max(...rows.map(([k]) => k.length));
    console.log("");
    console.log(`| ${"measure".padEnd(w)} | value |`);
    console.log(`| ${"-".repeat(w)} | ----- |`);
    for (const [k, v] of rows) console.log(`| ${k.padEnd(w)} | ${v} |`);
    console.log("");
    console.log(
      `customers pay password-free (小额免密), ¥0.01–¥5.00, ${CUSTOMERS} customers → ${MERCHANTS} merchants, one taking ${HOT_SHARE * 100} %; run took ${((performance.now() - t0) / 1000).toFixed(0)} s`,
    );
    if (!verification.ok) process.exitCode = 1;
  } finally {
    await Promise.all(apps.map((a) => a.stop()));
    await db?.destroy();
    await admin.query(`drop database if exists ${pgbenchDb} with (force)`).catch(() => {});
    await admin.query(`drop database if exists ${appDb} with (force)`).catch(() => {});
    await admin.end();
    await stop();
  }
}

if (process.argv.includes("--serve")) {
  serve().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
} else {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
