// The service desk's tickets at the console: an agent logs a phone call from the demo customer,
// finds it in the inbox, writes an internal note to a colleague and a reply, and resolves it; an
// account request by phone is resolved only after the caller reads back the code sent to their
// phone. Both screens pass axe.
import type { Locator, Page } from "@playwright/test";
import { logInAsStaff, registerCustomerByApi } from "./console-helpers";
import { expectAccessible } from "./support/axe";
import { waitForCode } from "./support/mailbox";
import { expect, test } from "./support/test";

const DEMO_CUSTOMER_PHONE = "13800138000";

/** Picks an option of an antd Select found by its label. */
async function choose(page: Page, label: string, option: string): Promise<void> {
  await page.getByRole("combobox", { name: label, exact: true }).click();
  await page.locator(".ant-select-dropdown:visible .ant-select-item-option", { hasText: option }).click();
}

/** Logs a call through the form and lands on the new ticket; returns its number. */
async function logCall(
  page: Page,
  subject: string,
  note: string,
  suggestion: string,
  caller: { findByPhone: true } | { name: string; email: string } = { findByPhone: true },
): Promise<string> {
  await page.getByRole("navigation", { name: "管理台栏目" }).getByText("工单").click();
  await expect(page.getByRole("heading", { level: 1, name: "工单" })).toBeVisible();
  await page.getByRole("button", { name: "登记来电" }).click();
  const dialog = page.getByRole("dialog", { name: "登记来电" });
  if ("findByPhone" in caller) {
    await findDemoCustomer(dialog);
  } else {
    await dialog.getByLabel("来电人姓名").fill(caller.name);
    await dialog.getByLabel("来电人邮箱").fill(caller.email);
  }
  await dialog.getByLabel("主题").fill(subject);
  await dialog.getByLabel("通话记录").fill(note);
  await expect(dialog.getByRole("status").filter({ hasText: suggestion })).toBeVisible();
  await dialog.getByRole("button", { name: "登记为工单" }).click();
  const heading = page.getByRole("heading", { level: 1, name: new RegExp(`^工单 #\\d+ ${subject}$`) });
  await expect(heading).toBeVisible();
  const number = (await heading.textContent())?.match(/#(\d+)/)?.[1];
  expect(number).toBeTruthy();
  return number ?? "";
}

/** Looks the demo customer up by phone: one masked match, chosen for the agent. */
async function findDemoCustomer(scope: Locator): Promise<void> {
  await scope.getByLabel("客户手机号、邮箱或客户编号").fill(DEMO_CUSTOMER_PHONE);
  await scope.getByRole("button", { name: "查找客户" }).click();
  await expect(scope.getByRole("radio", { checked: true })).toHaveCount(1);
  await expect(scope.getByText(/138\*+8000/)).toBeVisible();
}

test("an agent logs a phone call, finds it in the inbox, notes, replies and resolves it", async ({
  page,
}) => {
  test.setTimeout(120_000);
  await logInAsStaff(page, "agent");
  await page.getByRole("navigation", { name: "管理台栏目" }).getByText("工单").click();
  await expect(page.getByRole("heading", { level: 1, name: "工单" })).toBeVisible();
  await expect(page.getByRole("table")).toBeVisible();
  await expectAccessible(page, "console ticket inbox");

  const subject = `积分兑换咨询 ${Date.now() % 100000}`;
  const number = await logCall(
    page,
    subject,
    "客户来电问积分可以兑换什么",
    "没有匹配的关键词，默认为一般咨询",
  );

  // In the inbox: the logged call is open, mine, and its resolution clock runs (words, not colour only).
  await page.getByRole("link", { name: "返回工单列表" }).click();
  await page.getByLabel("搜索工单").fill(`#${number}`);
  await page.getByRole("button", { name: "搜索" }).click();
  const row = page.getByRole("row").filter({ hasText: subject });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText("电话");
  await expect(row).toContainText("处理中");
  await expect(row).toContainText("演示坐席 Demo Agent");
  await expect(row).toContainText(/解决：剩余 \d+/);
  await row.getByRole("link", { name: subject }).click();
  await expect(page.getByRole("heading", { level: 1, name: `工单 #${number} ${subject}` })).toBeVisible();

  const thread = page.getByRole("log", { name: "往来记录" });
  // The call note is an internal note.
  await expect(thread.getByRole("article", { name: "演示坐席 Demo Agent 的内部备注" }).first()).toContainText(
    "客户来电问积分可以兑换什么",
  );

  // An internal note that calls in the supervisor by @.
  await page.getByRole("tab", { name: "内部备注" }).click();
  const noteBox = page.getByRole("textbox", { name: "内部备注" });
  await noteBox.click();
  await noteBox.pressSequentially("@super");
  await page.getByText("演示主管 Demo Supervisor（supervisor）").click();
  await noteBox.pressSequentially("请确认积分规则");
  await page.getByRole("button", { name: "添加备注" }).click();
  const notes = thread.getByRole("article", { name: "演示坐席 Demo Agent 的内部备注" });
  await expect(notes).toHaveCount(2);
  await expect(notes.last().locator("mark")).toHaveText("@supervisor");
  await expect(notes.last()).toContainText("内部备注 · 客户不可见");
  await expect(notes.last()).toContainText("已通知：演示主管 Demo Supervisor");

  // A reply to the customer, starting from a canned response the agent adds first.
  await page.getByRole("tab", { name: "回复客户" }).click();
  const cannedTitle = `积分说明 ${Date.now() % 100000}`;
  await page.getByRole("button", { name: "管理常用回复" }).click();
  const cannedDialog = page.getByRole("dialog", { name: "常用回复" });
  await cannedDialog.getByLabel("标题").fill(cannedTitle);
  await cannedDialog.getByLabel("内容").fill("{customerName}您好，积分可在积分商城兑换话费和礼品。");
  await cannedDialog.getByRole("button", { name: "保存" }).click();
  await expect(cannedDialog.getByText(cannedTitle)).toBeVisible();
  await expectAccessible(page, "console canned responses");
  await cannedDialog.getByRole("button", { name: "关闭" }).click();
  await choose(page, "常用回复", cannedTitle);
  await page.getByRole("textbox", { name: "回复内容" }).fill("如有疑问请随时来电。");
  await page.getByRole("button", { name: "发送回复" }).click();
  const reply = thread.getByRole("article", { name: "客服 演示坐席 Demo Agent" }).first();
  await expect(reply).toContainText("张三您好，积分可在积分商城兑换话费和礼品。");
  await expect(reply).toContainText("如有疑问请随时来电。");

  // Resolved: the customer gets the follow-up on the ticket.
  await choose(page, "状态", "已解决");
  await expect(thread).toContainText("您好，您的问题已处理");
  await expect(page.getByRole("combobox", { name: "状态", exact: true }).locator("xpath=..")).toContainText(
    "已解决",
  );
  await expectAccessible(page, "console ticket detail");
});

test("an account request by phone is resolved only after the caller reads back the code", async ({
  page,
  request,
}) => {
  test.setTimeout(120_000);
  await logInAsStaff(page, "agent");
  const subject = `重置登录密码 ${Date.now() % 100000}`;
  // The caller rings from another number: the call is logged by name and email, then matched to the customer.
  await logCall(page, subject, "客户来电说忘记密码了，想重置登录密码", "建议：密码问题", {
    name: "张先生",
    email: `caller-${Date.now()}@example.com`,
  });
  const verification = page.locator(".ant-card").filter({ hasText: "客户身份核实" });
  await findDemoCustomer(verification);
  await verification.getByRole("button", { name: "关联到所选客户" }).click();

  await choose(page, "状态", "已解决");
  await expect(
    page.getByRole("alert").filter({ hasText: "请先通过绑定手机验证码核实客户身份" }),
  ).toBeVisible();

  const since = new Date(Date.now() - 1000);
  await page.getByRole("button", { name: "发送验证码到客户手机" }).click();
  await expect(page.getByText(/验证码已发送，\d+ 分钟内有效/)).toBeVisible();
  const code = await waitForCode(request, DEMO_CUSTOMER_PHONE, since);
  await page.getByLabel("客户念出的验证码").fill(code);
  await page.getByRole("button", { name: "核实", exact: true }).click();
  await expect(page.getByText(/由 演示坐席 Demo Agent 核实客户身份/)).toBeVisible();
  await expect(page.getByRole("log", { name: "往来记录" })).toContainText("已通过绑定手机验证码核实客户身份");

  await choose(page, "状态", "已解决");
  await expect(page.getByRole("log", { name: "往来记录" })).toContainText("您好，您的问题已处理");
  await expectAccessible(page, "console ticket detail after verification");
});

test("an agent links a related call and merges a duplicate into the first ticket", async ({ page }) => {
  test.setTimeout(120_000);
  await logInAsStaff(page, "agent");
  const stamp = Date.now() % 100000;
  const first = await logCall(
    page,
    `自助机故障 ${stamp}`,
    "客户来电说自助机卡死了，屏幕没反应",
    "建议：系统故障",
  );
  const second = await logCall(
    page,
    `重复扣款 ${stamp}`,
    "客户来电说缴费扣了两次钱，其实是自助机卡死后又点了一次",
    "建议：",
  );

  // Related first: both stay as they are, each lists the other.
  await page.getByLabel("另一工单的编号").fill(`#${first}`);
  await page.getByRole("button", { name: "查找", exact: true }).click();
  await expect(page.getByRole("status").filter({ hasText: `#${first} 自助机故障 ${stamp}` })).toBeVisible();
  await page.getByRole("button", { name: "标记为相关" }).click();
  const linked = page.getByRole("list", { name: "关联工单" });
  await expect(linked.getByRole("link", { name: `#${first} 自助机故障 ${stamp}` })).toBeVisible();

  // Then merged: this ticket closes and points at the first, which now holds its messages.
  await page.getByLabel("另一工单的编号").fill(first);
  await page.getByRole("button", { name: "查找", exact: true }).click();
  await page.getByRole("button", { name: "并入该工单" }).click();
  await page.getByRole("tooltip").getByRole("button", { name: "并入该工单" }).click();
  await expect(page.getByText("此工单已并入另一工单。")).toBeVisible();
  await page.getByRole("link", { name: "打开合并后的工单" }).click();
  await expect(
    page.getByRole("heading", { level: 1, name: `工单 #${first} 自助机故障 ${stamp}` }),
  ).toBeVisible();
  const thread = page.getByRole("log", { name: "往来记录" });
  await expect(thread).toContainText("缴费扣了两次钱");
  await expect(thread).toContainText(`工单 #${second} 已并入本工单`);
});

test("the inbox and an open ticket show a customer's new request and reply as they come, without a reload", async ({
  page,
  request,
}) => {
  test.setTimeout(120_000);
  await logInAsStaff(page, "agent");
  await page.getByRole("navigation", { name: "管理台栏目" }).getByText("工单").click();
  await expect(page.getByRole("heading", { level: 1, name: "工单" })).toBeVisible();
  const customer = await registerCustomerByApi(request, "赵实时");
  const subject = `转账未到账 ${Date.now() % 1_000_000}`;
  const opened = await customer.api.post("/api/v1/support/tickets", {
    headers: customer.csrf,
    data: { subject, body: "昨天转给家人的钱一直没到账，请帮忙查一下" },
  });
  expect(opened.status()).toBe(201);
  const ticketId = ((await opened.json()) as { ticket: { id: string } }).ticket.id;

  // The page's own full read is minutes away: only the ticket stream can bring it this soon.
  const row = page.getByRole("link", { name: new RegExp(`^打开工单 #\\d+：${subject}$`) });
  await expect(row).toBeVisible({ timeout: 10_000 });
  await row.click();
  await expect(page.getByRole("heading", { level: 1, name: new RegExp(`${subject}$`) })).toBeVisible();

  const wrote = await customer.api.post(`/api/v1/support/tickets/${ticketId}/messages`, {
    headers: customer.csrf,
    data: { body: "补充一下：是昨天下午三点转的" },
  });
  expect(wrote.status()).toBe(201);
  await expect(page.getByRole("log", { name: "往来记录" })).toContainText("补充一下：是昨天下午三点转的", {
    timeout: 10_000,
  });
});
