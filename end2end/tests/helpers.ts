import { expect, Page } from "@playwright/test";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Secret, TOTP } from "otpauth";

export const PASSWORD = "nightschool";

/**
 * Signs in through the login form, as a person would. An account with two-step
 * verification (admins) gets its code from an authenticator (the otpauth package) set up
 * at the first sign-in; the secret is kept for the run's later sign-ins.
 */
export async function signIn(page: Page, username: string, password = PASSWORD) {
  await page.goto("/login");
  await page.getByLabel("用户名").fill(username);
  await page.getByLabel("密码", { exact: true }).fill(password);
  await page.getByRole("button", { name: "登录" }).click();
  await page.waitForURL((u) => u.pathname !== "/login" || u.search.includes("error"));
  const url = new URL(page.url());
  if (url.pathname === "/login/totp") {
    await page.getByTestId("code-input").fill(await nextCode(username));
    await page.getByRole("button", { name: "登录", exact: true }).click();
    await page.waitForURL((u) => !u.pathname.startsWith("/login"));
  } else if (url.pathname === "/account/totp") {
    await setUpSecondFactor(page, username);
  }
}

/** The run's authenticator: secrets and the last 30-second step used, per user name. */
const authenticatorFile =
  process.env.E2E_AUTHENTICATOR ??
  path.join(os.tmpdir(), `nightschool-e2e-totp-${(process.env.BASE_URL ?? "default").replace(/\W/g, "_")}.json`);
type Entry = { secret: string; lastStep: number };
function authenticator(): Record<string, Entry> {
  try {
    return JSON.parse(fs.readFileSync(authenticatorFile, "utf8"));
  } catch {
    return {};
  }
}
function remember(username: string, entry: Entry) {
  fs.writeFileSync(authenticatorFile, JSON.stringify({ ...authenticator(), [username]: entry }));
}
function totpOf(secret: string): TOTP {
  return new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30, algorithm: "SHA1" });
}

/** A code the server has not accepted yet: the current step's, or the next one's. */
async function nextCode(username: string): Promise<string> {
  const entry = authenticator()[username];
  expect(entry, `an authenticator entry for ${username}`).toBeTruthy();
  const now = Math.floor(Date.now() / 30_000);
  const step = Math.max(now, entry.lastStep + 1);
  if (step > now + 1) {
    await new Promise((r) => setTimeout(r, (step - 1) * 30_000 - Date.now() + 500));
  }
  remember(username, { ...entry, lastStep: step });
  return totpOf(entry.secret).generate({ timestamp: step * 30_000 });
}

/** The first sign-in of an account that must have a second factor: scan (read the key), confirm. */
export async function setUpSecondFactor(page: Page, username: string) {
  await expect(page.getByTestId("factor-required")).toBeVisible();
  await hydrated(page);
  await page.getByTestId("factor-begin").click();
  const secret = (await page.getByTestId("totp-secret").textContent())?.trim() ?? "";
  expect(secret).toMatch(/^[A-Z2-7]{32}$/);
  const step = Math.floor(Date.now() / 30_000);
  await page.getByTestId("factor-code").fill(totpOf(secret).generate({ timestamp: step * 30_000 }));
  await page.getByTestId("factor-confirm").click();
  await expect(page.getByTestId("recovery-code")).toHaveCount(10);
  remember(username, { secret, lastStep: step });
  await page.getByTestId("factor-continue").click();
  await page.waitForURL((u) => u.pathname !== "/" && !u.pathname.startsWith("/account/totp"));
}

/**
 * Waits until the WASM has brought the page's islands to life. A page without an island is
 * plain HTML and loads no script: there is nothing to wait for. A page with islands must
 * load its own group's bundle, so an island left out of that bundle never comes alive here.
 */
export async function hydrated(page: Page) {
  await page.waitForLoadState("domcontentloaded");
  if ((await page.locator("leptos-island").count()) === 0) {
    await expect(page.locator('script[type="module"]')).toHaveCount(0);
    return;
  }
  // The release build (scripts/build-release) makes one bundle per group of pages with
  // islands: a page loads its own group's, never the one that holds every island.
  const scripts = await page.locator("script").allTextContents();
  expect(scripts.join("\n")).toMatch(/"nightschool-(door|planner|material|account)"/);
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
}

/** A moment as the Asia/Shanghai wall clock shows it (UTC+8, no daylight saving). */
function shanghai(ms: number): { date: string; time: string } {
  const iso = new Date(ms + 8 * 3_600_000).toISOString();
  return { date: iso.slice(0, 10), time: iso.slice(11, 16) };
}

/** Signs in and waits until the login form has let the person through. */
export async function signedIn(page: Page, username: string) {
  await signIn(page, username);
  await expect(page).not.toHaveURL(/\/login/);
}

/**
 * Schedules one lecture for everyone from `startsInMinutes` from now (negative: already
 * begun), two hours long, given by the lecturer of that name (or the first one), through
 * the planner's server function; returns its id. The page
 * must be signed in as an organiser (page.request shares its cookies).
 */
export async function scheduleSession(
  page: Page,
  title: string,
  startsInMinutes: number,
  lecturerName?: string,
): Promise<number> {
  const options = await page.request.post("/api/schedule_options", { form: {} });
  expect(options.ok(), await options.text()).toBeTruthy();
  const choices = (await options.json()) as {
    themes: { id: number }[];
    lecturers: { id: number; name_zh: string }[];
  };
  const lecturer = lecturerName
    ? choices.lecturers.find((l) => l.name_zh === lecturerName)
    : choices.lecturers[0];
  expect(lecturer, `a lecturer named ${lecturerName}`).toBeTruthy();
  const startMs = Date.now() + startsInMinutes * 60_000;
  const start = shanghai(startMs);
  const end = shanghai(startMs + 2 * 3_600_000);
  const stamp = `${Date.now()}-${Math.floor(Math.random() * 1e6)}`;
  const form = {
    title: `${title} ${stamp}`,
    theme_id: String(choices.themes[0].id),
    format: "lecture",
    date: start.date,
    start: start.time,
    end: end.time,
    ends_next_day: end.date !== start.date,
    place: `签到测试教室 ${stamp}`,
    lecturer_ids: [lecturer!.id],
    everyone: true,
    tier_ids: [],
    community_ids: [],
    person_ids: [],
    capacity: "",
    hours: "",
    description_md: "",
    repeat_weekdays: [],
    repeat_until: "",
    repeat_count: "",
  };
  // The lecturer may well be booked at this hour by another test's session.
  const created = await page.request.post("/api/sessions_create", {
    data: { form, clash_reason: "端到端测试" },
  });
  expect(created.ok(), await created.text()).toBeTruthy();
  const ids = (await created.json()) as number[];
  expect(ids).toHaveLength(1);
  return ids[0];
}

