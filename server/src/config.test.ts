import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./config.js";

const made: string[] = [];
const dataDir = () => {
  const dir = mkdtempSync(path.join(tmpdir(), "oc-config-"));
  made.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

describe("configuration", () => {
  it("names every variable that has a wrong value", () => {
    expect(() =>
      loadConfig({ PORT: "eighty", SMTP_URL: "mail.example.com", DATA_DIR: dataDir() }),
    ).toThrowError(ConfigError);
    try {
      loadConfig({ PORT: "eighty", SMTP_URL: "mail.example.com", DATA_DIR: dataDir() });
    } catch (err) {
      expect(String(err)).toContain("PORT");
      expect(String(err)).toContain("SMTP_URL");
    }
  });

  it("requires SECRET_KEY in production", () => {
    expect(() => loadConfig({ NODE_ENV: "production", DATA_DIR: dataDir() })).toThrowError(/SECRET_KEY/);
  });

  it("generates a secret key once into DATA_DIR and reuses it", () => {
    const dir = dataDir();
    const first = loadConfig({ DATA_DIR: dir }).secretKey.toString("hex");
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(loadConfig({ DATA_DIR: dir }).secretKey.toString("hex")).toBe(first);
  });

  it("uses the documented defaults", () => {
    const c = loadConfig({ DATA_DIR: dataDir() });
    expect(c).toMatchObject({ port: 8080, host: "127.0.0.1", env: "development", databaseUrl: undefined });
    expect(c.publicUrl).toBe("http://localhost:8080");
  });

  it("stops the server start with a message naming the bad variable", () => {
    const run = spawnSync(process.execPath, ["--import", "tsx", "src/main.ts"], {
      cwd: path.resolve(import.meta.dirname, ".."),
      env: { ...process.env, PORT: "not-a-port", DATA_DIR: dataDir() },
      encoding: "utf8",
      timeout: 20_000,
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("PORT");
  });

  it("reads TRUST_PROXY as a flag or a list of proxy addresses, and refuses anything else", () => {
    expect(loadConfig({ DATA_DIR: dataDir() }).trustProxy).toBe(false);
    expect(loadConfig({ DATA_DIR: dataDir(), TRUST_PROXY: "true" }).trustProxy).toBe(true);
    expect(loadConfig({ DATA_DIR: dataDir(), TRUST_PROXY: "10.0.0.1, 10.0.0.0/8" }).trustProxy).toBe(
      "10.0.0.1, 10.0.0.0/8",
    );
    expect(() => loadConfig({ DATA_DIR: dataDir(), TRUST_PROXY: "anyone please" })).toThrowError(
      /TRUST_PROXY/,
    );
  });
});
