import type { APIRequestContext, Page, TestInfo } from "@playwright/test";
import { expect, test } from "./fixtures";
import { expectSignedIn, noJs, PASSWORD, ready, signUp, uniqueEmail } from "./helpers";

/** POSTs JSON to the REST API with the page's session cookie; returns the JSON body. */
async function post(request: APIRequestContext, path: string, data: unknown): Promise<any> {
  const response = await request.post(path, { data });
  expect(response.ok(), `${path}: ${response.status()} ${await response.text()}`).toBeTruthy();
  return response.json();
}

/** A list with two contacts (email and phone), seeded through the REST API. */
async function seedList(page: Page, name: string): Promise<string> {
  const request = page.request;
  const list = await post(request, "/api/lists", { name });
  const ids: string[] = [];
  for (const [first, n] of [["Grace", 1], ["Alan", 2]] as const) {
    const stamp = `${Date.now()}${n}`;
    const contact = await post(request, "/api/contacts", {
      email: `${first.toLowerCase()}-${stamp}@example.org`,
      // Fixed, valid French mobiles: every test has an organization of its own, so they
      // never collide, and a clock-derived number may not be a valid one.
      phone: `+3361234567${n}`,
      first_name: first,
      consents: { email: "granted", sms: "granted" },
    });
    ids.push(contact.id);
  }
  await post(request, `/api/lists/${list.id}/members`, { contact_ids: ids });
  return list.id;
}

test("create and schedule an email + SMS campaign in the editor, with its preview", async ({ page }, testInfo) => {
  await signUp(page, testInfo, uniqueEmail("campaigns"));
  const listName = `Newsletter ${Date.now()}`;
  await seedList(page, listName);

  await page.goto("/campaigns");
  await ready(page, testInfo);
  await expect(page.getByTestId("campaigns-empty")).toBeVisible();
  await page.getByRole("link", { name: "New campaign" }).click();
  await expect(page).toHaveURL(/\/campaigns\/new$/);
  await ready(page, testInfo);

  const title = `Spring sale ${Date.now()}`;
  await page.getByLabel("Title", { exact: true }).fill(title);
  await page.getByRole("checkbox", { name: "Email", exact: true }).check();
  await page.getByRole("checkbox", { name: "SMS", exact: true }).check();
  const recipients = page.getByRole("group", { name: "Recipient lists" });
  await recipients.getByLabel(listName).check();
  await expect(recipients).toContainText("2 contacts");

  // With JavaScript the channels are tabs; without, every channel is on the page.
  if (!noJs(testInfo)) {
    await page.getByRole("tab", { name: "Email" }).click();
  }
  await page.getByLabel("Subject").fill("Hello {{ first_name }}");
  await page.getByLabel("Sender name").fill("Acme");
  await page.getByLabel("Sender address").fill("news@acme.test");
  await page.getByLabel("HTML body").fill("<h1>Hi {{ first_name }}</h1><p>Our spring sale starts now.</p>");
  if (!noJs(testInfo)) {
    await page.getByRole("tab", { name: "SMS" }).click();
  }
  // Past 160 characters once filled in: two segments.
  const sms = `Hi {{ first_name }}! ${"Spring sale. ".repeat(13)}`;
  await page.getByLabel("SMS text").fill(sms);
  await page.getByLabel("Sender ID").fill("ACME");

  if (noJs(testInfo)) {
    // The plain-HTML way: save the draft and come back to the editor with its preview.
    await page.getByRole("button", { name: "Update preview" }).click();
    await expect(page).toHaveURL(/\/campaigns\/[0-9a-f-]+\/edit/);
    await expect(page.getByLabel("Title", { exact: true })).toHaveValue(title);
  } else {
    await expect(page.getByTestId("sms-meter-segments")).toHaveText("2");
    await expect(page.getByTestId("sms-meter-encoding")).toHaveText("GSM-7");
  }
  const preview = page.getByTestId("preview");
  await expect(preview.getByTestId("preview-email-subject")).toHaveText("Hello Ada");
  await expect(preview.getByTestId("preview-sms-text")).toContainText("Hi Ada! Spring sale.");
  await expect(preview.getByTestId("sms-segments")).toHaveText("2");
  await expect(preview.getByTestId("preview-email")).toHaveAttribute("sandbox", "");

  await page.getByLabel("Send at").fill("2030-06-15T09:30");
  await page.getByRole("button", { name: "Save and schedule" }).click();
  await expect(page).toHaveURL(/\/campaigns\/[0-9a-f-]+$/);
  await expect(page.getByRole("heading", { level: 1, name: title })).toBeVisible();
  await expect(page.getByTestId("detail-status")).toHaveText("Scheduled");
  await expect(page.getByTestId("detail-scheduled")).toContainText("2030-06-15 09:30");
  await expect(page.getByRole("button", { name: "Unschedule" })).toBeVisible();

  await page.goto("/campaigns");
  const row = page.getByTestId("campaign-row").filter({ hasText: title });
  await expect(row.getByTestId("campaign-status")).toHaveText("Scheduled");
  await page.goto("/campaigns?status=draft");
  await expect(page.getByTestId("campaign-row").filter({ hasText: title })).toHaveCount(0);
});

test("refused fields are shown next to their inputs, and what was typed stays", async ({ page }, testInfo) => {
  await signUp(page, testInfo, uniqueEmail("campaign-errors"));
  await page.goto("/campaigns/new");
  await ready(page, testInfo);
  await expect(page.getByTestId("no-lists")).toBeVisible();
  await page.getByLabel("Description").fill("No title yet");
  await page.getByRole("button", { name: "Save draft" }).click();
  await expect(page.locator("#campaign-title-error")).toContainText("title");
  await expect(page.locator("#channels-error")).toBeVisible();
  await expect(page.getByLabel("Description")).toHaveValue("No title yet");

  // Saved as a draft, but nobody to send to: scheduling is refused, next to the lists.
  const title = `Nobody ${Date.now()}`;
  await page.getByLabel("Title", { exact: true }).fill(title);
  await page.getByRole("checkbox", { name: "SMS", exact: true }).check();
  if (!noJs(testInfo)) {
    await page.getByRole("tab", { name: "SMS" }).click();
  }
  await page.getByLabel("SMS text").fill("Hi {{ first_name }}");
  await page.getByLabel("Sender ID").fill("ACME");
  await page.getByRole("button", { name: "Save and schedule" }).click();
  await expect(page.locator("#list-error")).toContainText("recipient list");
  await expect(page.getByLabel("Title", { exact: true })).toHaveValue(title);
  // Saving again updates that draft rather than making a second one.
  await page.getByRole("button", { name: "Save draft" }).click();
  await expect(page.getByRole("status")).toHaveText("Draft saved.");
  await page.goto("/campaigns");
  const row = page.getByTestId("campaign-row").filter({ hasText: title });
  await expect(row).toHaveCount(1);
  await expect(row.getByTestId("campaign-status")).toHaveText("Draft");
});

test("the detail page offers the moves the status allows", async ({ page }, testInfo) => {
  await signUp(page, testInfo, uniqueEmail("campaign-moves"));
  const listId = await seedList(page, `Moves ${Date.now()}`);
  const title = `Moves ${Date.now()}`;
  const created = await post(page.request, "/api/campaigns", {
    title,
    channels: ["sms"],
    list_ids: [listId],
    content: { sms: { text: "Hi {{ first_name }}", sender_id: "ACME" } },
  });
  await page.goto(`/campaigns/${created.id}`);
  await ready(page, testInfo);
  const status = page.getByTestId("detail-status");
  await expect(status).toHaveText("Draft");
  await expect(page.getByRole("link", { name: "Edit" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Unschedule" })).toHaveCount(0);

  await page.getByLabel("Send at").fill("2031-01-02T10:00");
  await page.getByRole("button", { name: "Schedule" }).click();
  await expect(status).toHaveText("Scheduled");
  await expect(page.getByTestId("detail-scheduled")).toContainText("2031-01-02 10:00");
  await expect(page.getByRole("button", { name: "Delete" })).toHaveCount(0);
  await page.getByRole("button", { name: "Unschedule" }).click();
  await expect(status).toHaveText("Draft");
  await page.getByRole("button", { name: "Schedule" }).click();
  await expect(status).toHaveText("Scheduled");
  await page.getByRole("button", { name: "Cancel campaign" }).click();
  await expect(status).toHaveText("Cancelled");
  await expect(page.getByRole("link", { name: "Edit" })).toHaveCount(0);

  await page.getByRole("button", { name: "Duplicate" }).click();
  await expect(page).toHaveURL(/\/campaigns\/[0-9a-f-]+\/edit$/);
  await expect(page.getByLabel("Title", { exact: true })).toHaveValue(`Copy of ${title}`);
  await page.goto(`/campaigns/${created.id}`);
  await ready(page, testInfo);
  await page.getByRole("button", { name: "Delete" }).click();
  await expect(page).toHaveURL(/\/campaigns$/);
  await expect(page.getByTestId("campaign-row").filter({ hasText: `Copy of ${title}` })).toHaveCount(1);
  await expect(page.getByTestId("campaign-row").filter({ hasText: title })).toHaveCount(1);
});

test("a reader sees campaigns without edit controls", async ({ page, browser }, testInfo) => {
  await signUp(page, testInfo, uniqueEmail("campaign-admin"));
  const title = `Read me ${Date.now()}`;
  const created = await post(page.request, "/api/campaigns", { title, channels: ["sms"] });

  const reader = uniqueEmail("campaign-reader");
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

    await guest.goto("/campaigns");
    await expect(guest.getByTestId("campaign-row").filter({ hasText: title })).toHaveCount(1);
    await expect(guest.getByRole("link", { name: "New campaign" })).toHaveCount(0);
    await guest.goto(`/campaigns/${created.id}`);
    await expect(guest.getByRole("heading", { level: 1, name: title })).toBeVisible();
    await expect(guest.getByTestId("read-only")).toBeVisible();
    for (const name of ["Schedule", "Delete", "Duplicate", "Cancel campaign"]) {
      await expect(guest.getByRole("button", { name })).toHaveCount(0);
    }
    await expect(guest.getByRole("link", { name: "Edit" })).toHaveCount(0);
    await guest.goto(`/campaigns/${created.id}/edit`);
    await expect(guest.getByTestId("read-only")).toBeVisible();
    await expect(guest.getByRole("button", { name: "Save draft" })).toHaveCount(0);
    // The server refuses anyway.
    const refused = await guest.request.post(`/api/campaigns/${created.id}/schedule`, { data: {} });
    expect(refused.status()).toBe(403);
  } finally {
    await context.close();
  }
});
