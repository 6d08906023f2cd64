// The PostgreSQL a benchmark runs on: DATABASE_URL's server, or an embedded one made for the run.
import { appendFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startEmbeddedPostgres } from "../server/src/db/embedded.js";

export type BenchServer = {
  serverUrl: string;
  embedded: boolean;
  /** The embedded server's data folder (its postmaster.pid names the server process). */
  dataDir?: string;
  stop: () => Promise<void>;
};

export async function openBenchServer(): Promise<BenchServer> {
  if (process.env.DATABASE_URL)
    return { serverUrl: process.env.DATABASE_URL, embedded: false, stop: async () => {} };
  const dir = mkdtempSync(path.join(tmpdir(), "oc-bench-pg-"));
  const start = () =>
    startEmbeddedPostgres({
      dir: path.join(dir, "pg"),
      // Below Linux's ephemeral range (32768–60999), so no outgoing connection holds it already.
      port: 29000 + Math.floor(Math.random() * 3000),
      persistent: false,
      database: "postgres",
      settings: [
        // BENCH_PG_STATS=1: the benchmark can show which statements took the database's time.
        ...(process.env.BENCH_PG_STATS ? ["shared_preload_libraries=pg_stat_statements"] : []),
        // BENCH_PG_EXPLAIN=<file>: the plans of one statement in a hundred, as they ran, in that
        // file (auto_explain) — how a join or scan that should not be there is found.
        ...(process.env.BENCH_PG_EXPLAIN
          ? [
              "session_preload_libraries=auto_explain",
              "auto_explain.log_min_duration=0",
              `auto_explain.sample_rate=${process.env.BENCH_PG_EXPLAIN_RATE ?? "0.01"}`,
              "auto_explain.log_analyze=on",
              "auto_explain.log_timing=off",
              "auto_explain.log_nested_statements=on",
            ]
          : []),
      ],
      ...(process.env.BENCH_PG_EXPLAIN
        ? { onLog: (line: string) => appendFileSync(process.env.BENCH_PG_EXPLAIN as string, `${line}\n`) }
        : {}),
    });
  // The random port may be taken (the package then rejects without a reason): another one.
  let server: Awaited<ReturnType<typeof startEmbeddedPostgres>> | undefined;
  for (let attempt = 1; !server; attempt++) {
    try {
      server = await start();
    } catch (err) {
      if (attempt >= 3) throw err ?? new Error("the embedded PostgreSQL did not start");
    }
  }
  return {
    serverUrl: server.url,
    embedded: true,
    dataDir: path.join(dir, "pg"),
    stop: async () => {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The same server's URL with another database. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}
