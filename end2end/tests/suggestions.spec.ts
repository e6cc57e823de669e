import { expect, test } from "@playwright/test";
import { signIn } from "./helpers";

test("a cadre writes an anonymous complaint, the organiser answers and closes it, the cadre reads the answer", async ({
  page,
  browser,
}) => {
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const cadre = await phone.newPage();
  await signIn(cadre, "cadre");
  await cadre.getByRole("link", { name: "投诉建议" }).click();
  await expect(cadre.getByRole("heading", { level: 1 })).toHaveText("投诉建议");
  const form = cadre.getByTestId("suggestion-form");
  const title = `会议室冬天太冷 ${Date.now()}`;
  await form.getByLabel("投诉", { exact: true }).check();
  await form.getByLabel("标题（60 字以内）").fill(title);
  await form.getByLabel("内容（2000 字以内）").fill("晚上上课没有暖气，希望改善。");
  await form.getByLabel("匿名提交").check();
  await form.getByTestId("suggestion-submit").click();
  // The plain form lands on the new complaint.
  await expect(cadre).toHaveURL(/\/suggestions\/\d+/);
  await expect(cadre.getByRole("heading", { level: 1 })).toHaveText(title);
  await expect(cadre.getByTestId("suggestion-state")).toHaveText("待答复");
  const path = new URL(cadre.url()).pathname;

  await signIn(page, "organiser");
  await page.goto("/suggestions");
  const line = page.getByTestId("suggestions-desk").getByTestId("suggestion-item").filter({ hasText: title });
  await expect(line).toContainText("匿名");
  await expect(line).not.toContainText("黄平");
  await line.getByRole("link", { name: title }).click();
  await expect(page.getByTestId("suggestion-body")).toHaveText("晚上上课没有暖气，希望改善。");
  const reply = page.getByTestId("suggestion-reply");
  await reply.getByLabel("答复内容").fill("已联系物业，下周起开暖气。");
  await reply.getByLabel("办结（不再接收答复）").check();
  await reply.getByTestId("suggestion-reply-submit").click();
  await expect(page.getByTestId("suggestion-answer-text")).toHaveText("已联系物业，下周起开暖气。");
  await expect(page.getByTestId("suggestion-state")).toHaveText("已办结");
  await expect(page.getByTestId("suggestion-reply")).toHaveCount(0);

  // The cadre is told in the inbox and reads the answer.
  await cadre.goto("/inbox");
  const notice = cadre.getByTestId("inbox-item").filter({ hasText: title });
  await expect(notice).toContainText("投诉建议已答复");
  await notice.getByRole("link", { name: "查看详情" }).click();
  await expect(cadre).toHaveURL(new RegExp(`${path}$`));
  await expect(cadre.getByTestId("suggestion-answer-text")).toHaveText("已联系物业，下周起开暖气。");
  await expect(cadre.getByTestId("suggestion-state")).toHaveText("已办结");
  await phone.close();
});
