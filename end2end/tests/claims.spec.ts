import { expect, test } from "@playwright/test";
import { signIn } from "./helpers";

// A 1×1 PNG: the photo of a certificate, as a phone would send it.
const PHOTO = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==",
  "base64",
);

/** The hours shown as earned on the cadre's progress page. */
async function earned(page: import("@playwright/test").Page): Promise<number> {
  await page.goto("/progress");
  const text = await page.getByTestId("earned").locator("strong").first().innerText();
  return Number(text);
}

test("a cadre claims hours earned elsewhere with a photo, the organiser approves, the bar moves", async ({
  page,
  browser,
}) => {
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const cadre = await phone.newPage();
  await signIn(cadre, "cadre");
  const before = await earned(cadre);

  await cadre.getByRole("link", { name: "外部学时" }).click();
  await expect(cadre.getByRole("heading", { level: 1 })).toHaveText("外部学时申报");
  const form = cadre.getByTestId("claim-form");
  const training = `区委党校专题班 ${Date.now()}`;
  const today = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
  await form.getByLabel("培训名称").fill(training);
  await form.getByLabel("主办单位").fill("区委党校");
  await form.getByLabel("开始日期").fill(today);
  await form.getByLabel("结束日期").fill(today);
  await form.getByRole("combobox", { name: "折算标准" }).selectOption({ label: "集中培训半天（4 学时）" });
  await form.getByLabel("次数 / 天数").fill("1");
  await form
    .getByLabel("结业证书或通知（照片或 PDF）")
    .setInputFiles({ name: "结业证书.png", mimeType: "image/png", buffer: PHOTO });
  await form.getByLabel("本人承诺属实").check();
  await form.getByTestId("claim-submit").click();
  await expect(cadre.getByTestId("claim-filed")).toBeVisible();
  const mine = cadre.getByTestId("claim-item").filter({ hasText: training });
  await expect(mine.getByTestId("claim-state")).toHaveText("待审核");
  await expect(mine.getByTestId("claim-hours")).toHaveText("4");

  await signIn(page, "organiser");
  await page.goto("/organiser/claims");
  const line = page.getByTestId("claim-item").filter({ hasText: training });
  await expect(line).toContainText("黄平");
  await line.getByTestId("claim-approve").click();
  await expect(page.getByTestId("claim-item").filter({ hasText: training }).getByTestId("claim-state")).toHaveText(
    "已认定",
  );

  // The cadre's hours move by what the tier counts (up to 12 a year in the demo).
  expect(await earned(cadre)).toBe(before + 4);
  await expect(cadre.getByTestId("elsewhere")).toContainText("已认定 4 学时");
  await phone.close();
});
