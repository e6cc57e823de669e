import { expect, test } from "@playwright/test";
import { hydrated, signIn } from "./helpers";

test("an admin creates a lecturer account that can sign in", async ({ page, browser }) => {
  await signIn(page, "admin");
  await hydrated(page);
  const form = page.getByTestId("create-account");
  await form.getByLabel("用户名").fill("zhou.lecturer");
  await form.getByLabel("姓名").fill("周老师");
  await form.getByLabel("初始密码").fill("jiangtang2026");
  await form.getByLabel("学员").uncheck();
  await form.getByLabel("讲师").check();
  await form.getByRole("button", { name: "创建" }).click();
  await expect(page.getByText("账号已创建。")).toBeVisible();
  await expect(page.locator('[data-username="zhou.lecturer"]')).toBeVisible();

  const other = await browser.newContext();
  const p2 = await other.newPage();
  await signIn(p2, "zhou.lecturer", "jiangtang2026");
  // The admin knows this password: the lecturer chooses their own before anything else.
  await expect(p2).toHaveURL("/account/password?required=1");
  await expect(p2.getByTestId("password-required")).toBeVisible();
  await hydrated(p2);
  await p2.getByLabel("当前密码").fill("jiangtang2026");
  await p2.getByLabel("新密码", { exact: true }).fill("运河红初心讲堂周老师");
  await p2.getByLabel("再次输入新密码").fill("运河红初心讲堂周老师");
  await p2.getByRole("button", { name: "保存" }).click();
  await expect(p2.getByText("密码已修改")).toBeVisible();
  await p2.goto("/lecturer");
  await expect(p2).toHaveURL("/lecturer");
  await other.close();

  // A taken username is refused with a message, and nothing changes.
  await form.getByLabel("用户名").fill("ZHOU.lecturer");
  await form.getByLabel("姓名").fill("重名");
  await form.getByLabel("初始密码").fill("jiangtang2026");
  await form.getByRole("button", { name: "创建" }).click();
  await expect(page.getByRole("alert")).toHaveText("该用户名已被使用。");
});

test("an admin downloads a backup of every record", async ({ page }) => {
  await signIn(page, "admin");
  await page.getByTestId("backup-link").click();
  await expect(page).toHaveURL("/admin/backup");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("备份与恢复");
  // The demo server keeps scheduled snapshots beside its SQLite file.
  await expect(page.getByTestId("backup-schedule")).toBeVisible();
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByTestId("backup-download").click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/^nightschool-\d{8}-\d{6}\.nsbak$/);
  const file = await download.path();
  const fs = await import("node:fs");
  const head = fs.readFileSync(file).subarray(0, 16).toString("latin1");
  expect(head).toBe("SQLite format 3\u0000");
});
