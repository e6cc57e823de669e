import { Browser, expect, Page, test } from "@playwright/test";
import { hydrated, signedIn } from "./helpers";

/** A new signed-in phone page for `username`. */
async function as(browser: Browser, username: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  await signedIn(page, username);
  return page;
}

// The cadre's journey comes first: the organiser's eases the strong geese's requirements.
test("a cadre sees a bar per requirement, the most they can still reach, and their ledger", async ({ browser }) => {
  const cadre = await as(browser, "cadre");
  await cadre.getByRole("link", { name: "我的进度" }).first().click();
  await expect(cadre).toHaveURL(/\/progress$/);
  const bars = cadre.getByTestId("bar");
  await expect(bars.first()).toBeVisible();
  expect(await bars.count()).toBeGreaterThanOrEqual(3);
  await expect(cadre.locator('[data-measure="hours"]')).toContainText("学时");
  await expect(cadre.locator('[data-measure="hours"]')).toContainText("最多可达");
  await expect(cadre.getByTestId("earned")).toContainText("学时");
  await expect(cadre.getByTestId("ledger").locator("tbody tr").first()).toBeVisible();
  // The organisers' pages are not for cadres.
  await cadre.goto("/organiser/programme");
  await expect(cadre.getByRole("alert")).toBeVisible();
});

test("an organiser finds an at-risk cadre from the dashboard, eases a tier's requirements and promotes a candidate", async ({
  page,
}) => {
  await signedIn(page, "organiser");
  await page.getByRole("link", { name: "培养计划" }).first().click();
  await expect(page).toHaveURL(/\/organiser\/programme$/);
  await hydrated(page);
  await expect(page.getByTestId("trend").locator("svg")).toBeVisible();

  // Some tier has cadres at risk in the demo data: follow its count to the list.
  const atRisk = page.getByTestId("tiers").getByTestId("at-risk").filter({ hasNotText: /^0$/ }).first();
  const count = Number(await atRisk.textContent());
  expect(count).toBeGreaterThan(0);
  await atRisk.click();
  await expect(page).toHaveURL(/outlook=at_risk/);
  const drill = page.getByTestId("drill");
  await expect(drill.locator("tbody tr")).toHaveCount(Math.min(count, 100));
  await expect(drill.getByTestId("outlook").first()).toHaveText("有风险");
  // Open the first one: their progress page says at risk, with a bar per requirement.
  const name = (await drill.locator("tbody tr td a").first().textContent())!.trim();
  await drill.locator("tbody tr td a").first().click();
  await expect(page).toHaveURL(/\/progress\?person=\d+/);
  await expect(page.locator("h1")).toContainText(name);
  await expect(page.getByTestId("progress-head").getByTestId("outlook")).toHaveText("有风险");
  await expect(page.getByTestId("bar").first()).toBeVisible();
  await expect(page.getByTestId("tier-history")).toContainText("加入");

  // Strong geese now need only one study hour: young geese who have one become candidates.
  await page.goto("/organiser/programme/tiers");
  await hydrated(page);
  const strong = page.locator('[data-testid="tier-plan"][data-tier="强雁"]');
  await strong.locator('input[name="form[hours]"]').fill("1");
  await strong.locator('input[name="form[attendance_percent]"]').fill("");
  await strong.locator('input[name="form[reflections]"]').fill("");
  for (const box of await strong.locator('input[type="checkbox"]').all()) {
    await box.uncheck();
  }
  await strong.getByRole("button", { name: "保存" }).click();
  await expect(page.getByRole("status")).toContainText("已保存");
  await expect(strong.locator('input[name="form[hours]"]')).toHaveValue("1");

  // A bad number is refused with the field named, and the saved value stays.
  await strong.locator('input[name="form[attendance_percent]"]').fill("120");
  await strong.getByRole("button", { name: "保存" }).click();
  await expect(page.getByRole("alert")).toContainText("最低出勤率");

  await page.goto("/organiser/programme");
  await hydrated(page);
  const candidates = page.getByTestId("candidates");
  const row = candidates.locator("tbody tr").last();
  await expect(row).toBeVisible();
  const person = await row.getAttribute("data-person");
  await row.locator('input[name="note"]').fill("年度学习表现突出");
  await row.getByRole("button", { name: /晋升为/ }).click();
  await expect(candidates.locator(`tr[data-person="${person}"]`)).toHaveCount(0);
  await page.goto(`/progress?person=${person}`);
  await expect(page.getByTestId("progress-head")).toContainText("强雁");
  const history = page.getByTestId("tier-history");
  await expect(history).toContainText("晋升");
  await expect(history).toContainText("年度学习表现突出");
});
