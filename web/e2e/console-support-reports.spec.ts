// A supervisor reads the support reports: a customer's ticket and rated chat of today show in the
// key figures, the charts (each an image with its numbers in words) and the data tables; the CSV
// downloads with the session; the page passes axe, and draws its charts without animation for
// people who asked for less motion.
import { readFileSync } from "node:fs";
import { logInAsStaff, registerCustomerByApi } from "./console-helpers";
import { expectAccessible } from "./support/axe";
import { expect, test } from "./support/test";

test("a supervisor sees the week's support figures as charts and tables, and downloads them as CSV", async ({
  page,
  request,
}) => {
  test.setTimeout(180_000);
  await page.emulateMedia({ reducedMotion: "reduce" });

  // Today's desk work: a ticket left in the portal, and a chat the customer ended and rated 4.
  const customer = await registerCustomerByApi(request, "吴报表");
  const ticket = await customer.api.post("/api/v1/support/tickets", {
    headers: customer.csrf,
    data: { subject: "重置密码", body: "忘记密码了，想重置登录密码" },
  });
  expect(ticket.status()).toBe(201);
  const chat = await customer.api.post("/api/v1/support/conversations", { headers: customer.csrf, data: {} });
  expect(chat.ok()).toBe(true);
  const { id: chatId } = (await chat.json()) as { id: string };
  const closed = await customer.api.post(`/api/v1/support/conversations/${chatId}/close`, {
    headers: customer.csrf,
    data: {},
  });
  expect(closed.ok()).toBe(true);
  const rated = await customer.api.post(`/api/v1/support/conversations/${chatId}/rating`, {
    headers: customer.csrf,
    data: { rating: 4, comment: "很快" },
  });
  expect(rated.status()).toBe(201);

  await logInAsStaff(page, "supervisor");
  await page.getByRole("navigation", { name: "管理台栏目" }).getByText("客服报表").click();
  await expect(page.getByRole("heading", { level: 1, name: "客服报表" })).toBeVisible();
  // The last 7 days, today included, unless the supervisor picks otherwise.
  const today = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
  await expect(page.getByLabel("结束日期")).toHaveValue(today);

  const kpis = page.getByRole("region", { name: "关键指标" });
  await expect(kpis.getByText("工单数")).toBeVisible();
  await expect(kpis.getByText("满意度（1–5 分）")).toBeVisible();
  await expect(kpis.getByText("升级处理")).toBeVisible();

  // Each chart is one image whose name says its numbers.
  const byCategory = page.getByRole("img", { name: /^按类别的工单量：/ });
  await expect(byCategory).toBeVisible();
  await expect(byCategory).toHaveAttribute("aria-label", /密码问题 [1-9]/);
  await expect(page.getByRole("img", { name: /^按渠道的咨询量：/ })).toBeVisible();
  await expect(page.getByRole("img", { name: /^响应与解决时长（工作时间分钟）：/ })).toBeVisible();
  await expect(page.getByRole("img", { name: /^按优先级的 SLA 超时：/ })).toBeVisible();
  await expect(page.getByRole("img", { name: /^坐席工作量：/ })).toBeVisible();
  const satisfaction = page.getByRole("img", { name: /^满意度：/ });
  await expect(satisfaction).toHaveAttribute("aria-label", /4 星：工单 \d+ 条，会话 [1-9]\d* 条/);
  // ECharts drew on its canvas.
  await expect(satisfaction.locator("canvas")).toHaveCount(1);

  // The same numbers as a table, for anyone who cannot read the picture.
  await page.getByRole("button", { name: "查看数据表：满意度" }).click();
  const table = page.getByRole("table", { name: "满意度" });
  await expect(table).toBeVisible();
  await expect(table.getByRole("columnheader", { name: "会话评价" })).toBeVisible();
  const fourStars = table.getByRole("row", { name: /^4 星/ });
  await expect(fourStars).toBeVisible();
  await expect(fourStars.getByRole("cell").nth(2)).not.toHaveText("0");
  await expectAccessible(page, "support reports");

  // The CSV comes with the session and keeps the spreadsheet's header row.
  const download = page.waitForEvent("download");
  await page.getByRole("button", { name: "下载 CSV" }).click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/^support-report-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv$/);
  const csv = readFileSync((await file.path()) ?? "", "utf8");
  const lines = csv.split("\r\n");
  expect(lines[0]).toBe("\uFEFFsection,key,value");
  expect(lines.some((l) => /^volume_by_category,account_password,[1-9]/.test(l))).toBe(true);
  expect(lines.some((l) => /^satisfaction_chats,answered,[1-9]/.test(l))).toBe(true);
  expect(lines.some((l) => /^escalations,total,\d+$/.test(l))).toBe(true);
  await expect(page.getByText(/已保存 support-report-/)).toBeVisible();

  // Another period: the last 30 days.
  await page.getByRole("button", { name: "最近 30 天" }).click();
  await expect(page.getByText(/当前显示 .* 至 .*（北京时间）/)).toContainText(today);
  await expectAccessible(page, "support reports, last 30 days");

  // In English too.
  await page.getByRole("button", { name: /Demo Supervisor|演示主管/ }).click();
  await page.getByRole("menuitem", { name: "English" }).click();
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
  await expect(page.getByRole("heading", { level: 1, name: "Support reports" })).toBeVisible();
  await expect(
    page.getByRole("img", { name: /^Satisfaction: .*Rated 4: \d+ from tickets, [1-9]\d* from chats/ }),
  ).toBeVisible();
  await expect(page.locator(".ant-dropdown-menu")).toBeHidden();
  await expectAccessible(page, "support reports (en)");
});
