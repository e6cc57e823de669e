import { expect, Page, test } from "@playwright/test";
import { hydrated, signIn } from "./helpers";

/** A date some weeks ahead, as the date input wants it. */
function ahead(days: number): string {
  const d = new Date(Date.now() + days * 86_400_000);
  return d.toISOString().slice(0, 10);
}

async function openPlanner(page: Page) {
  await signIn(page, "organiser");
  await page.getByRole("link", { name: "安排课程" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("安排课程");
  await hydrated(page);
}

test("an organiser schedules a weekly series that a cadre in the audience sees", async ({ page, browser }) => {
  await openPlanner(page);
  const form = page.getByTestId("planner");
  await form.getByLabel("课程名称").fill("挑灯夜学：网格治理实务");
  await form.getByLabel("日期", { exact: true }).fill(ahead(70));
  await form.getByLabel("王建国").check();
  await form.getByLabel("周二").check();
  await form.getByLabel("周四").check();
  await form.getByLabel("或共几期").fill("4");
  await form.getByRole("button", { name: "保存" }).click();
  await expect(page.getByTestId("created")).toContainText("4");

  const cadre = await browser.newContext();
  const p2 = await cadre.newPage();
  await signIn(p2, "cadre");
  await expect(p2.getByText("挑灯夜学：网格治理实务").first()).toBeVisible();
  const [download] = await Promise.all([
    p2.waitForEvent("download"),
    p2.getByRole("link", { name: "加入手机日历" }).first().click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/^session-\d+\.ics$/);
  await cadre.close();

  // The same lecturer at the same time is refused, naming the other session.
  await form.getByLabel("课程名称").fill("撞车的课");
  await form.getByRole("button", { name: "保存" }).click();
  await expect(page.getByTestId("clashes")).toContainText("挑灯夜学：网格治理实务");
  await expect(page.getByRole("alert").first()).toContainText("尚未保存");
});

test("bad input gets a message next to the field and saves nothing", async ({ page }) => {
  await openPlanner(page);
  const form = page.getByTestId("planner");
  await form.getByLabel("课程名称").fill("结束早于开始");
  await form.getByLabel("日期", { exact: true }).fill(ahead(80));
  await form.getByLabel("结束时间").fill("18:00");
  await form.getByRole("button", { name: "保存" }).click();
  await expect(form.getByText("结束时间须晚于开始时间", { exact: false })).toBeVisible();
  await expect(form.getByText("必填。")).toBeVisible(); // no lecturer chosen
  await expect(page.getByTestId("created")).toHaveCount(0);
});

test("a cadre outside the audience does not see the session", async ({ page, browser }) => {
  await openPlanner(page);
  const form = page.getByTestId("planner");
  await form.getByLabel("课程名称").fill("头雁专场：书记面对面");
  await form.getByLabel("日期", { exact: true }).fill(ahead(90));
  await form.getByLabel("王建国").check();
  await form.getByLabel("全体学员").uncheck();
  await form.getByLabel("头雁", { exact: true }).check();
  await form.getByRole("button", { name: "保存" }).click();
  await expect(page.getByTestId("created")).toContainText("1");

  const cadre = await browser.newContext();
  const p2 = await cadre.newPage();
  await signIn(p2, "cadre");
  await expect(p2.getByRole("heading", { level: 1 })).toHaveText("我的近期课程");
  await expect(p2.getByText("头雁专场：书记面对面")).toHaveCount(0);
  await cadre.close();
});

test("an organiser cancels a session with a reason and it shows as cancelled", async ({ page }) => {
  await signIn(page, "organiser");
  await hydrated(page);
  const card = page.locator("article", { hasText: "“头雁”讲坛（第二期）" });
  await card.getByText("取消这期课程").click();
  await card.getByPlaceholder("取消原因（学员可见）").fill("防汛值守，顺延一周");
  await card.getByRole("button", { name: "确认取消" }).click();
  await expect(card.getByText("已取消")).toBeVisible();
});

test("a subdistrict's organiser adds a theme of its own and it is chosen at once", async ({ page }) => {
  await signIn(page, "liying");
  await page.getByRole("link", { name: "安排课程" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("安排课程");
  await hydrated(page);
  const form = page.getByTestId("planner");
  await form.getByLabel("课程名称").fill("汛前准备");
  const own = page.getByTestId("own-theme");
  await own.locator("summary").click();
  await own.locator("input[name=name_zh]").fill("李营防汛专题");
  await own.locator("button[type=submit]").click();
  await expect(own.getByRole("status")).toBeVisible();
  await expect(form.locator("select[name=theme_id] option:checked")).toHaveText("李营防汛专题");
  // What was typed in the planner is still there.
  await expect(form.getByLabel("课程名称")).toHaveValue("汛前准备");
});
