import { expect, test } from "@playwright/test";
import { hydrated, scheduleSession, signedIn } from "./helpers";

test("a community organiser's evening: her door board, a leave request, her report", async ({
  page,
  browser,
}) => {
  // The district's organiser schedules tonight's session and one in two days.
  await signedIn(page, "organiser");
  const tonight = await scheduleSession(page, "社区书记的夜晚：今晚", 5);
  const later = await scheduleSession(page, "社区书记的夜晚：后天", 2 * 24 * 60);

  // The demo cadre, of 铁塔寺社区, asks for leave from the later one.
  const phone = await browser.newContext();
  try {
    const cadre = await phone.newPage();
    await signedIn(cadre, "cadre");
    const asked = await cadre.request.post("/api/leave_ask", {
      form: { session_id: String(later), reason: "社区防汛值班" },
    });
    expect(asked.ok(), await asked.text()).toBeTruthy();
  } finally {
    await phone.close();
  }

  // The community organiser (铁塔寺社区's party secretary) signs in.
  const secretary = await browser.newContext();
  try {
    const p = await secretary.newPage();
    await signedIn(p, "community");
    // Her door board lists only her community's cadres as not yet arrived.
    await p.goto(`/organiser/sessions/${tonight}/door`);
    await expect(p.getByTestId("door")).toBeVisible();
    await expect(p.getByTestId("door-count")).toHaveText("0");
    const groups = p.getByTestId("door-missing").locator(".group h3");
    await expect(groups).toHaveCount(1);
    await expect(groups.first()).toContainText("铁塔寺社区");

    // Her queue holds the request; she approves it.
    await p.getByRole("link", { name: "请假补学" }).click();
    await expect(p).toHaveURL(/\/organiser\/requests/);
    await hydrated(p);
    const request = p
      .getByTestId("leave-requests")
      .getByTestId("request")
      .filter({ hasText: "社区书记的夜晚：后天" });
    await expect(request).toHaveCount(1);
    await expect(request).toContainText("铁塔寺社区");
    await request.getByRole("button", { name: "批准", exact: true }).click();
    await expect(request.getByText("已批准")).toBeVisible();
    const communities = p.getByTestId("leave-requests").getByTestId("request");
    for (const card of await communities.all()) {
      await expect(card).toContainText("铁塔寺社区");
    }

    // Her report is her community's.
    await p.getByRole("link", { name: "考勤报表" }).click();
    const table = p.getByTestId("count-table").first();
    await expect(table).toBeVisible();
    await expect(table.locator("tbody tr")).toHaveCount(1);
    await expect(table.locator("tbody tr").first()).toContainText("铁塔寺社区");

    // Settings are the install's.
    await expect(p.getByRole("link", { name: "课程设置" })).toHaveCount(0);
  } finally {
    await secretary.close();
  }
});

test("the district's organiser compares two subdistricts and drills into one", async ({
  page,
}) => {
  await signedIn(page, "organiser");
  await page.getByRole("link", { name: "全区", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("全区夜校概况");
  const table = page.getByTestId("district");
  const rows = table.locator("tbody tr");
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(0)).toContainText("观音阁街道");
  await expect(rows.nth(0).getByTestId("cadres")).toHaveText("179");
  await expect(rows.nth(1)).toContainText("李营街道");
  await expect(rows.nth(1).getByTestId("cadres")).toHaveText("12");
  await expect(table.getByTestId("district-total").getByTestId("cadres")).toHaveText("191");
  const year = new Date().getFullYear();
  await expect(page.getByTestId("district-export")).toHaveAttribute(
    "href",
    new RegExp(`/reports/district-(${year}|${year + 1}|${year - 1})\\.csv$`),
  );

  await rows.nth(1).getByRole("link", { name: "李营街道" }).click();
  await expect(page).toHaveURL(/\/organiser\/programme\?.*subdistrict=/);
  const communities = page.getByTestId("communities").locator("tbody tr");
  await expect(communities).toHaveCount(2);
  await expect(page.getByTestId("communities")).toContainText("李营社区");
  await expect(page.getByTestId("communities")).not.toContainText("铁塔寺社区");
});
