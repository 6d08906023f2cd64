// Wires configuration, database, migrations and services into an AppContext.
import path from "node:path";
import type { FastifyBaseLogger } from "fastify";
import { type Clock, systemClock } from "./clock.js";
import type { Config } from "./config.js";
import type { AppContext } from "./context.js";
import { createCrypto } from "./crypto.js";
import { createDb, type Db } from "./db/database.js";
import { startEmbeddedPostgres } from "./db/embedded.js";
import { migrateToLatest } from "./db/migrate.js";
import { createEventBus } from "./events.js";
import { createAuditTrail } from "./modules/audit/index.js";
import { createNotifier } from "./modules/notify/service.js";

export type Runtime = { ctx: AppContext; databaseUrl: string; close: () => Promise<void> };

export async function openDatabase(
  config: Config,
  log: (line: string) => void,
): Promise<{ url: string; stopEmbedded?: () => Promise<void> }> {
  if (config.databaseUrl) return { url: config.databaseUrl };
  log(`starting embedded PostgreSQL in ${path.join(config.dataDir, "pg")} on port ${config.embeddedPgPort}`);
  const embedded = await startEmbeddedPostgres({
    dir: path.join(config.dataDir, "pg"),
    port: config.embeddedPgPort,
    persistent: true,
  });
  return { url: embedded.url, stopEmbedded: embedded.stop };
}

export async function createContext(
  config: Config,
  databaseUrl: string,
  log: FastifyBaseLogger,
  clock: Clock = systemClock,
): Promise<{ ctx: AppContext; db: Db; close: () => Promise<void> }> {
  const { db } = createDb(databaseUrl);
  await migrateToLatest(db);
  const notifier = createNotifier({ db, smtpUrl: config.smtpUrl, log });
  const events = createEventBus({ databaseUrl, onError: (err) => log.warn({ err }, "event bus connection") });
  const ctx: AppContext = {
    config,
    db,
    clock,
    crypto: createCrypto(config.secretKey),
    audit: createAuditTrail(db, clock),
    notifier,
    events,
  };
  return {
    ctx,
    db,
    close: async () => {
      await events.close();
      await notifier.close();
      await db.destroy();
    },
  };
}
