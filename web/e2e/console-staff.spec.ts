import { logInAsStaff } from "./console-helpers";
import { demoLogin } from "./support/demo";
import { expect, test } from "./support/test";

test("an admin cannot remove their own admin role, and is told why", async ({ page }) => {
  const admin = demoLogin("admin");
  await logInAsStaff(page, "admin");
  await page.getByRole("navigation", { name: "管理台栏目" }).getByText("员工管理").click();
  await page.getByRole("button", { name: `编辑 ${admin.login} 的角色` }).click();

  const dialog = page.getByRole("dialog", { name: `编辑 ${admin.login} 的角色` });
  const roles = dialog.getByLabel("角色");
  await roles.fill("审核员");
  await roles.press("Enter");
  await roles.fill("管理员");
  await roles.press("Enter");
  // A click outside the select closes its option list, which would cover the dialog's buttons.
  await dialog.getByText(`编辑 ${admin.login} 的角色`).click();
  await dialog.getByRole("button", { name: "保存" }).click();
  await expect(dialog.getByRole("alert")).toHaveText("不能移除您自己的管理员角色，请联系其他管理员。");

  // Nothing changed: the admin still sees the staff pages after a reload.
  await page.reload();
  await expect(page.getByRole("heading", { level: 1, name: "员工管理" })).toBeVisible();
});
