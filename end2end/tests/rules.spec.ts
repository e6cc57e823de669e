import { expect, test } from "@playwright/test";
import { hydrated, signIn } from "./helpers";

test("a subdistrict's organiser sets its own leave cap, and can follow the district again", async ({ page }) => {
  await signIn(page, "liying");
  await page.getByRole("link", { name: "课程设置" }).click();
  await expect(page).toHaveURL(/\/organiser\/settings/);
  await hydrated(page);
  // Until it sets one, the subdistrict follows the district.
  await expect(page.getByTestId("rule-holder-hint")).toContainText("本街道尚未单独设置");
  const rules = page.getByTestId("attendance-rules");
  await expect(rules.locator('input[name="leave_cap"]')).toHaveValue("1/7");

  // A bad share is refused with the field named, and nothing changes.
  await rules.locator('input[name="leave_cap"]').fill("七分之一");
  await rules.getByRole("button", { name: "保存" }).click();
  await expect(rules.getByRole("alert")).toBeVisible();

  await rules.locator('input[name="leave_cap"]').fill("1/5");
  await rules.getByRole("button", { name: "保存" }).click();
  await expect(rules.getByRole("status")).toContainText("已保存");
  await expect(page.getByTestId("rule-holder-hint")).toContainText("本街道已有自己的设置");
  // Saved as the share it is (1/5 is shown as 20 %).
  await page.reload();
  await hydrated(page);
  await expect(page.getByTestId("attendance-rules").locator('input[name="leave_cap"]')).toHaveValue("20%");

  // The district's organiser sees 李营's own cap beside the district's.
  const district = await page.context().browser()!.newContext();
  try {
    const other = await district.newPage();
    await signIn(other, "organiser");
    await other.goto("/organiser/settings");
    await hydrated(other);
    await expect(other.getByTestId("attendance-rules").locator('input[name="leave_cap"]')).toHaveValue("1/7");
    await other.getByTestId("rule-holder").getByLabel("适用范围").selectOption({ label: "李营街道" });
    await other.getByTestId("rule-holder").getByRole("button", { name: "查看" }).click();
    await expect(other).toHaveURL(/unit=subdistrict/);
    await expect(other.getByTestId("attendance-rules").locator('input[name="leave_cap"]')).toHaveValue("20%");
  } finally {
    await district.close();
  }

  // Back to the district's rules.
  await page.getByTestId("rules-reset").getByRole("button", { name: "恢复为全区设置" }).click();
  await expect(page.getByTestId("rule-holder-hint")).toContainText("本街道尚未单独设置");
  await expect(page.getByTestId("attendance-rules").locator('input[name="leave_cap"]')).toHaveValue("1/7");
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });
  test("a rule is saved by a plain form post, and the page says so", async ({ page }) => {
    await signIn(page, "organiser");
    await page.goto("/organiser/settings");
    const rule = page.getByTestId("hours-rule");
    const minutes = rule.locator('input[name="minutes"]');
    const before = await minutes.inputValue();
    await minutes.fill("abc");
    await rule.getByRole("button", { name: "保存" }).click();
    await expect(rule.getByRole("alert")).toBeVisible();
    await expect(rule.locator('input[name="minutes"]')).toHaveValue(before);
    await rule.locator('input[name="minutes"]').fill(before);
    await rule.getByRole("button", { name: "保存" }).click();
    await expect(rule.getByRole("status")).toContainText("已保存");
    await expect(rule.getByRole("alert")).toHaveCount(0);
  });
});
