// Builds a real app on a fresh database per test file, and a cookie-keeping HTTP client.
import { randomBytes } from "node:crypto";
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import pg from "pg";
import { inject } from "vitest";
import { buildApp } from "../src/app.js";
import { manualClock } from "../src/clock.js";
import { type Config, loadConfig } from "../src/config.js";
import type { AppContext } from "../src/context.js";
import { createCrypto } from "../src/crypto.js";
import { createDb, type Db } from "../src/db/database.js";
import { createEventBus } from "../src/events.js";
import { createAuditTrail } from "../src/modules/audit/index.js";
import { createNotifier } from "../src/modules/notify/service.js";
import { withDatabase } from "./global-setup.js";

export type TestApp = {
  app: FastifyInstance;
  ctx: AppContext;
  db: Db;
  clock: ReturnType<typeof manualClock>;
  databaseUrl: string;
  client(): TestClient;
  close(): Promise<void>;
};

export async function createTestDatabase(): Promise<string> {
  const server = inject("pgServerUrl");
  const name = `${inject("dbPrefix")}${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  try {
    await admin.query(`create database ${name} template ${inject("templateDb")}`);
  } finally {
    await admin.end();
  }
  return withDatabase(server, name);
}

export async function createTestApp(
  overrides: Partial<Config> = {},
  logStream?: NodeJS.WritableStream,
): Promise<TestApp> {
  const databaseUrl = await createTestDatabase();
  const { db } = createDb(databaseUrl, 10);
  const config: Config = {
    ...loadConfig({ NODE_ENV: "test", SECRET_KEY: randomBytes(32).toString("hex"), LOG_LEVEL: "silent" }),
    ...overrides,
  };
  const clock = manualClock(new Date("2026-11-22T02:00:00Z"));
  const notifier = createNotifier({ db, smtpUrl: config.smtpUrl, log: silentLogger() });
  const events = createEventBus({ databaseUrl });
  const ctx: AppContext = {
    config,
    db,
    clock,
    crypto: createCrypto(config.secretKey),
    audit: createAuditTrail(db, clock),
    notifier,
    events,
  };
  const app = await buildApp(ctx, { logger: logStream ?? false });
  await app.ready();
  return {
    app,
    ctx,
    db,
    clock,
    databaseUrl,
    client: () => new TestClient(app),
    close: async () => {
      await app.close();
      await events.close();
      await notifier.close();
      await db.destroy();
    },
  };
}

/**
 * A second server on the same database, with its own pool and event bus: what another server
 * process behind the load balancer would be. Shares the first app's clock and configuration.
 */
export async function createPeerApp(
  t: TestApp,
): Promise<{ app: FastifyInstance; ctx: AppContext; close(): Promise<void> }> {
  const { db } = createDb(t.databaseUrl, 5);
  const notifier = createNotifier({ db, smtpUrl: t.ctx.config.smtpUrl, log: silentLogger() });
  const events = createEventBus({ databaseUrl: t.databaseUrl });
  const ctx: AppContext = { ...t.ctx, db, notifier, events, audit: createAuditTrail(db, t.clock) };
  const app = await buildApp(ctx, { logger: false });
  await app.ready();
  return {
    app,
    ctx,
    close: async () => {
      await app.close();
      await events.close();
      await notifier.close();
      await db.destroy();
    },
  };
}

function silentLogger() {
  const noop = () => {};
  const log = {
    level: "silent",
    fatal: noop,
    error: noop,
    warn: noop,
    info: noop,
    debug: noop,
    trace: noop,
    silent: noop,
    child: () => log,
  };
  return log as unknown as import("fastify").FastifyBaseLogger;
}

type RequestOptions = {
  headers?: Record<string, string>;
  query?: Record<string, string>;
  /** Leave out the CSRF header, to test that it is required. */
  noCsrf?: boolean;
};

/** A browser-like client: keeps cookies and echoes the CSRF cookie on unsafe requests. */
export class TestClient {
  readonly cookies = new Map<string, string>();
  userAgent = "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/130.0 Mobile Safari/537.36";
  ip = "203.0.113.10";

  constructor(private readonly app: FastifyInstance) {}

  get(url: string, opts: RequestOptions = {}) {
    return this.request("GET", url, undefined, opts);
  }
  post(url: string, body?: unknown, opts: RequestOptions = {}) {
    return this.request("POST", url, body, opts);
  }
  put(url: string, body?: unknown, opts: RequestOptions = {}) {
    return this.request("PUT", url, body, opts);
  }
  patch(url: string, body?: unknown, opts: RequestOptions = {}) {
    return this.request("PATCH", url, body, opts);
  }
  delete(url: string, body?: unknown, opts: RequestOptions = {}) {
    return this.request("DELETE", url, body, opts);
  }

  async request(
    method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE",
    url: string,
    body: unknown,
    opts: RequestOptions = {},
  ): Promise<LightMyRequestResponse> {
    if (!this.cookies.has("oc_csrf") && method !== "GET") await this.get("/healthz");
    const headers: Record<string, string> = { "user-agent": this.userAgent, ...opts.headers };
    const csrf = this.cookies.get("oc_csrf");
    if (method !== "GET" && csrf && !opts.noCsrf) headers["x-csrf-token"] = csrf;
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    const isRaw = Buffer.isBuffer(body) || typeof body === "string";
    if (body !== undefined && !isRaw && !headers["content-type"])
      headers["content-type"] = "application/json";
    const res = await this.app.inject({
      method,
      url,
      query: opts.query,
      headers,
      remoteAddress: this.ip,
      payload: body === undefined ? undefined : isRaw ? (body as string | Buffer) : JSON.stringify(body),
    });
    for (const c of res.cookies) {
      if (c.value === "" || (c.expires && c.expires.getTime() < Date.now()) || c.maxAge === 0)
        this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
    return res;
  }
}
