import { expect, test } from "@playwright/test";

// scripts/e2e starts a real OpenID provider (oidc-provider) beside the server; its user
// E2001 carries preferred_username "cadre", E2999 one no account has.

test("a cadre signs in through the district's identity provider", async ({ page }) => {
  await page.goto("/login?next=/sessions");
  const button = page.getByTestId("login-oidc");
  await expect(button).toHaveText("统一身份认证登录");
  await button.click();

  // The provider's own sign-in page.
  await page.waitForURL((u) => u.pathname.startsWith("/interaction"));
  await page.locator("input[name=login]").fill("E2001");
  await page.locator("input[name=password]").fill("any password");
  await page.locator("button[type=submit]").click();

  // Back home, signed in as the demo cadre, where she was going.
  await page.waitForURL((u) => u.pathname === "/sessions");
  await page.goto("/me");
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  const me = await page.request.post("/api/me");
  expect((await me.json()).username).toBe("cadre");
});

test("someone the provider knows but Night School does not is told so", async ({ page }) => {
  await page.goto("/login");
  await page.getByTestId("login-oidc").click();
  await page.waitForURL((u) => u.pathname.startsWith("/interaction"));
  await page.locator("input[name=login]").fill("E2999");
  await page.locator("input[name=password]").fill("any password");
  await page.locator("button[type=submit]").click();
  await page.waitForURL((u) => u.pathname === "/login");
  await expect(page.getByTestId("login-error")).toHaveText("您的统一身份尚未对应夜校账号，请联系管理员开通。");
  const me = await page.request.post("/api/me");
  expect(await me.json()).toBeNull();
});
