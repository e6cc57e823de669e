import { expect, test } from "@playwright/test";
import { scheduleSession, signedIn } from "./helpers";

test("an organiser excuses a community for flood duty and their make-up opens", async ({ page, browser }) => {
  await signedIn(page, "organiser");
  // This evening's session, over half an hour ago.
  const id = await scheduleSession(page, "防汛值班测试", -150);
  await page.goto(`/organiser/sessions/${id}/attendance?c=all`);
  const form = page.getByTestId("group-excusal");
  await form.locator("summary").click();
  await form.getByLabel("社区").selectOption({ label: "铁塔寺社区" });
  await form.getByLabel("请假类型").selectOption({ label: "公务（值班、防汛等）" });
  await form.getByLabel("请假事由").fill("社区今晚防汛值班");
  await form.getByTestId("excuse-group").click();
  await expect(page.getByTestId("excused")).toContainText("已为");
  await expect(page.getByTestId("audit")).toContainText("集体请假");

  // The demo cadre of 铁塔寺社区, on her phone: excused on duty, the make-up open.
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 } });
  try {
    const cadre = await phone.newPage();
    await signedIn(cadre, "cadre");
    await cadre.goto(`/sessions/${id}`);
    const mine = cadre.getByTestId("my-attendance");
    await expect(mine.getByTestId("my-status")).toContainText("请假");
    await expect(mine.getByTestId("leave-kind")).toHaveText("公务（值班、防汛等）");
    await expect(mine.getByTestId("make-up-due")).toContainText("补学已开放");
    await expect(mine.getByTestId("make-up-hint")).toBeVisible();
    await cadre.goto("/inbox");
    await expect(cadre.getByText("不计入请假上限").first()).toBeVisible();
  } finally {
    await phone.close();
  }
});

test("a cadre who came without checking in asks for a correction and the organiser approves", async ({
  page,
  browser,
}) => {
  await signedIn(page, "organiser");
  const id = await scheduleSession(page, "补签测试", -140);
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 } });
  try {
    const cadre = await phone.newPage();
    await signedIn(cadre, "cadre");
    await cadre.goto(`/sessions/${id}`);
    const card = cadre.getByTestId("correction");
    await card.locator("summary").click();
    await card.getByLabel("情况说明").fill("到场听课，手机没电未能扫码");
    await card.getByTestId("ask-correction").click();
    await expect(cadre.getByTestId("correction")).toContainText("补签申请已提交");
    await expect(cadre.getByTestId("my-correction")).toContainText("待审批");

    await page.goto("/organiser/requests");
    const line = page.getByTestId("correction-request").filter({ hasText: "补签测试" });
    await expect(line).toContainText("手机没电");
    await line.getByRole("button", { name: "批准", exact: true }).click();
    await expect(page.getByTestId("correction-request").filter({ hasText: "补签测试" })).toContainText("已批准");

    await cadre.goto(`/sessions/${id}`);
    await expect(cadre.getByTestId("my-status")).toContainText("出席");
  } finally {
    await phone.close();
  }
});
