// Wrong passwords meet the captcha after three tries, and the lock tells how long to wait.
import { expect, test } from "@playwright/test";
import { uniquePhone } from "./support/mailbox";

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

// Reaching the real fifth failure needs solved captchas, which a browser test cannot read; the server's
// own tests cover the lock ladder. Here the page is shown the server's 423 answer and must explain it.
test("a locked account is told, in words and with an icon, how many minutes to wait", async ({ page }) => {
  await page.route("**/api/v1/auth/login", (route) =>
    route.fulfill({
      status: 423,
      contentType: "application/problem+json",
      headers: { "retry-after": "300" },
      body: JSON.stringify({
        type: "https://opencounter.dev/problems/account-locked",
        title: "The account is temporarily locked",
        status: 423,
        code: "account_locked",
        retryAfter: 300,
      }),
    }),
  );
  await page.goto("/login");
  await page.getByLabel("手机号或邮箱").fill(uniquePhone());
  await page.getByLabel("登录密码").fill("whatever-it-is");
  await page.getByRole("button", { name: "登录", exact: true }).click();
  const alert = page.getByRole("alert");
  await expect(alert).toContainText("请在 5 分钟后重试");
  await expect(alert).toContainText("错误：");
});
