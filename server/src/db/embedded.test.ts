// Loading the embedded PostgreSQL package must not change how a process ends: the package's
// exit hook once turned every failing test run (exit code 1) into a passing one (0).
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const serverDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

function exitCodeAfterLoading(exitCode: number): number | null {
  const script = `
    import { loadEmbeddedPostgres } from "./src/db/embedded.ts";
    await loadEmbeddedPostgres();
    process.exitCode = ${exitCode};
  `;
  const run = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
    cwd: serverDir,
    encoding: "utf8",
    timeout: 60_000,
  });
  if (run.error) throw run.error;
  expect(run.stderr).not.toMatch(/TypeError/);
  return run.status;
}

describe("the embedded PostgreSQL package", () => {
  it("leaves a failing process's exit code alone, and a passing one's", () => {
    expect(exitCodeAfterLoading(1)).toBe(1);
    expect(exitCodeAfterLoading(0)).toBe(0);
  });
});
