import { expect, test } from "./fixtures";
import { ready, signUp, uniqueEmail } from "./helpers";

test("sign up makes an admin and lands on the dashboard", async ({ page }, testInfo) => {
  const email = uniqueEmail("signup");
  await signUp(page, testInfo, email, "Signup Test Org");
  await expect(page.getByTestId("user-role")).toHaveText("Admin");
  await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();

  // Signed-in users have nothing to do on the sign-up and log-in pages.
  await page.goto("/signup");
  await expect(page).toHaveURL(/\/$/);
});

test("signed-out visitors of app pages are sent to log in", async ({ page }) => {
  await page.goto("/settings/members");
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByRole("heading", { level: 1, name: "Log in" })).toBeVisible();
});

test("an address the server refuses is reported next to the field", async ({ page }, testInfo) => {
  await page.goto("/signup");
  await ready(page, testInfo);
  // The browser accepts `name@host`; our rule wants a dotted domain.
  await page.getByLabel("Email").fill(`nodot-${Date.now()}@example`);
  await page.getByLabel("Password").fill("long enough password");
  await page.getByLabel("Organization name").fill("Refused Org");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByRole("alert")).toBeVisible();
  await expect(page.locator("#signup-email-error")).toBeVisible();
  await expect(page.getByLabel("Email")).toHaveAttribute("aria-invalid", "true");
  await expect(page).toHaveURL(/\/signup/);
});

test("the language switcher changes the page language", async ({ page }) => {
  await page.goto("/login");
  await page.getByLabel("Language").selectOption("fr");
  await page.getByRole("button", { name: "Change" }).click();
  await expect(page.locator("html")).toHaveAttribute("lang", "fr");
  await expect(page.getByRole("heading", { level: 1, name: "Connexion" })).toBeVisible();
  // And back, so the cookie does not surprise a later test in this context.
  await page.getByLabel("Langue").selectOption("en");
  await page.getByRole("button", { name: "Changer" }).click();
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
});
