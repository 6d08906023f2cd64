// The agent's live-chat inbox moves with the socket's events, without fetching its lists again:
// a customer asking for a person appears, the agent takes the chat into "mine", and it leaves
// the lists when the customer ends it.
import { logInAsStaff, registerCustomerByApi } from "./console-helpers";
import { expect, test } from "./support/test";

test("the inbox lists follow a chat from waiting to mine to ended without fetching them again", async ({
  page,
  request,
}) => {
  test.setTimeout(120_000);
  await logInAsStaff(page, "agent");
  await page.getByRole("navigation", { name: "管理台栏目" }).getByText("在线客服").click();
  await expect(page.getByRole("heading", { level: 1, name: "在线客服" })).toBeVisible();
  await expect(page.getByText("实时连接正常")).toBeVisible();
  // Let the fetches of the first load (and of the socket's ready) finish before counting.
  await page.waitForLoadState("networkidle");
  const listFetches: string[] = [];
  page.on("request", (r) => {
    if (r.url().includes("/api/v1/console/support/conversations?")) listFetches.push(r.url());
  });

  const customer = await registerCustomerByApi(request, "郑实时");
  const me = (await (await customer.api.get("/api/v1/me")).json()) as { id: string };
  const opened = await customer.api.post("/api/v1/support/conversations", {
    headers: customer.csrf,
    data: {},
  });
  expect(opened.ok()).toBe(true);
  const { id: chatId } = (await opened.json()) as { id: string };
  const asked = await customer.api.post(`/api/v1/support/conversations/${chatId}/messages`, {
    headers: customer.csrf,
    data: { clientId: "live-1", body: "转人工" },
  });
  expect(asked.ok()).toBe(true);

  // Waiting, or already given to an agent who is online: either way it shows up by itself.
  const entry = page.getByRole("button", { name: new RegExp(`客户 ${me.id.slice(0, 8)}`) });
  await expect(entry).toBeVisible();
  await entry.click();
  const mine = page.locator(".ant-card").filter({ has: page.getByRole("heading", { name: "我的会话" }) });
  if (!(await mine.getByRole("button", { name: new RegExp(`客户 ${me.id.slice(0, 8)}`) }).isVisible())) {
    await page.getByRole("button", { name: "接入", exact: true }).click();
  }
  await expect(
    mine.getByRole("button", { name: new RegExp(`客户 ${me.id.slice(0, 8)} · 已接入`) }),
  ).toBeVisible();

  // The customer ends the chat: it leaves "mine" from the event.
  const ended = await customer.api.post(`/api/v1/support/conversations/${chatId}/close`, {
    headers: customer.csrf,
    data: {},
  });
  expect(ended.ok()).toBe(true);
  await expect(mine.getByRole("button", { name: new RegExp(`客户 ${me.id.slice(0, 8)}`) })).toHaveCount(0);

  // Not one fetch of the lists on the way: the events did it all.
  expect(listFetches).toEqual([]);
});
