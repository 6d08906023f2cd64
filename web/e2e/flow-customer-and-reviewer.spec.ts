// The whole foundation in one story, across two faces: a customer on a phone and a reviewer at
// the console, both driven through the pages by their labels.
import type { Browser, Page } from "@playwright/test";
import { submitTotp } from "./console-helpers";
import { cardNumber, strongPassword } from "./portal-helpers";
import { demoLogin } from "./support/demo";
import { uniquePhone, waitForCode } from "./support/mailbox";
import { expect, randomClientIp, test } from "./support/test";

const PNG_1X1 = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=",
  "base64",
);

async function reviewerPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width: 1366, height: 768 },
    locale: "zh-CN",
    extraHTTPHeaders: { "x-forwarded-for": randomClientIp() },
  });
  const page = await context.newPage();
  const reviewer = demoLogin("reviewer");
  if (!reviewer.totpSecret) throw new Error("the demo reviewer has no TOTP secret");
  await page.goto("/console/");
  await page.getByLabel("邮箱").fill(reviewer.login);
  await page.getByLabel("密码").fill(reviewer.password);
  await page.getByRole("button", { name: "登录" }).click();
  await submitTotp(page, reviewer.totpSecret);
  await expect(page.getByRole("heading", { level: 1, name: "审核队列" })).toBeVisible();
  return page;
}

/** Opens the pending item of `kind` about the customer with `maskedPhone` and approves it. */
async function approve(console: Page, maskedPhone: string, kind: RegExp, reason: string): Promise<void> {
  await console.reload();
  const row = console
    .getByRole("table", { name: "待审核事项" })
    .getByRole("row")
    .filter({ hasText: maskedPhone })
    .filter({ has: console.getByRole("button", { name: kind }) });
  await expect(row).toHaveCount(1);
  await row.getByRole("button", { name: kind }).click();
  const drawer = console.getByRole("dialog", { name: kind });
  await drawer.getByRole("button", { name: "通过" }).click();
  const confirm = console.getByRole("dialog", { name: "确认通过此申请？" });
  await confirm.getByLabel("理由（选填）").fill(reason);
  await confirm.getByRole("button", { name: "通过" }).click();
  await expect(drawer.getByText("已通过")).toBeVisible();
}

async function logIn(page: Page, phone: string, password: string): Promise<void> {
  await page.goto("/login");
  await page.getByLabel("手机号或邮箱").fill(phone);
  await page.getByLabel("登录密码").fill(password);
  await page.getByRole("button", { name: "登录", exact: true }).click();
}

test("a customer registers, secures the account, changes name with a reviewer's approval, freezes it and gets it unfrozen", async ({
  page,
  request,
  browser,
}) => {
  // Two console logins may each wait for a fresh two-step code (up to 30 s).
  test.setTimeout(240_000);
  const phone = uniquePhone();
  const maskedPhone = `${phone.slice(0, 3)}****${phone.slice(-4)}`;
  const password = strongPassword();

  // Register with the code read from the dev mailbox.
  await page.goto("/register");
  await page.getByLabel("手机号").fill(phone);
  let since = new Date(Date.now() - 1000);
  await page.getByRole("button", { name: "获取验证码" }).click();
  await page.getByLabel("短信验证码").fill(await waitForCode(request, phone, since));
  await page.getByLabel("设置登录密码").fill(password);
  await page.getByLabel("姓名（选填）").fill("周小川");
  await page.getByRole("button", { name: "注册并登录" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "首页" })).toBeVisible();

  // Log out and in again.
  await page.getByRole("navigation").getByRole("link", { name: "我的" }).click();
  await page.getByRole("button", { name: "退出登录" }).click();
  await logIn(page, phone, password);
  await expect(page.getByRole("heading", { level: 1, name: "首页" })).toBeVisible();

  // Payment password, with a code sent to the bound phone.
  await page.goto("/security/payment-password");
  const ownPhone = page.getByLabel("本人手机号");
  if ((await ownPhone.count()) > 0) await ownPhone.fill(phone);
  since = new Date(Date.now() - 1000);
  await page.getByRole("button", { name: "获取验证码" }).click();
  await page.getByLabel("短信验证码").fill(await waitForCode(request, phone, since));
  await page.getByLabel("支付密码（6 位数字）").fill("281946");
  await page.getByLabel("再次输入支付密码").fill("281946");
  await page.getByRole("button", { name: "保存支付密码" }).click();
  await expect(page.getByRole("status").filter({ hasText: "支付密码已设置" })).toBeVisible();

  // Bind a card: the full number is never shown back.
  await page.goto("/security/bank-cards");
  const card = cardNumber();
  await page.getByLabel("银行卡号").fill(card);
  await page.getByLabel("持卡人姓名").fill("周小川");
  await page.getByRole("button", { name: "绑定", exact: true }).click();
  await expect(page.getByRole("status").filter({ hasText: "已绑定" })).toBeVisible();
  await expect(page.getByText(card)).toHaveCount(0);

  // Ask to change the name, with a proof.
  await page.getByRole("navigation").getByRole("link", { name: "我的" }).click();
  const form = page.getByRole("form", { name: "申请修改姓名或身份证号" });
  await form.getByRole("radio", { name: "姓名" }).check();
  await form.getByLabel("新的姓名").fill("周晓川");
  await form
    .getByLabel("证明材料")
    .setInputFiles({ name: "proof.png", mimeType: "image/png", buffer: PNG_1X1 });
  await form.getByRole("button", { name: "提交申请" }).click();
  await expect(page.getByRole("listitem").filter({ hasText: "审核中" })).toHaveCount(1);

  // A reviewer approves it in the console; the customer sees the new name.
  const reviewer = await reviewerPage(browser);
  await approve(reviewer, maskedPhone, /资料修改/, "证明材料清晰");
  await page.reload();
  await expect(page.getByRole("listitem").filter({ hasText: "已通过" })).toHaveCount(1);
  await expect(page.getByText("周*川").or(page.getByText("周晓川")).first()).toBeVisible();

  // Freeze (挂失): every session ends and logging in is refused.
  await page.goto("/security/freeze");
  await page.getByLabel("登录密码").fill(password);
  await page.getByRole("button", { name: "冻结账户" }).click();
  await page.getByRole("button", { name: "确认冻结" }).click();
  // The portal sends the customer to the login page once the freeze has gone through.
  await expect(page.getByRole("heading", { level: 1, name: "登录" })).toBeVisible();
  await logIn(page, phone, password);
  await expect(page.getByText("此账户已冻结（挂失）。")).toBeVisible();

  // Ask to unfreeze with a code to the bound phone; a reviewer approves; logging in works again.
  await page.goto("/unfreeze");
  await page.getByLabel("手机号").fill(phone);
  since = new Date(Date.now() - 1000);
  await page.getByRole("button", { name: "获取验证码" }).click();
  await page.getByLabel("短信验证码").fill(await waitForCode(request, phone, since));
  await page.getByLabel("登录密码").fill(password);
  await page.getByRole("button", { name: "提交解冻申请" }).click();
  await expect(page.getByText("申请已提交")).toBeVisible();

  await approve(reviewer, maskedPhone, /解冻/, "已电话核实本人");
  await logIn(page, phone, password);
  await expect(page.getByRole("heading", { level: 1, name: "首页" })).toBeVisible();
  await reviewer.context().close();
});
