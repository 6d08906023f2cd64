// Browser tests: the real server (embedded PostgreSQL, demo data) driven in Debian's Chromium.
import { defineConfig, devices } from "@playwright/test";
import { E2E_BASE_URL, E2E_DATA_DIR, E2E_PORT } from "./e2e/support/env";

const chromiumArgs = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export default defineConfig({
  testDir: "e2e",
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 2,
  retries: 0,
  reporter: [["list"]],
  use: {
    baseURL: E2E_BASE_URL,
    locale: "zh-CN",
    timezoneId: "Asia/Shanghai",
    trace: "retain-on-failure",
    launchOptions: { executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: chromiumArgs },
  },
  projects: [
    {
      name: "mobile",
      use: {
        ...devices["Pixel 7"],
        launchOptions: {
          executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
          args: chromiumArgs,
        },
      },
      testMatch: /(portal|kiosk|flow)-.*\.spec\.ts/,
    },
    {
      name: "desktop",
      use: { viewport: { width: 1366, height: 768 } },
      testMatch: /(console|mailbox)-.*\.spec\.ts/,
    },
  ],
  webServer: {
    // A fresh data directory per run: new embedded PostgreSQL, fresh demo data.
    command: `node e2e/support/start-server.mjs`,
    url: `${E2E_BASE_URL}/readyz`,
    timeout: 180_000,
    reuseExistingServer: false,
    gracefulShutdown: { signal: "SIGINT", timeout: 20_000 },
    stdout: "ignore",
    stderr: "pipe",
    env: { E2E_PORT: String(E2E_PORT), E2E_DATA_DIR },
  },
});
