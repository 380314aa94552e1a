import { expect, type Page, type TestInfo } from "@playwright/test";
import { readFileSync } from "node:fs";

export const PASSWORD = "correct horse battery";

/** An address no other spec (or earlier run against the same server) uses. */
export function uniqueEmail(tag: string): string {
  const random = Math.random().toString(36).slice(2, 8);
  return `${tag}-${Date.now()}-${random}@example.org`;
}

/** Whether this project runs without JavaScript (pure server-rendered pages). */
export function noJs(testInfo: TestInfo): boolean {
  return testInfo.project.use.javaScriptEnabled === false;
}

/**
 * With JavaScript, pages must be hydrated before forms are used, or a click would do
 * a plain form post and the hydrated path would go untested. Leptos removes nothing
 * visible on hydration, so wait for the WASM to be fetched and the network to settle.
 */
export async function ready(page: Page, testInfo: TestInfo): Promise<void> {
  if (!noJs(testInfo)) {
    await page.waitForLoadState("networkidle");
  }
}

export async function signUp(
  page: Page,
  testInfo: TestInfo,
  email: string,
  organization = `Org ${Date.now()}`,
): Promise<void> {
  await page.goto("/signup");
  await ready(page, testInfo);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByLabel("Organization name").fill(organization);
  await page.getByRole("button", { name: "Create account" }).click();
  await expectSignedIn(page, email);
}

export async function logIn(page: Page, testInfo: TestInfo, email: string): Promise<void> {
  await page.goto("/login");
  await ready(page, testInfo);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await expectSignedIn(page, email);
}

export async function expectSignedIn(page: Page, email: string): Promise<void> {
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole("heading", { level: 1, name: "Dashboard" })).toBeVisible();
  await expect(page.getByTestId("user-email")).toHaveText(email);
}

/**
 * The accept link of the newest invitation, from the server's log. The server logs
 * `invitation created ... accept_url=<url>` (plain text, possibly with colours) or a
 * JSON line with an `accept_url` field.
 */
export function lastInvitationUrlFromLog(): string | undefined {
  const path = process.env.E2E_SERVER_LOG;
  if (!path) {
    throw new Error("E2E_SERVER_LOG is not set: run the suite through scripts/e2e");
  }
  // Strip ANSI colour codes that a terminal-style logger may write.
  const log = readFileSync(path, "utf8").replace(/\u001b\[[0-9;]*m/g, "");
  const lines = log.split("\n").filter((line) => line.includes("invitation created"));
  const last = lines.at(-1);
  const match = last?.match(/accept_url"?\s*[=:]\s*"?([^\s",}]+)/);
  return match?.[1];
}
