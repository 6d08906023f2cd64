import { logInAsStaff, registerCustomerByApi, requestNameChange } from "./console-helpers";
import { expect, test } from "./support/test";

test("a reviewer approves a customer's name change, and the customer sees it approved", async ({
  page,
  request,
}) => {
  const customer = await registerCustomerByApi(request, "赵六");
  await requestNameChange(customer, "赵七");

  await logInAsStaff(page, "reviewer");
  await expect(page.getByRole("heading", { level: 1, name: "审核队列" })).toBeVisible();
  const row = page
    .getByRole("table", { name: "待审核事项" })
    .getByRole("row")
    .filter({ hasText: customer.maskedPhone });
  await expect(row).toHaveCount(1);
  await row.getByRole("button", { name: /资料修改/ }).click();

  const drawer = page.getByRole("dialog", { name: /资料修改/ });
  await expect(drawer.getByText(customer.maskedPhone)).toBeVisible();
  await expect(drawer.getByRole("img", { name: "客户上传的证明材料" })).toBeVisible();
  await drawer.getByRole("button", { name: "通过" }).click();

  const confirm = page.getByRole("dialog", { name: "确认通过此申请？" });
  await confirm.getByLabel("理由（选填）").fill("证明材料与身份证一致");
  await confirm.getByRole("button", { name: "通过" }).click();
  await expect(confirm).toHaveCount(0);
  await expect(drawer.getByText("已通过")).toBeVisible();
  await expect(drawer.getByText("演示审核员 Demo Reviewer")).toBeVisible();
  await expect(drawer.getByRole("button", { name: "通过" })).toHaveCount(0);

  const mine = await customer.api.get("/api/v1/me/change-requests");
  const items = ((await mine.json()) as { items: { status: string; reason: string | null }[] }).items;
  expect(items[0]).toMatchObject({ status: "approved", reason: "证明材料与身份证一致" });
});

test("a reviewer cannot reject without a reason", async ({ page, request }) => {
  const customer = await registerCustomerByApi(request, "钱八");
  await requestNameChange(customer, "钱九");

  await logInAsStaff(page, "reviewer");
  const row = page
    .getByRole("table", { name: "待审核事项" })
    .getByRole("row")
    .filter({ hasText: customer.maskedPhone });
  await row.getByRole("button", { name: /资料修改/ }).click();
  const drawer = page.getByRole("dialog", { name: /资料修改/ });
  await drawer.getByRole("button", { name: "驳回" }).click();
  const confirm = page.getByRole("dialog", { name: "确认驳回此申请？" });
  await confirm.getByRole("button", { name: "驳回" }).click();
  await expect(confirm.getByText("请填写理由，客户会看到")).toBeVisible();
  await confirm.getByLabel("驳回理由").fill("证明材料模糊，请重新上传");
  await confirm.getByRole("button", { name: "驳回" }).click();
  await expect(drawer.getByText("已驳回")).toBeVisible();
  await expect(drawer.getByText("证明材料模糊，请重新上传")).toBeVisible();
});
