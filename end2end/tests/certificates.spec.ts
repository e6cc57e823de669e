import { expect, test } from "@playwright/test";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import jsQR from "jsqr";
import { PNG } from "pngjs";
import { signedIn } from "./helpers";

/** The link in the QR code on a PDF's first page: rendered by poppler, read by jsQR. */
function qrLinkOf(pdf: string): string {
  const prefix = pdf.replace(/\.pdf$/, "");
  execFileSync("pdftoppm", ["-png", "-r", "150", "-f", "1", "-l", "1", "-singlefile", pdf, prefix]);
  const png = PNG.sync.read(fs.readFileSync(`${prefix}.png`));
  const code = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
  expect(code, "a QR code on the first page").toBeTruthy();
  return code!.data;
}

test("the dossier's QR code opens its verification page, which says when it was revoked", async ({
  page,
  browser,
}) => {
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, acceptDownloads: true });
  const stranger = await browser.newContext({ viewport: { width: 390, height: 844 } });
  try {
    // The cadre downloads her annual dossier on her phone.
    const cadre = await phone.newPage();
    await signedIn(cadre, "cadre");
    await cadre.goto("/progress");
    await cadre.getByTestId("progress-certificates").click();
    await expect(cadre).toHaveURL(/\/certificates$/);
    const [download] = await Promise.all([
      cadre.waitForEvent("download"),
      cadre.getByTestId("dossier-pdf").click(),
    ]);
    const file = path.join(os.tmpdir(), `nightschool-dossier-${Date.now()}.pdf`);
    await download.saveAs(file);
    const text = execFileSync("pdftotext", [file, "-"]).toString();
    expect(text).toContain("黄平");
    expect(text).toContain("年度学习档案");

    // Anyone scans the QR code, signed out, and sees it is genuine: the name, no more.
    const link = qrLinkOf(file);
    expect(link).toMatch(/\/verify\/YX-\d{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{2}$/);
    const serial = link.split("/verify/")[1];
    expect(text).toContain(serial);
    const scanner = await stranger.newPage();
    await scanner.goto(link);
    await expect(scanner.getByTestId("verify-verdict")).toHaveAttribute("data-verdict", "valid");
    await expect(scanner.getByTestId("verify-name")).toHaveText("黄平");
    await expect(scanner.getByTestId("verify-programme")).toContainText("年度学习档案");
    await expect(scanner.getByTestId("verify-facts")).not.toContainText("铁塔寺");
    // A made-up serial is not found.
    await scanner.goto("/verify");
    await scanner.getByLabel("编号").fill("YX-2026-AB12-CD34-XY");
    await scanner.getByRole("button", { name: "查验" }).click();
    await expect(scanner.getByTestId("verify-verdict")).not.toHaveAttribute("data-verdict", "valid");

    // Her organiser revokes it with a reason; the page then says it was revoked.
    await signedIn(page, "organiser");
    await page.goto("/organiser/certificates?kind=dossier");
    const line = page.getByTestId("certificate").filter({ hasText: serial });
    await expect(line).toHaveCount(1);
    await line.locator("summary").click();
    await line.getByRole("textbox").fill("档案中的出勤信息有误，已重新核对");
    await line.getByTestId("certificate-revoke-submit").click();
    await expect(page.getByRole("status").filter({ hasText: "已撤销" })).toBeVisible();
    await scanner.goto(link);
    await expect(scanner.getByTestId("verify-verdict")).toHaveAttribute("data-verdict", "revoked");
    await expect(scanner.getByTestId("verify-verdict")).toContainText("已被撤销");
    await expect(scanner.locator("body")).not.toContainText("出勤信息有误");

    // She sees why on her list.
    await cadre.goto("/certificates");
    const mine = cadre.getByTestId("certificate").filter({ hasText: serial });
    await expect(mine.getByTestId("certificate-state")).toHaveText("已撤销");
    await expect(mine.getByTestId("certificate-reason")).toContainText("出勤信息有误");
  } finally {
    await phone.close();
    await stranger.close();
  }
});

test("a completed series earns its certificate, whose PDF carries the cadre's name and QR code", async ({
  page,
  browser,
}) => {
  // The demo's League training (乐善·习语堂) is over; the school issues its certificates.
  await signedIn(page, "organiser");
  await page.goto("/organiser/certificates?kind=series");
  await page.getByTestId("certificates-issue").click();
  await expect(page.getByTestId("certificates-issued")).toBeVisible();
  const line = page.getByTestId("certificate").filter({ hasText: "乐善·习语堂" }).first();
  await expect(line).toBeVisible();
  const serial = (await line.getByTestId("certificate-serial").textContent())!.trim();
  const [download] = await Promise.all([page.waitForEvent("download"), line.getByTestId("certificate-pdf").click()]);
  const file = path.join(os.tmpdir(), `nightschool-certificate-${Date.now()}.pdf`);
  await download.saveAs(file);
  const text = execFileSync("pdftotext", [file, "-"]).toString();
  const holder = (await line.locator(".small").first().textContent())!.split("（")[0].trim();
  expect(text).toContain(holder);
  expect(text).toContain(serial);
  const link = qrLinkOf(file);
  expect(link.endsWith(`/verify/${serial}`)).toBeTruthy();
  const stranger = await browser.newContext();
  try {
    const scanner = await stranger.newPage();
    await scanner.goto(link);
    await expect(scanner.getByTestId("verify-verdict")).toHaveAttribute("data-verdict", "valid");
    await expect(scanner.getByTestId("verify-name")).toHaveText(holder);
    await expect(scanner.getByTestId("verify-programme")).toContainText("乐善·习语堂");
  } finally {
    await stranger.close();
  }
});
