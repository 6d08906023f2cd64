// Notification subscriptions on the portal's settings page: SMS/email per topic, security SMS
// fixed on, kept on the account; accessible and sized for elder mode.
import { registerCustomer } from "./portal-helpers";
import { expectAccessible } from "./support/axe";
import { expect, test } from "./support/test";
import { expectElderSizes, setElderMode } from "./wallet-helpers";

test("a customer turns on balance texts, which stay on, and cannot turn off security texts", async ({
  page,
  request,
}) => {
  await registerCustomer(page, request);
  await page.goto("/settings");
  await expect(page.getByRole("heading", { name: "消息通知" })).toBeVisible();

  const balance = page.getByRole("group", { name: "余额变动" });
  const balanceSms = balance.getByRole("checkbox", { name: "短信" });
  await expect(balanceSms).not.toBeChecked();
  const saved = page.waitForResponse(
    (r) => r.url().endsWith("/api/v1/me/notification-subscriptions") && r.request().method() === "PUT",
  );
  await balanceSms.check();
  expect((await saved).status()).toBe(200);

  const security = page.getByRole("group", { name: "安全提醒" });
  await expect(security.getByRole("checkbox", { name: /短信/ })).toBeChecked();
  await expect(security.getByRole("checkbox", { name: /短信/ })).toBeDisabled();
  await expectAccessible(page, "settings with subscriptions");

  await page.reload();
  await expect(
    page.getByRole("group", { name: "余额变动" }).getByRole("checkbox", { name: "短信" }),
  ).toBeChecked();
  const stored = await page.request.get("/api/v1/me/notification-subscriptions");
  expect((await stored.json()).balance).toEqual({ sms: true, email: false });

  await setElderMode(page, true);
  await page.reload();
  await expect(page.getByRole("heading", { name: "消息通知" })).toBeVisible();
  await expectElderSizes(page, "settings in elder mode");
  await expectAccessible(page, "settings in elder mode");
});
