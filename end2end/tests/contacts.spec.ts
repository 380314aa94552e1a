import type { APIRequestContext } from "@playwright/test";
import { expect, test } from "./fixtures";
import { expectSignedIn, noJs, PASSWORD, ready, signUp, uniqueEmail } from "./helpers";

/** POSTs JSON to the REST API with the page's session cookie; returns the JSON body. */
async function post(request: APIRequestContext, path: string, data: unknown): Promise<any> {
  const response = await request.post(path, { data });
  expect(response.ok(), `${path}: ${response.status()} ${await response.text()}`).toBeTruthy();
  return response.json();
}

test("create a contact, find it by its email, add it to a new list", async ({ page }, testInfo) => {
  await signUp(page, testInfo, uniqueEmail("contacts"));
  const email = uniqueEmail("ada");

  await page.goto("/contacts");
  await ready(page, testInfo);
  await expect(page.getByTestId("contacts-empty")).toBeVisible();
  await page.getByRole("link", { name: "New contact" }).click();
  await expect(page).toHaveURL(/\/contacts\/new$/);
  await ready(page, testInfo);

  await page.getByRole("textbox", { name: "Email" }).fill(email);
  await page.getByLabel("First name").fill("Ada");
  await page.getByLabel("Last name").fill("Lovelace");
  await page.getByRole("group", { name: "Consents" }).getByLabel("Email").selectOption("granted");
  await page.getByLabel("Custom attributes").fill('{"plan": "pro"}');
  await page.getByRole("button", { name: "Create contact" }).click();
  await expect(page).toHaveURL(/\/contacts\/[0-9a-f-]{36}\?saved=1$/);
  await expect(page.getByRole("status").filter({ hasText: "Contact saved." })).toBeVisible();
  await expect(page.getByRole("heading", { level: 1, name: "Ada Lovelace" })).toBeVisible();
  const contactUrl = page.url().replace(/\?.*$/, "");

  // Refused fields are shown next to their input.
  await ready(page, testInfo);
  await page.getByLabel("Custom attributes").fill("[1, 2]");
  await page.getByRole("button", { name: "Save contact" }).click();
  await expect(page.locator("#contact-attributes-error")).toContainText("JSON object");

  await page.goto("/contacts");
  await ready(page, testInfo);
  await page.getByRole("searchbox", { name: "Search" }).fill(email);
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page).toHaveURL(/[?&]q=/);
  await expect(page.getByTestId("contact-row")).toHaveCount(1);
  await expect(page.getByTestId("contact-row")).toContainText(email);

  const listName = `VIP ${Date.now()}`;
  await page.getByRole("link", { name: "Lists", exact: true }).click();
  await expect(page).toHaveURL(/\/lists$/);
  await ready(page, testInfo);
  await page.getByLabel("Name", { exact: true }).fill(listName);
  await page.getByRole("button", { name: "Create list" }).click();
  const row = page.getByTestId("list-row").filter({ hasText: listName });
  await expect(row).toHaveCount(1);
  await expect(row.getByTestId("list-members")).toHaveText("0");

  await page.goto(contactUrl);
  await ready(page, testInfo);
  await page.getByLabel("Add to list").selectOption({ label: listName });
  await page.getByRole("button", { name: "Add to list" }).click();
  if (!noJs(testInfo)) {
    await expect(page.getByTestId("membership-notice")).toHaveText("Added to the list.");
  }
  await page.waitForLoadState("load");

  await page.goto("/lists");
  await expect(row.getByTestId("list-members")).toHaveText("1");
  await row.getByRole("link", { name: "View contacts" }).click();
  await expect(page).toHaveURL(/\/contacts\?list_id=/);
  await expect(page.getByTestId("contact-row")).toHaveCount(1);
  await expect(page.getByTestId("contact-row")).toContainText(email);
});

test("import a CSV through the wizard and watch it reach 100 %", async ({ page }, testInfo) => {
  await signUp(page, testInfo, uniqueEmail("importer"));
  const stamp = `${Date.now()}`;
  const valid = ["grace", "alan", "ada"].map((name) => `${name}-${stamp}@example.org`);
  const csv = [
    "email,first_name,last_name",
    `${valid[0]},Grace,Hopper`,
    `${valid[1]},Alan,Turing`,
    "not-an-email,Bad,Row",
    `${valid[2]},Ada,Lovelace`,
    `${valid[0]},Grace,Again`,
  ].join("\n");

  await page.goto("/contacts");
  await ready(page, testInfo);
  await page.getByRole("link", { name: "Import" }).click();
  await expect(page).toHaveURL(/\/contacts\/import$/);
  await ready(page, testInfo);
  await page.getByLabel("CSV file").setInputFiles({
    name: "people.csv",
    mimeType: "text/csv",
    buffer: Buffer.from(csv + "\n"),
  });

  if (noJs(testInfo)) {
    await expect(page.getByTestId("nojs-hint")).toBeVisible();
  } else {
    // The browser reads the head of the file; the server suggests a mapping.
    await expect(page.getByTestId("import-preview")).toBeVisible();
    await expect(page.getByTestId("import-delimiter")).toHaveText(",");
    await expect(page.getByTestId("import-preview").locator("tbody tr")).toHaveCount(5);
    const mapping = page.getByTestId("import-mapping");
    await expect(mapping.getByLabel("Email", { exact: true })).toHaveValue("email");
    await expect(mapping.getByLabel("First name")).toHaveValue("first_name");
    await expect(page.locator('input[name="mapping"]')).toHaveValue(/"email":"email"/);
  }
  // The wizard asks, per channel, what writing to these people rests on.
  const email = page.getByTestId("basis-email");
  await email.getByLabel("Contract").check();
  await email.getByLabel("What they were told").fill("Order updates, per our terms of sale");
  await page.getByTestId("basis-sms").getByLabel("No ground yet").check();
  await page.getByRole("button", { name: "Start import" }).click();

  await expect(page).toHaveURL(/\/contacts\/imports\/[0-9a-f-]{36}$/);
  await expect(page.getByTestId("import-percent")).toHaveText("100 %", { timeout: 30_000 });
  await expect(page.getByTestId("import-status")).toHaveText("Completed");
  await expect(page.getByRole("progressbar")).toHaveAttribute("aria-valuenow", "100");
  await expect(page.getByTestId("import-created")).toHaveText("3");
  await expect(page.getByTestId("import-skipped")).toHaveText("2");
  await expect(page.getByTestId("import-no-consent-email")).toHaveText("0");
  const id = page.url().split("/").pop();
  const report = page.getByTestId("import-report");
  await expect(report).toHaveAttribute("href", `/api/imports/${id}/report.csv`);
  const csvReport = await page.request.get(`/api/imports/${id}/report.csv`);
  expect(csvReport.ok()).toBeTruthy();
  expect(await csvReport.text()).toContain("duplicate");

  await page.goto(`/contacts?q=${encodeURIComponent(valid[1])}`);
  await expect(page.getByTestId("contact-row")).toContainText("Alan Turing");
  const found = await page.request.get(`/api/contacts?q=${encodeURIComponent(valid[1])}`);
  const alan = (await found.json()).items[0];
  const emailConsent = alan.consents.find((c: { channel: string }) => c.channel === "email");
  expect([emailConsent.state, emailConsent.lawful_basis]).toEqual(["granted", "contract"]);
});

test("a refused upload comes back to the wizard with its reason", async ({ page }, testInfo) => {
  await signUp(page, testInfo, uniqueEmail("import-refused"));
  await page.goto("/contacts/import?error=the%20file%20is%20empty");
  await expect(page.getByTestId("import-refused")).toContainText("the file is empty");
});

test("a reader sees contacts and lists without edit controls", async ({ page, browser }, testInfo) => {
  await signUp(page, testInfo, uniqueEmail("contacts-admin"));
  const email = uniqueEmail("readable");
  const contact = await post(page.request, "/api/contacts", { email, first_name: "Readable" });
  const listName = `Readers ${Date.now()}`;
  const list = await post(page.request, "/api/lists", { name: listName });
  await post(page.request, `/api/lists/${list.id}/members`, { contact_ids: [contact.id] });

  const reader = uniqueEmail("contacts-reader");
  await page.goto("/settings/members");
  await ready(page, testInfo);
  const inviteForm = page.locator("form", { has: page.getByRole("button", { name: "Create invitation" }) });
  await inviteForm.getByLabel("Email").fill(reader);
  await inviteForm.getByLabel("Role").selectOption("reader");
  await inviteForm.getByRole("button", { name: "Create invitation" }).click();
  const link = (await page.getByTestId("secret").textContent())?.trim();
  expect(link).toContain("/invite/");

  const context = await browser.newContext({
    baseURL: testInfo.project.use.baseURL,
    javaScriptEnabled: !noJs(testInfo),
    locale: "en-US",
  });
  try {
    const guest = await context.newPage();
    await guest.goto(link!);
    await ready(guest, testInfo);
    await guest.getByLabel("Choose a password").fill(PASSWORD);
    await guest.getByRole("button", { name: "Accept invitation" }).click();
    await expectSignedIn(guest, reader);

    await guest.goto("/contacts");
    await expect(guest.getByTestId("contact-row").filter({ hasText: email })).toHaveCount(1);
    await expect(guest.getByRole("link", { name: "New contact" })).toHaveCount(0);
    await expect(guest.getByRole("link", { name: "Import" })).toHaveCount(0);

    await guest.goto(`/contacts/${contact.id}`);
    await expect(guest.getByRole("heading", { level: 1, name: "Readable" })).toBeVisible();
    await expect(guest.getByTestId("read-only")).toBeVisible();
    await expect(guest.getByTestId("contact-facts")).toContainText(email);
    // The lists holding the contact, without the controls.
    await expect(guest.getByTestId("membership").getByRole("link")).toHaveText([listName]);
    for (const name of ["Save contact", "Erase contact", "Add to list", `Remove from ${listName}`]) {
      await expect(guest.getByRole("button", { name })).toHaveCount(0);
    }

    await guest.goto("/lists");
    await expect(guest.getByTestId("list-row").filter({ hasText: listName })).toHaveCount(1);
    await expect(guest.getByTestId("read-only")).toBeVisible();
    for (const name of ["Create list", "Rename", "Delete"]) {
      await expect(guest.getByRole("button", { name })).toHaveCount(0);
    }

    await guest.goto("/contacts/import");
    await expect(guest.getByTestId("read-only")).toBeVisible();
    await expect(guest.getByRole("button", { name: "Start import" })).toHaveCount(0);

    // The server refuses anyway.
    const refused = await guest.request.post("/api/contacts", { data: { email: uniqueEmail("nope") } });
    expect(refused.status()).toBe(403);
  } finally {
    await context.close();
  }
});
