import { Browser, expect, Page, test } from "@playwright/test";
import { hydrated, scheduleSession, signedIn } from "./helpers";

/** A new signed-in phone page for `username`. */
async function as(browser: Browser, username: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  await signedIn(page, username);
  return page;
}

test("a lecturer publishes material with a table, a link and a PDF; a cadre reads, reflects and finds it; the lecturer answers", async ({
  page,
  browser,
}) => {
  const phrase = `枫桥经验再实践${Date.now() % 100000}`;
  await signedIn(page, "organiser");
  // Begun half an hour ago: reflections are open.
  // Given by 王建国, the demo `lecturer` account's person.
  const id = await scheduleSession(page, "材料测试：就地化解", -30, "王建国");

  // The lecturer writes the material, sees the preview, publishes and attaches a PDF.
  const lecturer = await as(browser, "lecturer");
  await lecturer.goto(`/sessions/${id}`);
  await lecturer.getByTestId("edit-material").click();
  await expect(lecturer).toHaveURL(new RegExp(`/sessions/${id}/material/edit`));
  await hydrated(lecturer);
  await lecturer
    .getByTestId("material-source")
    .fill(
      `# 第一讲\n\n${phrase}：小事不出网格。\n\n| 社区 | 人数 |\n|---|---|\n| 东关社区 | 12 |\n\n延伸阅读：[信访工作条例](https://www.gov.cn/)\n`,
    );
  const preview = lecturer.getByTestId("preview");
  await expect(preview.locator("td", { hasText: "东关社区" })).toBeVisible();
  await expect(preview.locator('a[href="https://www.gov.cn/"]')).toHaveAttribute("target", "_blank");
  await lecturer.getByTestId("publication-published").check();
  await lecturer.getByTestId("save-material").click();
  await expect(lecturer.getByTestId("saved")).toBeVisible();

  await lecturer.getByTestId("upload-input").setInputFiles({
    name: "第一讲讲义.pdf",
    mimeType: "application/pdf",
    buffer: Buffer.from("%PDF-1.4\n% night school\n1 0 obj\n<<>>\nendobj\n"),
  });
  await lecturer.getByTestId("upload").click();
  await expect(lecturer.getByTestId("upload-ok")).toContainText("第一讲讲义.pdf");
  await expect(lecturer.getByTestId("attachment-row")).toHaveCount(1);
  // A program renamed .pdf is refused with a message and leaves nothing behind; the text
  // being edited stays as it is.
  await lecturer.getByTestId("upload-input").setInputFiles({
    name: "讲义.pdf",
    mimeType: "application/pdf",
    buffer: Buffer.from("MZ\x90\x00\x03\x00\x00\x00program"),
  });
  await lecturer.getByTestId("upload").click();
  await expect(lecturer.getByTestId("upload-error")).toContainText("不支持这种文件");
  await expect(lecturer.getByTestId("attachment-row")).toHaveCount(1);
  await expect(lecturer.getByTestId("material-source")).toHaveValue(new RegExp(phrase));

  // The cadre reads it, marks it read and writes a reflection.
  const cadre = await as(browser, "cadre");
  await cadre.goto(`/sessions/${id}`);
  await hydrated(cadre);
  const body = cadre.getByTestId("material-body");
  await expect(body.locator("td", { hasText: "东关社区" })).toBeVisible();
  const link = body.locator('a[href="https://www.gov.cn/"]');
  await expect(link).toHaveAttribute("target", "_blank");
  await expect(link).toHaveAttribute("rel", /noopener/);
  await expect(cadre.getByTestId("edit-material")).toHaveCount(0);
  const download = cadre.getByTestId("attachment");
  await expect(download).toHaveText("第一讲讲义.pdf");
  const file = await cadre.request.get((await download.getAttribute("href")) ?? "");
  expect(file.status()).toBe(200);
  expect(file.headers()["content-type"]).toBe("application/pdf");
  expect((await file.body()).subarray(0, 5).toString()).toBe("%PDF-");
  await cadre.getByTestId("mark-read").click();
  await expect(cadre.getByTestId("read-mark")).toBeVisible();
  const reflection = "这次课讲清楚了就地化解的流程，我回社区后要让网格员每天走访登记，小事不出网格，大事不出社区。";
  await cadre.getByTestId("reflection-body").fill(reflection);
  await cadre.getByTestId("outlook-work").check();
  await cadre.getByTestId("save-reflection").click();
  await expect(cadre.getByTestId("reflection")).toContainText("小事不出网格");
  await expect(cadre.getByTestId("reflection")).toContainText("工作格局");

  // The lecturer reads it and answers.
  await lecturer.goto(`/sessions/${id}`);
  await expect(lecturer.getByTestId("open-reflections")).toContainText("(1)");
  await lecturer.getByTestId("open-reflections").click();
  await expect(lecturer).toHaveURL(new RegExp(`/sessions/${id}/reflections`));
  await hydrated(lecturer);
  await expect(lecturer.getByTestId("reflection")).toContainText("小事不出网格");
  await lecturer.getByTestId("comment-body").fill("很实在。下次把调解的具体案例也写进来。");
  await lecturer.getByTestId("send-comment").click();
  await expect(lecturer.getByTestId("comment")).toContainText("调解的具体案例");

  // The cadre sees the answer, and finds the material by searching in Chinese.
  await cadre.reload();
  await expect(cadre.getByTestId("comment")).toContainText("调解的具体案例");
  await cadre.goto("/search");
  await cadre.getByTestId("search-input").fill(phrase);
  await cadre.getByTestId("search-submit").click();
  const hit = cadre.getByTestId("hit").filter({ has: cadre.locator(`a[href="/sessions/${id}#material"]`) });
  await expect(hit.locator("mark")).toHaveText(phrase);
  // Two-character words (a different path through the index) are found as well.
  await cadre.goto(`/search?q=${encodeURIComponent("网格")}`);
  await expect(cadre.getByTestId("hit").filter({ has: cadre.locator(`a[href="/sessions/${id}#material"]`) })).toHaveCount(1);
});
