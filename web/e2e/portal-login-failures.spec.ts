// Wrong passwords meet the captcha after three tries, then a real lock that tells how long to wait.

import { setCaptchaAnswer } from "./support/database";
import { uniquePhone } from "./support/mailbox";
import { expect, test } from "./support/test";

test("after three wrong passwords the login form asks for the image captcha, which can be refreshed", async ({
  page,
}) => {
  const login = uniquePhone();
  await page.goto("/login");
  await page.getByLabel("手机号或邮箱").fill(login);
  for (let i = 0; i < 3; i++) {
    await page.getByLabel("登录密码").fill(`wrong-password-${i}`);
    await page.getByRole("button", { name: "登录", exact: true }).click();
    await expect(page.getByRole("alert")).toContainText("账号或密码错误");
  }
  await expect(page.getByRole("img", { name: /图形验证码/ })).toHaveCount(0);

  await page.getByRole("button", { name: "登录", exact: true }).click();
  await expect(page.getByRole("alert")).toContainText("请输入图形验证码");
  const image = page.getByRole("img", { name: /图形验证码/ });
  await expect(image).toBeVisible();
  const first = await image.getAttribute("src");
  expect(first).toMatch(/^data:image\/svg\+xml/);
  await page.getByRole("button", { name: "换一张" }).click();
  await expect(image).not.toHaveAttribute("src", first ?? "");

  await page.getByLabel("图形验证码", { exact: true }).fill("0000");
  await page.getByRole("button", { name: "登录", exact: true }).click();
  await expect(page.getByRole("alert")).toContainText("图形验证码错误");
  await expect(page.getByLabel("图形验证码", { exact: true })).toHaveValue("");
});

test("the fifth wrong password locks the login, and the page says in words how long to wait", async ({
  page,
}) => {
  const login = uniquePhone();
  await page.goto("/login");
  await page.getByLabel("手机号或邮箱").fill(login);
  for (let i = 0; i < 3; i++) {
    await page.getByLabel("登录密码").fill(`wrong-password-${i}`);
    await page.getByRole("button", { name: "登录", exact: true }).click();
    await expect(page.getByRole("alert")).toContainText("账号或密码错误");
  }
  // From the fourth try on the captcha is required: the test gives each new one a known answer.
  const captchaShown = page.waitForResponse((r) => r.url().includes("/api/v1/auth/captcha"));
  await page.getByRole("button", { name: "登录", exact: true }).click();
  let captcha = (await (await captchaShown).json()) as { id: string };
  for (let i = 3; i < 5; i++) {
    await setCaptchaAnswer(captcha.id, "k7m4");
    await page.getByLabel("登录密码").fill(`wrong-password-${i}`);
    await page.getByLabel("图形验证码", { exact: true }).fill("K7M4");
    const next = page.waitForResponse((r) => r.url().includes("/api/v1/auth/captcha"));
    await page.getByRole("button", { name: "登录", exact: true }).click();
    if (i < 4) captcha = (await (await next).json()) as { id: string };
  }
  const alert = page.getByRole("alert");
  await expect(alert).toContainText("请在 5 分钟后重试");
  await expect(alert).toContainText("错误：");
});
