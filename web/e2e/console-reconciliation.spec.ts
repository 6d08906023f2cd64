// Finance reconciles a day in the console: a top-up the sandbox gateway took for another amount
// than asked shows up as an exception, which finance resolves with a note. Every screen passes axe.
import pg from "pg";
import { registerCustomerByApi, submitTotp } from "./console-helpers";
import { expectAccessible } from "./support/axe";
import { e2eDatabaseUrl } from "./support/database";
import { demoLogin } from "./support/demo";
import { expect, test } from "./support/test";

/** The gateway takes another amount than the top-up asked (as a faulty provider might). */
async function setGatewayAmount(paymentId: string, fen: number): Promise<void> {
  const client = new pg.Client({ connectionString: e2eDatabaseUrl() });
  await client.connect();
  try {
    const res = await client.query("update sandbox_gateway_payments set amount = $1 where id = $2", [
      fen,
      paymentId,
    ]);
    if (res.rowCount !== 1) throw new Error(`no sandbox payment ${paymentId}`);
  } finally {
    await client.end();
  }
}

function chinaToday(): string {
  return new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
}

test("finance starts a reconciliation, sees the exception and resolves it with a note", async ({
  page,
  request,
}) => {
  test.setTimeout(180_000);
  const customer = await registerCustomerByApi(request, "周对账");
  const opened = await customer.api.post("/api/v1/wallet/topups", {
    headers: { ...customer.csrf, "idempotency-key": `recon-e2e-${Date.now()}` },
    data: { amount: 12_345, currency: "CNY", method: "sandbox" },
  });
  expect(opened.status()).toBe(201);
  const { id: topupId, payUrl } = (await opened.json()) as { id: string; payUrl: string };
  const paymentId = payUrl.split("/").pop() ?? "";
  await setGatewayAmount(paymentId, 12_000);
  const paid = await customer.api.post(`/sandbox-gateway/payments/${paymentId}/pay`, {
    headers: { "content-type": "application/json" },
    data: {},
  });
  expect(paid.status()).toBe(200);

  const finance = demoLogin("finance");
  if (!finance.totpSecret) throw new Error("demo finance has no TOTP secret");
  await page.goto("/console/");
  await page.getByLabel("邮箱").fill(finance.login);
  await page.getByLabel("密码").fill(finance.password);
  await page.getByRole("button", { name: "登录" }).click();
  await submitTotp(page, finance.totpSecret);

  await page.getByRole("navigation", { name: "管理台栏目" }).getByText("对账").click();
  await expect(page.getByRole("heading", { level: 1, name: "对账" })).toBeVisible();
  await expect(page.getByRole("table", { name: "对账批次（最新在前）" })).toBeVisible();
  await expectAccessible(page, "reconciliation runs");

  const today = chinaToday();
  await page.getByLabel("对账日（北京时间）").fill(today);
  await page.getByRole("button", { name: "对这一天对账" }).click();
  await expect(page.getByRole("heading", { level: 1, name: `${today} 对账` })).toBeVisible();
  const exceptions = page.getByRole("table", { name: "本批次的差异" });
  const row = exceptions.getByRole("row").filter({ hasText: topupId });
  await expect(row).toContainText("金额不一致");
  await expect(row).toContainText("¥120.00");
  await expectAccessible(page, "reconciliation run");

  await row.getByRole("button", { name: "处理" }).click();
  const dialog = page.getByRole("dialog", { name: "处理此差异" });
  await expect(dialog).toBeVisible();
  await expectAccessible(page, "resolve exception dialog");
  await dialog.getByRole("button", { name: "处理" }).click();
  await expect(dialog.getByText("请填写处理说明")).toBeVisible();
  await dialog.getByLabel("处理说明").fill("渠道多收款项已核实，联系渠道按原金额重新结算");
  await dialog.getByRole("button", { name: "处理" }).click();
  await expect(dialog).toBeHidden();
  await expect(row).toContainText("渠道多收款项已核实");
  await expect(row.getByRole("button", { name: "处理" })).toHaveCount(0);

  await page.getByRole("link", { name: "全部批次" }).click();
  await expect(page.getByRole("table", { name: "对账批次（最新在前）" }).getByRole("row")).not.toHaveCount(1);
  await page.getByRole("button", { name: /▾/ }).click();
  await page.getByRole("menuitem", { name: "English" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Reconciliation" })).toBeVisible();
  // The language menu fades out; axe must not measure its half-transparent items.
  await expect(page.locator(".ant-dropdown-menu")).toBeHidden();
  await expectAccessible(page, "reconciliation runs (en)");
});
