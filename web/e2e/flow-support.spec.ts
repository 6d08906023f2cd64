// The support desk in one story, across two faces: a customer on a phone asks the bot, asks for
// a person, and an agent at the console answers, asks to see the balance, gets the customer's
// consent, sees it masked, and ends the chat; the customer rates it.
import type { Browser, Page } from "@playwright/test";
import { logInAsStaff } from "./console-helpers";
import { registerCustomer } from "./portal-helpers";
import { expectAccessible } from "./support/axe";
import { expect, randomClientIp, test } from "./support/test";
import { expectElderSizes, setElderMode, topUpByApi } from "./wallet-helpers";

async function staffPage(browser: Browser, role: "agent" | "supervisor"): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width: 1366, height: 768 },
    locale: "zh-CN",
    timezoneId: "Asia/Shanghai",
    extraHTTPHeaders: { "x-forwarded-for": randomClientIp() },
  });
  const page = await context.newPage();
  await logInAsStaff(page, role);
  return page;
}

function yuan(fen: number): string {
  return `¥${Math.floor(fen / 100).toLocaleString("en")}.${String(fen % 100).padStart(2, "0")}`;
}

test("a customer asks the bot, then a person; the agent sees the balance only with consent; the chat ends and is rated", async ({
  page,
  request,
  browser,
}) => {
  // Two logins, a top-up credited by the gateway's once-a-minute notification job, two faces.
  test.setTimeout(300_000);
  await registerCustomer(page, request);
  const me = (await (await page.request.get("/api/v1/me")).json()) as { id: string };
  // Money arrives through the sandbox gateway while the chat goes on.
  const amount = 12_345;
  const toppedUp = topUpByApi(page, amount);

  // The agent comes online first, so the hand-over has someone to go to.
  const agent = await staffPage(browser, "agent");
  await agent.getByRole("navigation", { name: "管理台栏目" }).getByText("在线客服").click();
  await expect(agent.getByRole("heading", { level: 1, name: "在线客服" })).toBeVisible();
  // Antd's radio buttons hide the input under the label: the label is what a person clicks.
  await agent
    .locator("label.ant-radio-button-wrapper")
    .filter({ hasText: /^在线$/ })
    .click();
  await expect(agent.getByRole("radio", { name: "在线" })).toBeChecked();
  await expect(agent.getByText("实时连接正常")).toBeVisible();
  await expectAccessible(agent, "console live-chat inbox");

  // From the help centre into the chat; the bot greets and answers with articles.
  await page.goto("/help");
  await page.getByRole("link", { name: "联系在线客服" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "在线客服" })).toBeVisible();
  const log = page.getByRole("log", { name: "聊天记录" });
  await expect(log.getByText("智能助手").first()).toBeVisible();
  await page.getByLabel("输入消息").fill("怎么把钱包里的钱提现到银行卡");
  await page.getByRole("button", { name: "发送", exact: true }).click();
  const answer = log
    .locator(".oc-chat-msg")
    .filter({ has: page.getByRole("list", { name: "相关帮助文章" }) });
  await expect(answer.first()).toBeVisible();
  await expect(answer.first().getByRole("link").first()).toBeVisible();
  await answer.first().getByRole("button", { name: "有帮助" }).click();
  await expect(answer.first().getByText("感谢您的反馈")).toBeVisible();
  await expectAccessible(page, "portal chat with the bot");

  // 转人工: the conversation goes to the agent, who sees it in "mine" without reloading.
  await page.getByRole("button", { name: "转人工" }).click();
  await expect(page.getByText("人工客服为您服务")).toBeVisible({ timeout: 20_000 });
  const mine = agent.getByRole("button", { name: new RegExp(`客户 ${me.id.slice(0, 8)}`) });
  await expect(mine).toBeVisible();
  await mine.click();
  const agentLog = agent.getByRole("log", { name: "会话消息" });
  await expect(agentLog.getByText("转人工", { exact: true })).toBeVisible();

  // The agent answers; the customer sees it and the agent sees it read.
  await agent.getByLabel("输入回复").fill("您好，我是人工客服，请问有什么可以帮您？");
  await agent.getByRole("button", { name: "发送", exact: true }).click();
  await expect(log.getByText("您好，我是人工客服，请问有什么可以帮您？")).toBeVisible();
  await expect(agentLog.getByText("已读")).toBeVisible();

  // A supervisor opens the same conversation: the agent is warned.
  const supervisor = await staffPage(browser, "supervisor");
  await supervisor.goto("/console/support/chat");
  await supervisor.getByRole("button", { name: new RegExp(`客户 ${me.id.slice(0, 8)}`) }).click();
  await expect(
    supervisor.getByRole("log", { name: "会话消息" }).getByText("转人工", { exact: true }),
  ).toBeVisible();
  await expect(agent.getByRole("alert").filter({ hasText: "另一位客服正在查看" })).toBeVisible();
  await supervisor.context().close();
  await expect(agent.getByText(/另一位客服正在查看/)).toHaveCount(0);

  // Without consent the panel offers to ask and shows nothing of the account.
  await expect(agent.getByText("尚未申请")).toBeVisible();
  await expect(agent.getByTestId("consent-available")).toHaveCount(0);
  await toppedUp;
  await expect(agent.getByRole("checkbox", { name: "余额" })).toBeChecked();
  await agent.getByLabel("时长（分钟，最多 30）").fill("5");
  await agent.getByRole("button", { name: "申请授权" }).click();
  await expect(agent.getByText("等待客户同意")).toBeVisible();

  // The customer sees what is asked and for how long, and grants it.
  const card = page.getByRole("region", { name: "客服申请查看您的账户信息" });
  await expect(card.getByText("余额")).toBeVisible();
  await expect(card.getByText("时长 5 分钟，到时自动失效。")).toBeVisible();
  await expectAccessible(page, "portal chat with a consent request");
  await card.getByRole("button", { name: "同意" }).click();
  await expect(page.getByRole("button", { name: "立即撤销授权" })).toBeVisible();
  await expect(page.getByText("剩余时间")).toBeVisible();

  // The agent sees the balance, masked data only, with the time left.
  await expect(agent.getByTestId("consent-available")).toHaveText(yuan(amount));
  await expect(agent.getByText("已授权", { exact: true })).toBeVisible();
  await expect(agent.locator(".oc-support-clock")).toHaveText(/^[45]:\d\d$/);
  await expectAccessible(agent, "console conversation with the customer's balance");

  // The customer revokes: the balance goes from the agent's screen at once.
  await page.getByRole("button", { name: "立即撤销授权" }).click();
  await expect(agent.getByText("客户已撤销")).toBeVisible();
  await expect(agent.getByTestId("consent-available")).toHaveCount(0);
  await expect(page.getByRole("button", { name: "立即撤销授权" })).toHaveCount(0);

  // The agent ends the chat; the customer rates it.
  await agent.getByRole("button", { name: "结束会话" }).click();
  await expect(page.getByText("本次会话已结束，感谢您的耐心。")).toBeVisible();
  await page.getByLabel("意见或建议（选填）").fill("很快就查清楚了");
  await page.getByRole("button", { name: "5 分" }).click();
  await expect(page.getByText("感谢评价（5 分）")).toBeVisible();
  // The rating is kept on the server, with the comment.
  const chats = (await (await page.request.get("/api/v1/support/conversations")).json()) as {
    items: Array<{ id: string; status: string }>;
  };
  const ended = chats.items.find((c) => c.status === "closed");
  const rating = await page.request.get(`/api/v1/support/conversations/${ended?.id}/rating`);
  expect(await rating.json()).toMatchObject({ rating: { rating: 5, comment: "很快就查清楚了" } });
  await expectAccessible(page, "portal chat after the end");

  // 适老化: the chat in elder mode keeps large text and 60px controls.
  await setElderMode(page, true);
  await page.getByRole("button", { name: "重新咨询" }).click();
  await page.reload();
  await expect(page.getByRole("button", { name: "转人工" })).toBeVisible();
  await expectElderSizes(page, "portal chat in elder mode");
  await expectAccessible(page, "portal chat in elder mode");

  await agent.context().close();
});

test("the chat speaks English too", async ({ page, request }) => {
  await page.addInitScript(() => localStorage.setItem("oc.language", "en"));
  await registerCustomer(page, request);
  await page.goto("/help");
  await page.getByRole("link", { name: "Chat with us" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Live chat" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Talk to a person" })).toBeVisible();
  await expect(page.getByRole("log", { name: "Chat messages" }).getByText("Assistant").first()).toBeVisible();
  await expectAccessible(page, "portal chat in English");
});
