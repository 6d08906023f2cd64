import { expectAccessible } from "./support/axe";
import { expect, test } from "./support/test";

test("the dev mailbox page lists messages and passes axe", async ({ page }) => {
  await page.goto("/dev/mailbox");
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Dev mailbox");
  await expectAccessible(page, "dev mailbox");
});
