import { expect, test } from "@playwright/test";
import { hydrated, scheduleSession, signIn } from "./helpers";

test("an organiser moves a session and the cadre reads the change in the inbox", async ({
  page,
  browser,
}) => {
  await signIn(page, "organiser");
  // Far ahead, so that it does not push the demo's sessions off the cadres' home pages.
  const id = await scheduleSession(page, "调课通知", 290 * 24 * 60);
  await page.goto(`/organiser/sessions/${id}/edit`);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("修改课程");
  await hydrated(page);
  const form = page.getByTestId("planner");
  const title = await form.getByLabel("课程名称").inputValue();
  const nextDay = form.getByLabel("次日结束");
  if (await nextDay.isChecked()) await nextDay.uncheck();
  await form.getByLabel("开始时间").fill("18:00");
  await form.getByLabel("结束时间").fill("20:00");
  await form.getByRole("button", { name: "保存" }).click();
  await expect(page.getByTestId("created")).toBeVisible();

  // The cadre, on their phone, sees the count in the bar and the change in the inbox.
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const cadre = await phone.newPage();
  await signIn(cadre, "cadre");
  await expect(cadre.getByTestId("inbox-unread")).toBeVisible();
  await cadre.getByTestId("inbox-link").click();
  await expect(cadre.getByRole("heading", { level: 1 })).toHaveText("站内消息");
  // Scheduling it told them too ("新课程"); the change is a notice of its own.
  await expect(cadre.getByTestId("inbox-item").filter({ hasText: `新课程：${title}` })).toHaveCount(1);
  const item = cadre.getByTestId("inbox-item").filter({ hasText: `课程调整：${title}` });
  await expect(item).toHaveCount(1);
  await expect(item).toContainText("18:00–20:00");
  await expect(item).toHaveAttribute("data-read", "false");
  // The read receipt: a plain form, so it works before (or without) the script.
  await item.getByTestId("inbox-mark-read").click();
  await expect(cadre.getByTestId("inbox-item").filter({ hasText: `课程调整：${title}` })).toHaveAttribute(
    "data-read",
    "true",
  );
  await item.getByRole("link", { name: "查看详情" }).click();
  await expect(cadre).toHaveURL(new RegExp(`/sessions/${id}$`));
  await expect(cadre.locator(".session-page .when")).toContainText("18:00");
  await phone.close();
});
