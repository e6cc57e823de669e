import { expect, test } from "@playwright/test";
import { signIn } from "./helpers";

const homes = [
  { user: "cadre", path: "/me", heading: "我的近期课程", shows: "信访维稳专题（二）：矛盾纠纷多元化解" },
  { user: "lecturer", path: "/lecturer", heading: "我的授课", shows: "省第十二次党代会报告专题班" },
  { user: "organiser", path: "/organiser", heading: "组织工作台", shows: "今日签到" },
  { user: "admin", path: "/admin/accounts", heading: "账号管理", shows: "新建账号" },
];

for (const h of homes) {
  test(`${h.user} signs in and lands on their home`, async ({ page }) => {
    await signIn(page, h.user);
    await expect(page).toHaveURL(h.path);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(h.heading);
    await expect(page.getByText(h.shows).first()).toBeVisible();
    await page.getByRole("button", { name: "退出" }).click();
    await expect(page).toHaveURL(/\/login/);
  });
}

test("a wrong password shows a clear message and keeps the username", async ({ page }) => {
  await signIn(page, "cadre", "wrong-password");
  await expect(page).toHaveURL(/\/login\?error=bad_credentials/);
  await expect(page.getByRole("alert")).toHaveText("用户名或密码不正确。");
  await expect(page.getByLabel("用户名")).toHaveValue("cadre");
});

test("a cadre cannot open the accounts page", async ({ page }) => {
  await signIn(page, "cadre");
  await page.goto("/admin/accounts");
  await expect(page.getByRole("alert")).toHaveText("您没有权限查看此页面。");
});
