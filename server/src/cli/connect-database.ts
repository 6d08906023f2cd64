// How a CLI reaches the server's database: DATABASE_URL, the embedded cluster a running server
// holds, or a start of that cluster for the length of the command.
import { existsSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import type { Config } from "../config.js";
import { openDatabase } from "../runtime.js";

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
export async function connectCliDatabase(
  config: Config,
  say: (line: string) => void,
): Promise<{ url: string; stop?: () => Promise<void> }> {
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
