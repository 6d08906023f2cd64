// A new customer's first visit, driven like a person would: by labels and button names.

import { cardNumber, strongPassword } from "./portal-helpers";
import { uniquePhone, waitForCode } from "./support/mailbox";
import { expect, test } from "./support/test";

const PNG_1X1 = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=",
  "base64",
);

test("a new customer registers, logs in again, sets a payment password, binds a card and asks to change their name", async ({
  page,
  request,
}) => {
  const phone = uniquePhone();
  const password = strongPassword();

  await page.goto("/register");
  await expect(page.getByRole("heading", { level: 1, name: "注册" })).toBeVisible();
  await page.getByLabel("手机号").fill(phone);
  let since = new Date(Date.now() - 1000);
  await page.getByRole("button", { name: "获取验证码" }).click();
  await expect(page.getByRole("button", { name: /秒后重发/ })).toBeDisabled();
  await page.getByLabel("短信验证码").fill(await waitForCode(request, phone, since));
  await page.getByLabel("设置登录密码").fill(password);
  await page.getByLabel("姓名（选填）").fill("王小明");
  await page.getByRole("button", { name: "注册并登录" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "首页" })).toBeVisible();
  await expect(page.getByRole("navigation", { name: "主导航" })).toBeVisible();

  await page.getByRole("navigation").getByRole("link", { name: "我的" }).click();
  await page.getByRole("button", { name: "退出登录" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "登录" })).toBeVisible();
  await page.getByLabel("手机号或邮箱").fill(phone);
  await page.getByLabel("登录密码").fill(password);
  await page.getByRole("button", { name: "登录", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name: "首页" })).toBeVisible();

  await page.goto("/security");
  await expect(page.getByRole("link", { name: /支付密码\s*未设置/ })).toBeVisible();
  await page.getByRole("link", { name: /支付密码/ }).click();
  // The code goes to the bound phone: nobody types the number again, the page names it masked.
  await expect(page.getByLabel("本人手机号")).toHaveCount(0);
  since = new Date(Date.now() - 1000);
  await page.getByRole("button", { name: "获取验证码" }).click();
  await expect(page.getByText(`验证码已发送至 ${phone.slice(0, 3)}****${phone.slice(-4)}`)).toBeVisible();
  await page.getByLabel("短信验证码").fill(await waitForCode(request, phone, since));
  await page.getByLabel("支付密码（6 位数字）").fill("135792");
  await page.getByLabel("再次输入支付密码").fill("135792");
  await page.getByRole("button", { name: "保存支付密码" }).click();
  await expect(page.getByRole("status").filter({ hasText: "支付密码已设置" })).toBeVisible();

  await page.goto("/security/bank-cards");
  const card = cardNumber();
  await page.getByLabel("银行卡号").fill(card);
  await page.getByLabel("持卡人姓名").fill("王小明");
  await page.getByLabel("开户银行（选填）").fill("中国银行");
  await page.getByRole("button", { name: "绑定", exact: true }).click();
  await expect(page.getByRole("status").filter({ hasText: "已绑定" })).toBeVisible();
  await expect(page.getByText(card)).toHaveCount(0);
  await expect(page.getByText(new RegExp(card.slice(-4)))).not.toHaveCount(0);

  await page.getByRole("navigation").getByRole("link", { name: "我的" }).click();
  const form = page.getByRole("form", { name: "申请修改姓名或身份证号" });
  await form.getByRole("radio", { name: "姓名" }).check();
  await form.getByLabel("新的姓名").fill("王晓明");
  await form
    .getByLabel("证明材料")
    .setInputFiles({ name: "proof.png", mimeType: "image/png", buffer: PNG_1X1 });
  await form.getByRole("button", { name: "提交申请" }).click();
  await expect(page.getByRole("status").filter({ hasText: "申请已提交" })).toBeVisible();
  await expect(page.getByRole("listitem").filter({ hasText: "审核中" })).toHaveCount(1);
});
