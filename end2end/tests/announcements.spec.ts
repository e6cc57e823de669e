import { expect, test } from "@playwright/test";
import { hydrated, signIn } from "./helpers";

test("an organiser posts an announcement, a cadre confirms reading it, the organiser sees who has not", async ({
  page,
  browser,
}) => {
  await signIn(page, "organiser");
  await page.goto("/announcements/new");
  const form = page.getByTestId("announcement-form");
  const title = `防汛值班通知 ${Date.now()}`;
  await form.getByLabel("标题").fill(title);
  await form.getByLabel("正文（支持 Markdown）").fill("今晚**各社区**安排专人值班，夜校照常。");
  await form.getByLabel("发布范围").selectOption({ label: "观音阁街道" });
  await form.getByRole("button", { name: "发布通知" }).click();
  // The plain form lands on the new announcement, with its receipts.
  await expect(page).toHaveURL(/\/announcements\/\d+/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(title);
  await expect(page.getByTestId("receipts")).toContainText("已读 0/");

  const phone = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const cadre = await phone.newPage();
  await signIn(cadre, "cadre");
  await cadre.getByRole("link", { name: "通知公告" }).click();
  const line = cadre.getByTestId("announcement-item").filter({ hasText: title });
  await expect(line).toContainText("未读");
  await line.getByRole("link", { name: title }).click();
  await expect(cadre.getByRole("heading", { level: 1 })).toHaveText(title);
  await expect(cadre.locator(".markdown strong")).toHaveText("各社区");
  await cadre.getByTestId("announcement-confirm").click();
  await expect(cadre.getByTestId("announcement-read")).toBeVisible();
  await phone.close();

  await page.goto("/announcements");
  await page.getByTestId("announcements-managed").getByRole("link", { name: title }).click();
  const receipts = page.getByTestId("receipts");
  await expect(receipts.getByRole("heading", { level: 2 })).toContainText("已读 1/");
  const tieta = receipts.getByTestId("receipt-row").filter({ hasText: "铁塔寺社区" });
  await expect(tieta).not.toContainText("黄平");
  await receipts.getByTestId("announcement-remind").click();
  await expect(receipts).toContainText("提醒未读人员");
});

test("an organiser names one cadre with the people picker, and only she gets the announcement", async ({
  page,
}) => {
  await signIn(page, "organiser");
  await page.goto("/announcements/new");
  await hydrated(page);
  const form = page.getByTestId("announcement-form");
  const title = `个别通知 ${Date.now()}`;
  await form.getByLabel("标题").fill(title);
  await form.getByLabel("正文（支持 Markdown）").fill("请于周五前提交学习心得。");
  await form.getByLabel("发布范围").selectOption({ label: "观音阁街道" });
  await form.getByTestId("people-search").fill("黄平");
  await form.getByRole("button", { name: "添加 黄平（铁塔寺社区）" }).click();
  await expect(form.getByTestId("people-picker").locator(".chosen")).toContainText("黄平");
  await form.getByRole("button", { name: "发布通知" }).click();
  await expect(page).toHaveURL(/\/announcements\/\d+/);
  await expect(page.getByTestId("receipts").getByRole("heading", { level: 2 })).toContainText("已读 0/1");
});
