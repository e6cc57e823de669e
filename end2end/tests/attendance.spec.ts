import { Browser, BrowserContextOptions, expect, Page, test } from "@playwright/test";
import { hydrated, PASSWORD, scheduleSession, signedIn, signIn } from "./helpers";

/** Opens the projector page of a session and returns the check-in link it shows. */
async function openDoor(page: Page, id: number): Promise<string> {
  await page.goto(`/organiser/sessions/${id}/door`);
  await expect(page.getByTestId("door")).toBeVisible();
  await expect(page.getByTestId("door-code")).toHaveText(/^\d{4} \d{4}$/);
  const href = await page.getByTestId("door-link").getAttribute("href");
  expect(href).toMatch(/^https?:\/\/[^/]+\/c\/\d+-\d+-[0-9a-f]+$/);
  return href ?? "";
}

type PhoneOptions = Pick<
  BrowserContextOptions,
  "baseURL" | "viewport" | "isMobile" | "hasTouch" | "locale"
>;

/** A second phone: a fresh browser context with the project's device settings. */
async function newPhone(browser: Browser, phone: PhoneOptions, extra: BrowserContextOptions = {}) {
  return browser.newContext({ ...phone, ...extra });
}

/** On the cadre's phone: opens the scanned link, taps once, and waits for the answer. */
async function checkInAt(page: Page, link: string) {
  await page.goto(link);
  const card = page.getByTestId("checkin");
  await expect(card).toHaveAttribute("data-outcome", "ready");
  await page.getByTestId("checkin-button").click();
  await expect(page).toHaveURL(/\/checkin\/done\?/);
  await expect(page.getByTestId("checkin")).toHaveAttribute("data-outcome", "recorded");
  await expect(page.getByTestId("checkin-message")).toHaveText("签到成功！");
}

test("the organiser's door screen counts a cadre who scans in", async ({
  page,
  browser,
  baseURL,
  viewport,
  isMobile,
  hasTouch,
  locale,
}) => {
  await signedIn(page, "organiser");
  const id = await scheduleSession(page, "签到测试：门口大屏", 5);
  const link = await openDoor(page, id);
  await hydrated(page);
  await expect(page.getByTestId("door-count")).toHaveText("0");
  await expect(page.getByTestId("door-late")).toHaveText("0");

  const phone = await newPhone(browser, { baseURL, viewport, isMobile, hasTouch, locale });
  try {
    const cadre = await phone.newPage();
    await signedIn(cadre, "cadre");
    await checkInAt(cadre, link);
    await expect(cadre.getByTestId("checkin-status")).toContainText("出席");
  } finally {
    await phone.close();
  }

  // The projector picks the arrival up on its own (it polls every 3 s), no reload.
  await expect(page.getByTestId("door-count")).toHaveText("1", { timeout: 10_000 });
  await expect(page.getByTestId("door-late")).toHaveText("0");
  await expect(page.getByTestId("door-walk-ins")).toHaveText("0");
});

test("a cadre checks in with JavaScript disabled", async ({
  page,
  browser,
  baseURL,
  viewport,
  isMobile,
  hasTouch,
  locale,
}) => {
  await signedIn(page, "organiser");
  const id = await scheduleSession(page, "签到测试：无脚本手机", 5);
  const link = await openDoor(page, id);

  const phone = await newPhone(
    browser,
    { baseURL, viewport, isMobile, hasTouch, locale },
    { javaScriptEnabled: false },
  );
  try {
    const cadre = await phone.newPage();
    // Scanned while signed out: the login form (a plain form, no script needed) comes
    // first, then the same check-in.
    await cadre.goto(link);
    await expect(cadre).toHaveURL(/\/login\?next=/);
    await cadre.getByLabel("用户名").fill("cadre");
    await cadre.getByLabel("密码", { exact: true }).fill(PASSWORD);
    await cadre.getByRole("button", { name: "登录" }).click();
    await expect(cadre).toHaveURL(new RegExp(`${new URL(link).pathname}$`));
    await checkInAt(cadre, link);
    await expect(cadre.getByTestId("checkin-status")).toContainText("出席");
    await expect(cadre.locator("body")).not.toHaveAttribute("data-hydrated", "true");
  } finally {
    await phone.close();
  }
});

test("a late check-in shows as late", async ({
  page,
  browser,
  baseURL,
  viewport,
  isMobile,
  hasTouch,
  locale,
}) => {
  await signedIn(page, "organiser");
  const id = await scheduleSession(page, "签到测试：迟到", -20);
  const link = await openDoor(page, id);

  const phone = await newPhone(browser, { baseURL, viewport, isMobile, hasTouch, locale });
  try {
    const cadre = await phone.newPage();
    await signedIn(cadre, "cadre");
    await checkInAt(cadre, link);
    await expect(cadre.getByTestId("checkin-status")).toContainText("迟到");
  } finally {
    await phone.close();
  }

  await page.goto(`/organiser/sessions/${id}/attendance`);
  const sheet = page.getByTestId("attendance-sheet");
  await expect(sheet).toBeVisible();
  await expect(sheet.getByTestId("count-late")).toHaveText("1");
  await expect(sheet.getByTestId("count-present")).toHaveText("0");
  const late = sheet
    .getByTestId("sheet-line")
    .filter({ has: page.getByTestId("line-status").getByText("迟到") });
  await expect(late).toHaveCount(1);
});
