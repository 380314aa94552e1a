import type { APIRequestContext } from "@playwright/test";
import { readFileSync } from "node:fs";
import { expect, test } from "./fixtures";
import { noJs, ready, signUp, uniqueEmail } from "./helpers";

async function post(request: APIRequestContext, path: string, data: unknown): Promise<any> {
  const response = await request.post(path, { data });
  expect(response.ok(), `${path}: ${response.status()} ${await response.text()}`).toBeTruthy();
  return response.json();
}

test("a contact's page shows its consent history and downloads everything held about it", async ({
  page,
}, testInfo) => {
  await signUp(page, testInfo, uniqueEmail("privacy"));
  const email = uniqueEmail("ada");
  const contact = await post(page.request, "/api/contacts", {
    email,
    first_name: "Ada",
    consents: { email: "granted" },
    consent_wording: "Yes, send me offers by email.",
  });
  const patched = await page.request.patch(`/api/contacts/${contact.id}`, {
    data: { consents: { sms: "granted" }, lawful_basis: "contract" },
  });
  expect(patched.ok()).toBeTruthy();

  await page.goto(`/contacts/${contact.id}`);
  await ready(page, testInfo);
  const history = page.getByTestId("consent-history");
  await expect(history.locator("tbody tr")).toHaveCount(2);
  await expect(history.locator("tbody tr").first()).toContainText("Yes, send me offers by email.");
  await expect(history.locator("tbody tr").nth(1)).toContainText("Contract");

  const download = page.waitForEvent("download");
  await page.getByTestId("export").click();
  const file = await (await download).path();
  const exported = JSON.parse(readFileSync(file, "utf8"));
  expect(exported.contact.email).toBe(email);
  expect(exported.consent_history).toHaveLength(2);
});

test("Settings: an admin suppresses an address, finds it, lifts it, and reads it all in the audit log", async ({
  page,
}, testInfo) => {
  await signUp(page, testInfo, uniqueEmail("suppress"));
  const address = uniqueEmail("gone");

  await page.goto("/settings/suppressions");
  await ready(page, testInfo);
  await expect(page.getByTestId("suppressions-empty")).toBeVisible();
  if (!noJs(testInfo)) {
    // Refused where it was typed (a plain form post reloads the page instead).
    await page.getByLabel("Email or phone number").fill("not an address");
    await page.getByRole("button", { name: "Suppress", exact: true }).click();
    await expect(page.locator("#suppress-address-error")).toContainText("email");
    await page.goto("/settings/suppressions");
    await ready(page, testInfo);
  }
  await page.getByLabel("Email or phone number").fill(address);
  await page.getByRole("button", { name: "Suppress", exact: true }).click();
  await expect(page.getByTestId("suppression-row")).toHaveCount(1);
  await page.goto(`/settings/suppressions?address=${encodeURIComponent(address)}`);
  await ready(page, testInfo);
  await expect(page.getByTestId("suppression-row")).toHaveCount(1);
  await expect(page.getByTestId("suppression-row")).toContainText("Added by an admin");
  await page.getByRole("button", { name: "Lift" }).click();
  await expect(page.getByTestId("suppressions-empty")).toBeVisible();

  await page.goto("/settings/audit?action=suppression");
  await ready(page, testInfo);
  await expect(page.getByTestId("audit-row")).toHaveCount(2);
  await expect(page.getByTestId("audit-row").first()).toContainText("suppression.removed");
  await expect(page.getByTestId("audit-row").nth(1)).toContainText("suppression.added");
  await expect(page.getByTestId("audit")).not.toContainText(address);
  await page.getByLabel("Action").selectOption("auth.sign_in");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/action=auth.sign_in/);
  await expect(page.getByTestId("audit-empty")).toBeVisible();
  const csv = await page.request.get("/api/audit.csv?action=suppression");
  expect((await csv.text()).trim().split("\n")).toHaveLength(3);
});

test("erasing a contact asks for confirmation, then nothing about it can be read", async ({ page }, testInfo) => {
  await signUp(page, testInfo, uniqueEmail("erase"));
  const email = uniqueEmail("gone");
  const contact = await post(page.request, "/api/contacts", { email, first_name: "Grace", consents: { email: "granted" } });

  await page.goto(`/contacts/${contact.id}`);
  await ready(page, testInfo);
  // Not without the box ticked.
  await page.getByRole("button", { name: "Erase contact" }).click();
  await expect(page).toHaveURL(new RegExp(`/contacts/${contact.id}$`));
  expect((await page.request.get(`/api/contacts/${contact.id}`)).status()).toBe(200);

  await page.getByLabel("I understand that this cannot be undone").check();
  await page.getByRole("button", { name: "Erase contact" }).click();
  await expect(page).toHaveURL(/\/contacts$/);
  for (const path of ["", "/export", "/consents"]) {
    expect((await page.request.get(`/api/contacts/${contact.id}${path}`)).status()).toBe(404);
  }
  // The address stays suppressed, so it is never imported back as subscribed.
  const suppressed = await (await page.request.get(`/api/suppressions?address=${encodeURIComponent(email)}`)).json();
  expect(suppressed.items.map((e: any) => e.reason)).toContain("erasure");
});
