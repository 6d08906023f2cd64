// The `test` every spec uses: each test is a client of its own, with its own address (the e2e
// server trusts X-Forwarded-For from localhost), so per-address limits on codes and failed logins
// see one person per test, as in real use, instead of the whole suite as one client.
import { test as base } from "@playwright/test";

export { expect } from "@playwright/test";

export function randomClientIp(): string {
  const octet = () => 1 + Math.floor(Math.random() * 250);
  return `10.${octet()}.${octet()}.${octet()}`;
}

export const test = base.extend<{ clientIp: string }>({
  // biome-ignore lint/correctness/noEmptyPattern: Playwright reads a fixture's dependencies from this pattern; it has none.
  clientIp: async ({}, use) => {
    await use(randomClientIp());
  },
  extraHTTPHeaders: async ({ clientIp }, use) => {
    await use({ "x-forwarded-for": clientIp });
  },
});
