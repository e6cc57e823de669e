import { expect, test } from "@playwright/test";
import { hydrated, signIn } from "./helpers";

test("the language switch brings the same page back in the other language, and is remembered", async ({ page }) => {
  await page.goto("/login");
  await expect(page.locator("html")).toHaveAttribute("lang", "zh-CN");
  await hydrated(page);
  await page.getByTestId("lang-switch").click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Sign in to Night School");
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
  await expect(page).toHaveTitle("Night School");
  expect(new URL(page.url()).pathname).toBe("/login");
  // The choice is kept by the server for the next page.
  await page.reload();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Sign in to Night School");
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
  await page.getByLabel("Username").fill("organiser");
  await page.getByLabel("Password", { exact: true }).fill("nightschool");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Organiser desk");
  await page.getByTestId("lang-switch").click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("组织工作台");
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });
  test("sign-in and the language switch still work", async ({ page }) => {
    await signIn(page, "cadre");
    await expect(page).toHaveURL("/me");
    await page.getByTestId("lang-switch").click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("My upcoming sessions");
  });
});
