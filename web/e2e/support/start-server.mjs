// Builds the web faces, then runs the real server on a fresh embedded PostgreSQL for the browser tests.
// Playwright stops it with SIGINT; the server then stops PostgreSQL itself.
import { spawn, spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const web = path.resolve(here, "../..");
const root = path.resolve(web, "..");
const dataDir = process.env.E2E_DATA_DIR;
const port = process.env.E2E_PORT ?? "8181";
if (!dataDir) throw new Error("E2E_DATA_DIR is not set");

// The faces are built into a directory of this run's own, so a parallel `vite build` of web/dist
// cannot empty it under the server. E2E_SKIP_BUILD=1 reuses the last build of this port.
const webDist = process.env.WEB_DIST ?? `${dataDir}-web`;
if (process.env.E2E_SKIP_BUILD !== "1") {
  const build = spawnSync(
    "npx",
    ["vite", "build", "--logLevel", "warn", "--outDir", webDist, "--emptyOutDir"],
    {
      cwd: web,
      stdio: "inherit",
    },
  );
  if (build.status !== 0) process.exit(build.status ?? 1);
}

rmSync(dataDir, { recursive: true, force: true });
// The staff two-step steps used by the last run's workers (console-helpers.ts).
rmSync(`${dataDir}-totp`, { recursive: true, force: true });
const server = spawn(process.execPath, ["--import", "tsx", "server/src/main.ts"], {
  cwd: root,
  stdio: "inherit",
  env: {
    ...process.env,
    DATABASE_URL: process.env.E2E_DATABASE_URL ?? "",
    NODE_ENV: "development",
    PORT: port,
    HOST: "127.0.0.1",
    PUBLIC_URL: `http://localhost:${port}`,
    DATA_DIR: dataDir,
    EMBEDDED_PG_PORT: String(Number(port) + 47000),
    LOG_LEVEL: "warn",
    TRUST_PROXY: "127.0.0.1",
    WEB_DIST: webDist,
  },
});
const forward = (signal) => () => server.kill(signal);
process.on("SIGINT", forward("SIGINT"));
process.on("SIGTERM", forward("SIGTERM"));
server.on("exit", (code) => process.exit(code ?? 0));
