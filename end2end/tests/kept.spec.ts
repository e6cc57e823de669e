import { Browser, expect, Page, test } from "@playwright/test";
import { hydrated, scheduleSession, signedIn } from "./helpers";

/** A new signed-in phone page for `username`. */
async function as(browser: Browser, username: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  await signedIn(page, username);
  return page;
}

test("a page the phone keeps is checked on every visit: a cancellation shows at once, and after signing out nothing of it is left", async ({
  page,
  browser,
}) => {
  const title = `缓存测试：网格议事${Date.now() % 100000}`;
  await signedIn(page, "organiser");
  const id = await scheduleSession(page, title, 24 * 60);

  // The cadre opens the session's page; the phone may keep it, but only privately and
  // only to ask again each time.
  const cadre = await as(browser, "cadre");
  const first = await cadre.goto(`/sessions/${id}`);
  expect(first?.status()).toBe(200);
  const headers = first!.headers();
  expect(headers["cache-control"]).toBe("private, no-cache");
  expect(headers["etag"]).toMatch(/^"[0-9a-f]{32}"$/);
  await expect(cadre.getByRole("heading", { name: title })).toBeVisible();

  // Asked again with nothing changed: the phone's copy is still good (a 304), and shown.
  const again = await cadre.request.get(`/sessions/${id}`, { headers: { "if-none-match": headers["etag"] } });
  expect(again.status()).toBe(304);
  await cadre.reload();
  await expect(cadre.getByRole("heading", { name: title })).toBeVisible();

  // The organiser cancels the evening (a flood-control duty); the cadre's next visit shows it.
  await page.goto(`/sessions/${id}`);
  await page.getByText("取消这期课程").click();
  await page.getByPlaceholder("取消原因（学员可见）").fill("防汛值班，改期另行通知");
  await page.getByRole("button", { name: "确认取消" }).click();
  await expect(page.getByText("防汛值班，改期另行通知")).toBeVisible();
  await cadre.goto(`/sessions/${id}`);
  await expect(cadre.getByText("防汛值班，改期另行通知")).toBeVisible();
  await expect(cadre.getByText("已取消").first()).toBeVisible();

  // Signing out clears what the phone stored for the site: going back does not show the page.
  await cadre.getByRole("button", { name: "退出" }).click();
  await expect(cadre).toHaveURL(/\/login/);
  const stale = await cadre.request.get(`/sessions/${id}`, {
    headers: { "if-none-match": headers["etag"] },
    maxRedirects: 0,
  });
  expect(stale.status()).toBe(303);
  await cadre.goBack();
  await expect(cadre).toHaveURL(/\/login/);
  await expect(cadre.getByText("防汛值班，改期另行通知")).toHaveCount(0);
});

test("the door board is kept with its island, and the island still runs on the kept copy: no script is refused", async ({
  page,
}) => {
  const refused: string[] = [];
  page.on("console", (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) refused.push(m.text());
  });
  await signedIn(page, "organiser");
  const id = await scheduleSession(page, `门口大屏缓存${Date.now() % 100000}`, -10);
  const first = await page.goto(`/organiser/sessions/${id}/door`);
  expect(first?.status()).toBe(200);
  const headers = first!.headers();
  expect(headers["cache-control"]).toBe("private, no-cache");
  expect(headers["content-security-policy"]).toContain("'sha256-");
  expect(headers["content-security-policy"]).not.toContain("'nonce-");
  await hydrated(page);
  await expect(page.getByTestId("door-code")).toHaveText(/^\d{4} \d{4}$/);

  // Asked again with its tag the copy is still good; the browser shows its own copy and the
  // island runs again under the same policy.
  const again = await page.request.get(`/organiser/sessions/${id}/door`, {
    headers: { "if-none-match": headers["etag"] },
  });
  expect([200, 304]).toContain(again.status());
  if (again.status() === 304) {
    expect(again.headers()["content-security-policy"]).toBe(headers["content-security-policy"]);
  }
  await page.reload();
  await hydrated(page);
  await expect(page.getByTestId("door-count")).toHaveText("0");
  expect(refused).toEqual([]);
});
