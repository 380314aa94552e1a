import { expect, test } from "./fixtures";
import { logIn, PASSWORD, ready, signUp, uniqueEmail } from "./helpers";

test("log out, then log in again", async ({ page }, testInfo) => {
  const email = uniqueEmail("login");
  await signUp(page, testInfo, email);
  await ready(page, testInfo);

  await page.getByRole("button", { name: "Log out" }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto("/");
  await expect(page).toHaveURL(/\/login$/);

  await logIn(page, testInfo, email);
  await expect(page.getByTestId("user-role")).toHaveText("Admin");
});

test("a wrong password is refused with an alert", async ({ page }, testInfo) => {
  const email = uniqueEmail("wrong");
  await signUp(page, testInfo, email);
  await ready(page, testInfo);
  await page.getByRole("button", { name: "Log out" }).click();
  await expect(page).toHaveURL(/\/login$/);
  await ready(page, testInfo);

  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(`${PASSWORD} but wrong`);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByRole("alert")).toBeVisible();
  await expect(page).toHaveURL(/\/login/);
});
