// Live chat under load: 5,000 customer sockets and 100 agents on ONE server process, exchanging
// 500 messages a second. Prints delivery latency (send → the other party's socket) and the
// server's memory, beside a bare WebSocket relay (no database) as the baseline, measured in the
// same run on the same machine. `npm run bench:chat`.
// Uses DATABASE_URL's server (a fresh database there, dropped after) or an embedded PostgreSQL.
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { sql } from "kysely";
import pg from "pg";
import WebSocket from "ws";
import { systemClock } from "../server/src/clock.js";
import { createDb, type Db } from "../server/src/db/database.js";
import { migrateToLatest } from "../server/src/db/migrate.js";
import { createSession, SESSION_COOKIE } from "../server/src/modules/identity/index.js";
import { openBenchServer, withDatabase } from "./bench-db.js";

const CUSTOMERS = Number(process.env.BENCH_CUSTOMERS ?? 5_000);
const AGENTS = Number(process.env.BENCH_AGENTS ?? 100);
const RATE = Number(process.env.BENCH_RATE ?? 500); // messages per second, both directions together
const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const WARMUP_SECONDS = 5;
const P99_TARGET_MS = 100;
const RSS_TARGET_MB = 1024;
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");

type Party = { userId: string; token: string; conversations: string[]; kind: "customer" | "agent" };

/** Customers, agents, their sessions, and one assigned chat per customer, straight into the tables. */
async function seed(db: Db): Promise<{ customers: Party[]; agents: Party[] }> {
  const now = new Date();
  const insertUsers = async (kind: "customer" | "staff", count: number) => {
    const ids: string[] = [];
    for (let from = 0; from < count; from += 1_000) {
      const rows = Array.from({ length: Math.min(1_000, count - from) }, (_, i) => {
        const n = from + i;
        return kind === "customer"
          ? {
              kind,
              phone: `170${String(n).padStart(8, "0")}`,
              name: `压测用户${n}`,
              password_hash: "not-used",
              roles: ["customer"],
              password_changed_at: now,
            }
          : {
              kind,
              email: `bench-agent-${n}@opencounter.local`,
              email_verified_at: now,
              name: `压测坐席${n}`,
              password_hash: "not-used",
              totp_enabled_at: now,
              roles: ["agent"],
              password_changed_at: now,
            };
      });
      const out = await db.insertInto("users").values(rows).returning("id").execute();
      ids.push(...out.map((r) => r.id));
    }
    return ids;
  };
  const customerIds = await insertUsers("customer", CUSTOMERS);
  const agentIds = await insertUsers("staff", AGENTS);
  await db
    .insertInto("support_agents")
    .values(agentIds.map((id) => ({ agent_id: id, status: "online" as const, max_chats: 50 })))
    .execute();
  const conversations: string[] = [];
  for (let from = 0; from < customerIds.length; from += 1_000) {
    const rows = customerIds.slice(from, from + 1_000).map((customerId, i) => ({
      customer_id: customerId,
      status: "assigned" as const,
      assigned_agent_id: agentIds[(from + i) % agentIds.length] ?? null,
      assigned_at: now,
      queued_at: now,
    }));
    const out = await db.insertInto("support_conversations").values(rows).returning("id").execute();
    conversations.push(...out.map((r) => r.id));
  }
  const tokenOf = async (userId: string) =>
    (await createSession(db, systemClock, userId, { ip: "127.0.0.1", userAgent: "bench" })).token;
  const customers: Party[] = [];
  for (let i = 0; i < customerIds.length; i += 50) {
    const batch = customerIds.slice(i, i + 50);
    const tokens = await Promise.all(batch.map(tokenOf));
    for (const [j, userId] of batch.entries()) {
      customers.push({
        userId,
        token: tokens[j] ?? "",
        conversations: [conversations[i + j] ?? ""],
        kind: "customer",
      });
    }
  }
  const agents: Party[] = await Promise.all(
    agentIds.map(async (userId, a) => ({
      userId,
      token: await tokenOf(userId),
      conversations: conversations.filter((_, i) => i % agentIds.length === a),
      kind: "agent" as const,
    })),
  );
  return { customers, agents };
}

function startProcess(args: string[], env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, ["--import", "tsx", ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stderr?.on("data", (d: Buffer) => {
    const line = d.toString();
    if (!/ExperimentalWarning|ChatHubWarning/.test(line)) process.stderr.write(`[server] ${line}`);
  });
  child.stdout?.resume();
  return child;
}

async function waitForHttp(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`process exited with ${child.exitCode}`);
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not come up`);
}

/** A stable, distinct private address per bench user. */
function addressOf(userId: string): string {
  const n = Number.parseInt(userId.replace(/-/g, "").slice(0, 6), 16);
  return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
}

function rssMb(pid: number): number {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, "utf8");
  } catch {
    return 0; // the process has gone
  }
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

type Result = {
  name: string;
  sockets: number;
  sent: number;
  delivered: number;
  errors: number;
  seconds: number;
  latencies: number[];
  rssPeakMb: number;
  rssIdleMb: number;
};

/** Opens every socket, subscribes, then sends RATE messages a second for SECONDS and measures. */
async function drive(name: string, base: string, pid: number, parties: Party[]): Promise<Result> {
  const sockets = new Map<Party, WebSocket>();
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  let measuring = false;
  let errors = 0;
  let subscribed = 0;
  const totalSubs = parties.reduce((n, p) => n + p.conversations.length, 0);

  const open = (p: Party) =>
    new Promise<void>((resolve, reject) => {
      const ws = new WebSocket(`${base}/api/v1/support/socket`, {
        // Each person from their own address, as behind a proxy: the per-address rate limit is
        // for one client, not for the whole bench.
        headers: { cookie: `${SESSION_COOKIE}=${p.token}`, "x-forwarded-for": addressOf(p.userId) },
        perMessageDeflate: false,
      });
      ws.on("message", (data) => {
        const frame = JSON.parse(data.toString()) as {
          type: string;
          message?: { body: string };
          conversation?: unknown;
        };
        if (frame.type === "ready") {
          for (const c of p.conversations) ws.send(JSON.stringify({ type: "subscribe", conversationId: c }));
          resolve();
        } else if (frame.type === "conversation") {
          subscribed += 1;
        } else if (frame.type === "message" && frame.message) {
          // "<kind>:<key>": measure at the other party only.
          const [from, key] = frame.message.body.split(":");
          if (from && key && from !== p.kind[0]) {
            const t0 = sentAt.get(key);
            if (t0 !== undefined) {
              sentAt.delete(key);
              if (measuring) latencies.push(performance.now() - t0);
            }
          }
        } else if (frame.type === "error") {
          errors += 1;
        }
      });
      ws.on("error", reject);
      sockets.set(p, ws);
    });

  for (let i = 0; i < parties.length; i += 200) await Promise.all(parties.slice(i, i + 200).map(open));
  const subDeadline = Date.now() + 120_000;
  while (subscribed < totalSubs && Date.now() < subDeadline) await new Promise((r) => setTimeout(r, 100));
  const rssIdleMb = rssMb(pid);

  const customers = parties.filter((p) => p.kind === "customer");
  const agentOf = new Map<string, Party>();
  for (const p of parties) if (p.kind === "agent") for (const c of p.conversations) agentOf.set(c, p);
  let seq = 0;
  let sent = 0;
  let rssPeakMb = rssIdleMb;
  const tickMs = 10;
  const perTick = RATE / (1000 / tickMs);
  let credit = 0;
  const started = performance.now();
  const total = (WARMUP_SECONDS + SECONDS) * 1000;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const elapsed = performance.now() - started;
      measuring = elapsed >= WARMUP_SECONDS * 1000;
      if (elapsed >= total) {
        clearInterval(timer);
        resolve();
        return;
      }
      credit += perTick;
      while (credit >= 1) {
        credit -= 1;
        const customer = customers[Math.floor(Math.random() * customers.length)];
        const conversationId = customer?.conversations[0];
        if (!customer || !conversationId) continue;
        const fromCustomer = seq % 2 === 0;
        const sender = fromCustomer ? customer : agentOf.get(conversationId);
        const ws = sender && sockets.get(sender);
        if (!ws) continue;
        const key = String(seq++);
        sentAt.set(key, performance.now());
        ws.send(
          JSON.stringify({
            type: "send",
            conversationId,
            clientId: `b${key}`,
            body: `${fromCustomer ? "c" : "a"}:${key}`,
          }),
        );
        if (measuring) sent += 1;
      }
    }, tickMs);
    const sampler = setInterval(() => {
      rssPeakMb = Math.max(rssPeakMb, rssMb(pid));
      if (performance.now() - started >= total) clearInterval(sampler);
    }, 500);
  });
  // Let the last messages land.
  const drainUntil = Date.now() + 5_000;
  while (sentAt.size > 0 && Date.now() < drainUntil) await new Promise((r) => setTimeout(r, 50));
  for (const ws of sockets.values()) ws.terminate();
  return {
    name,
    sockets: parties.length,
    sent,
    delivered: latencies.length,
    errors: errors + sentAt.size,
    seconds: SECONDS,
    latencies,
    rssPeakMb,
    rssIdleMb,
  };
}

function pct(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

async function main() {
  const server = await openBenchServer();
  const dbName = `oc_bench_chat_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: server.serverUrl });
  await admin.connect();
  await admin.query(`create database ${dbName}`);
  const url = withDatabase(server.serverUrl, dbName);
  const { db } = createDb(url, 10);
  let app: ChildProcess | null = null;
  // The server's DATA_DIR for the run (demo logins file and the like), removed afterwards.
  const dataDir = mkdtempSync(path.join(tmpdir(), "oc-bench-chat-"));
  let relay: ChildProcess | null = null;
  try {
    console.log(`seeding ${CUSTOMERS} customers, ${AGENTS} agents, their sessions and chats…`);
    await migrateToLatest(db);
    const { customers, agents } = await seed(db);
    const parties = [...customers, ...agents];

    // Ports below Linux's ephemeral range (32768–60999): no outgoing connection can hold them.
    const relayPort = 25_000 + Math.floor(Math.random() * 1000);
    relay = startProcess(["bench/chat-relay.ts"], { PORT: String(relayPort) });
    await waitForHttp(`http://127.0.0.1:${relayPort}/`, relay);
    console.log("baseline: bare WebSocket relay…");
    const baseline = await drive(
      "bare ws relay (baseline)",
      `ws://127.0.0.1:${relayPort}`,
      relay.pid ?? 0,
      parties,
    );
    relay.kill("SIGTERM");
    relay = null;

    const appPort = 26_000 + Math.floor(Math.random() * 1000);
    app = startProcess(["server/src/main.ts"], {
      DATABASE_URL: url,
      PORT: String(appPort),
      HOST: "127.0.0.1",
      PUBLIC_URL: `http://127.0.0.1:${appPort}`,
      NODE_ENV: "production",
      SECRET_KEY: randomBytes(32).toString("hex"),
      LOG_LEVEL: "warn",
      TRUST_PROXY: "127.0.0.1",
      DATA_DIR: dataDir,
    });
    await waitForHttp(`http://127.0.0.1:${appPort}/readyz`, app);
    console.log("OpenCounter: one server process…");
    const ours = await drive(
      "OpenCounter chat (1 process)",
      `ws://127.0.0.1:${appPort}`,
      app.pid ?? 0,
      parties,
    );
    const stored = await sql<{ n: string }>`select count(*) as n from support_messages`.execute(db);

    const rows = [baseline, ours].map((r) => {
      const sorted = [...r.latencies].sort((a, b) => a - b);
      return {
        name: r.name,
        sockets: r.sockets,
        rate: (r.sent / r.seconds).toFixed(0),
        delivered: `${r.delivered}/${r.sent}`,
        p50: pct(sorted, 50),
        p99: pct(sorted, 99),
        max: sorted.at(-1) ?? Number.NaN,
        rssIdle: r.rssIdleMb,
        rssPeak: r.rssPeakMb,
        errors: r.errors,
      };
    });
    console.log("");
    console.log(
      `chat: ${CUSTOMERS} customer + ${AGENTS} agent sockets, ${RATE} msg/s for ${SECONDS} s after ${WARMUP_SECONDS} s warm-up; load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(" ")}; ${stored.rows[0]?.n} messages stored`,
    );
    console.log(
      "| server | sockets | msg/s sent | delivered | p50 ms | p99 ms | max ms | RSS idle MB | RSS peak MB | errors |",
    );
    console.log("|---|---|---|---|---|---|---|---|---|---|");
    for (const r of rows) {
      console.log(
        `| ${r.name} | ${r.sockets} | ${r.rate} | ${r.delivered} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${r.max.toFixed(1)} | ${r.rssIdle.toFixed(0)} | ${r.rssPeak.toFixed(0)} | ${r.errors} |`,
      );
    }
    const [b, o] = rows;
    if (b && o) {
      console.log("");
      console.log(
        `p99 ${o.p99.toFixed(1)} ms (target ≤ ${P99_TARGET_MS}: ${o.p99 <= P99_TARGET_MS ? "met" : "MISSED"}), ` +
          `${(o.p99 / b.p99).toFixed(1)}× the bare relay's; server RSS peak ${o.rssPeak.toFixed(0)} MB (target ≤ ${RSS_TARGET_MB}: ${o.rssPeak <= RSS_TARGET_MB ? "met" : "MISSED"})`,
      );
    }
  } finally {
    app?.kill("SIGTERM");
    relay?.kill("SIGTERM");
    if (app) await new Promise((r) => app?.once("exit", r));
    await db.destroy();
    await admin.query(`drop database if exists ${dbName} with (force)`);
    await admin.end();
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
