// `npm run audit:verify`: recomputes the audit trail's hash chain. Exit 0 intact, 1 broken, 2 could not check.
import { existsSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { type Config, ConfigError, loadConfig } from "../config.js";
import { createDb } from "../db/database.js";
import { openDatabase } from "../runtime.js";
import { reportAuditChain } from "./audit-report.js";

const say = (line: string) => console.error(`[audit:verify] ${line}`);

// The credentials db/embedded.ts gives the embedded cluster; it listens on 127.0.0.1 only.
const embeddedUrl = (config: Config) =>
  `postgres://postgres:opencounter@127.0.0.1:${config.embeddedPgPort}/opencounter`;

async function reachable(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/** The server's database: DATABASE_URL, the embedded cluster a running server holds, or a fresh start of it. */
async function connect(config: Config): Promise<{ url: string; stop?: () => Promise<void> }> {
  if (config.databaseUrl) return { url: config.databaseUrl };
  const pgDir = path.join(config.dataDir, "pg");
  if (!existsSync(path.join(pgDir, "PG_VERSION"))) {
    throw new Error(`no database in ${pgDir}: start the server once, or set DATA_DIR or DATABASE_URL`);
  }
  // A running `npm start` owns the data directory; a second postmaster could not start on it.
  if (existsSync(path.join(pgDir, "postmaster.pid")) && (await reachable(embeddedUrl(config)))) {
    return { url: embeddedUrl(config) };
  }
  const opened = await openDatabase(config, say);
  return { url: opened.url, stop: opened.stopEmbedded };
}

async function main(): Promise<number> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      return 2;
    }
    throw err;
  }
  const { url, stop } = await connect(config);
  const { db } = createDb(url, 2);
  try {
    const report = await reportAuditChain(db);
    console.log(report.line);
    return report.exitCode;
  } finally {
    await db.destroy();
    if (stop) await stop();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    say(err instanceof Error ? err.message : String(err));
    process.exit(2);
  },
);
