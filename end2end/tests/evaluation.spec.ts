import { expect, test } from "@playwright/test";
import { scheduleSession, signedIn } from "./helpers";

test("a cadre who attended evaluates the session anonymously, and her wish reaches the planner", async ({
  page,
  browser,
}) => {
  await signedIn(page, "organiser");
  const id = await scheduleSession(page, "评价测试：基层治理", -150, "王建国");
  // She came; the organiser marks her present from the sign-in sheet.
  await page.goto(`/organiser/sessions/${id}/attendance?c=all&q=${encodeURIComponent("黄平")}`);
  const line = page.getByTestId("sheet-line").filter({ hasText: "黄平" });
  await line.getByRole("combobox", { name: "状态" }).selectOption({ label: "出席" });
  await line.getByPlaceholder("修改原因").fill("按签到表补录");
  await line.getByRole("button", { name: "保存" }).click();
  await expect(page.getByTestId("sheet-line").filter({ hasText: "黄平" }).getByTestId("line-status")).toContainText("出席");

  const wish = `想学信访积案化解 ${Date.now() % 100000}`;
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 } });
  try {
    const cadre = await phone.newPage();
    await signedIn(cadre, "cadre");
    await cadre.goto("/me");
    const open = cadre.getByTestId("open-cards");
    await open.getByRole("link", { name: /评价测试：基层治理/ }).first().click();
    const card = cadre.getByTestId("evaluation");
    await expect(card).toContainText("匿名");
    const indicators = card.getByTestId("indicator");
    await expect(indicators).toHaveCount(4);
    for (let i = 0; i < 4; i++) {
      await indicators.nth(i).getByLabel("很好").check();
    }
    await card.getByLabel("下一步我想学（可选）").fill(wish);
    await card.getByTestId("evaluation-send").click();
    await expect(cadre.getByTestId("evaluation-done")).toHaveText("已评价，谢谢！");
    await expect(cadre.getByTestId("evaluation-send")).toHaveCount(0);
  } finally {
    await phone.close();
  }

  // The organiser sees one answer and no means yet; the wish is on the planner, nameless.
  await page.goto(`/sessions/${id}`);
  await expect(page.getByTestId("evaluation-answers")).toContainText("已收到 1 份评价");
  await expect(page.getByTestId("evaluation-hidden")).toBeVisible();
  await page.goto("/organiser/sessions/new");
  const wishes = page.getByTestId("wishes");
  await expect(wishes.getByTestId("wish").filter({ hasText: wish })).toBeVisible();
  await expect(wishes).not.toContainText("黄平");
});
