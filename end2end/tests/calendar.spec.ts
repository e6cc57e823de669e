import { expect, Page, test } from "@playwright/test";
import ICAL from "ical.js";
import { hydrated, signIn } from "./helpers";

function ahead(days: number): string {
  const d = new Date(Date.now() + days * 86_400_000);
  return d.toISOString().slice(0, 10);
}

/** Schedules a series from the planner and opens its first session's page. */
async function scheduleSeries(page: Page, title: string, date: string, count: string) {
  await page.goto("/organiser/sessions/new");
  await hydrated(page);
  const form = page.getByTestId("planner");
  await form.getByLabel("课程名称").fill(title);
  await form.getByLabel("日期", { exact: true }).fill(date);
  await form.getByLabel("王建国").check();
  await form.getByLabel("周三").check();
  await form.getByLabel("或共几期").fill(count);
  await form.getByPlaceholder("按姓名查找学员").fill("zzzz");
  await expect(form.getByText("没有找到。")).toBeVisible();
  await form.getByRole("button", { name: "保存" }).click();
  await expect(page.getByTestId("created")).toContainText(count);
  await page.getByTestId("created").getByRole("link", { name: "查看" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(title);
}

test("an organiser moves a series from one session onwards", async ({ page }) => {
  await signIn(page, "organiser");
  await scheduleSeries(page, "周三夜学：矛盾调处", ahead(120), "3");
  await hydrated(page);
  await page.getByTestId("edit").click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("修改课程");
  await hydrated(page);
  const form = page.getByTestId("planner");
  await expect(form.getByLabel("课程名称")).toHaveValue("周三夜学：矛盾调处");
  await form.getByLabel("开始时间").fill("18:30");
  await form.getByLabel("这一期及以后各期").check();
  await form.getByRole("button", { name: "保存" }).click();
  await expect(page.getByTestId("created")).toContainText("3");
  await page.getByTestId("created").getByRole("link", { name: "查看" }).click();
  await expect(page.locator(".session-page .when")).toContainText("18:30");
});

test("an organiser duplicates a session into a new one", async ({ page }) => {
  await signIn(page, "organiser");
  await scheduleSeries(page, "周三夜学：复制样板", ahead(150), "1");
  await hydrated(page);
  await page.getByTestId("duplicate").click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("复制课程");
  await hydrated(page);
  const form = page.getByTestId("planner");
  await expect(form.getByLabel("课程名称")).toHaveValue("周三夜学：复制样板");
  await expect(form.getByLabel("王建国")).toBeChecked();
  await form.getByLabel("课程名称").fill("周三夜学：复制出的新课");
  await form.getByLabel("日期", { exact: true }).fill(ahead(160));
  await form.getByRole("button", { name: "保存" }).click();
  await expect(page.getByTestId("created")).toContainText("1");
});

test("a cadre reads the week and month calendars on a phone", async ({ page }) => {
  await signIn(page, "cadre");
  await page.getByRole("link", { name: "日历", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("课程日历");
  // Tonight's self-study evening is on this week's list, under today.
  const today = page.locator(".agenda .day.today");
  await expect(today).toHaveCount(1);
  await expect(today.locator(".entries li").first()).toBeVisible();
  await hydrated(page);
  await page.getByTestId("switch-view").click();
  await expect(page.getByTestId("month-grid")).toBeVisible();
  const title = await page.getByTestId("calendar-title").textContent();
  await page.getByTestId("next").click();
  await expect(page.getByTestId("calendar-title")).not.toHaveText(title ?? "");
  await page.getByTestId("previous").click();
  await expect(page.getByTestId("calendar-title")).toHaveText(title ?? "");
  // The agenda under the grid opens a session's page.
  const entry = page.locator(".agenda .entries a").first();
  const name = (await entry.locator(".title").textContent()) ?? "";
  await entry.click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(name);
  await expect(page.getByTestId("edit")).toHaveCount(0);
});

test("the session list filters by format", async ({ page }) => {
  await signIn(page, "organiser");
  await page.goto("/sessions?when=past");
  const filters = page.getByTestId("filters");
  await filters.getByLabel("形式").selectOption({ label: "讲坛" });
  await filters.getByRole("button", { name: "筛选" }).click();
  await expect(page).toHaveURL(/format=forum/);
  const cards = page.getByTestId("session-list").locator("article");
  await expect(cards).toHaveCount(2);
  for (const card of await cards.all()) {
    await expect(card.locator(".chips")).toContainText("讲坛");
  }
});

test("a cadre makes a private calendar feed and turns it off", async ({ page, request }) => {
  await signIn(page, "cadre");
  await page.goto("/account/calendar");
  await hydrated(page);
  await page.getByTestId("feed-make").click();
  const address = page.getByTestId("feed-address").locator("input");
  await expect(address).toHaveValue(/\/feeds\/[0-9a-f]+\.ics$/);
  const url = await address.inputValue();
  const feed = await request.get(url);
  expect(feed.status()).toBe(200);
  expect(feed.headers()["content-type"]).toContain("text/calendar");
  expect(await feed.text()).toContain("BEGIN:VEVENT");
  await page.getByTestId("feed-revoke").click();
  await expect(page.getByTestId("feed-address")).toHaveCount(0);
  await expect(page.getByTestId("feed-status")).toContainText("还没有订阅地址");
  expect((await request.get(url)).status()).toBe(404);
});

test("a cadre chooses a reminder, and the feed's alarms parse in a real iCalendar parser", async ({ page, request }) => {
  await signIn(page, "cadre");
  await page.goto("/account/calendar");
  await hydrated(page);
  const alarm = page.getByTestId("feed-alarm");
  // Two hours before, until the cadre chooses; a plain form, saved without the script.
  await expect(alarm.getByTestId("alarm-minutes")).toHaveValue("120");
  await alarm.getByTestId("alarm-minutes").selectOption({ label: "提前 1 小时" });
  await alarm.getByTestId("alarm-save").click();
  await expect(page.getByTestId("feed-alarm").getByRole("status")).toContainText("已保存");
  await expect(page.getByTestId("feed-alarm").getByTestId("alarm-minutes")).toHaveValue("60");
  await hydrated(page);
  await page.getByTestId("feed-make").click();
  const address = page.getByTestId("feed-address").locator("input");
  await expect(address).toHaveValue(/\/feeds\/[0-9a-f]+\.ics$/);
  const feed = await request.get((await address.getAttribute("data-path")) ?? "");
  expect(feed.status()).toBe(200);
  // Mozilla's parser (ical.js) reads every event; each one that takes place reminds an
  // hour before its start, and a cancelled one never does.
  const calendar = new ICAL.Component(ICAL.parse(await feed.text()));
  const events = calendar.getAllSubcomponents("vevent");
  expect(events.length).toBeGreaterThan(0);
  let reminding = 0;
  for (const event of events) {
    const alarms = event.getAllSubcomponents("valarm");
    if (event.getFirstPropertyValue("status") === "CANCELLED") {
      expect(alarms).toHaveLength(0);
      continue;
    }
    expect(alarms).toHaveLength(1);
    expect(alarms[0].getFirstPropertyValue("action")).toBe("DISPLAY");
    const trigger = alarms[0].getFirstPropertyValue("trigger") as { toSeconds(): number };
    expect(trigger.toSeconds()).toBe(-3600);
    expect(String(alarms[0].getFirstPropertyValue("description"))).toContain(
      String(event.getFirstPropertyValue("summary")),
    );
    reminding += 1;
  }
  expect(reminding).toBeGreaterThan(0);
});
