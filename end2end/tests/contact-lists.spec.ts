import type { APIRequestContext, Page } from "@playwright/test";
import { expect, test } from "./fixtures";
import { noJs, ready, signUp, uniqueEmail } from "./helpers";

/** POSTs JSON to the REST API with the page's session cookie; returns the JSON body. */
async function post(request: APIRequestContext, path: string, data: unknown): Promise<any> {
  const response = await request.post(path, { data });
  expect(response.ok(), `${path}: ${response.status()} ${await response.text()}`).toBeTruthy();
  return response.json();
}

function memberships(page: Page) {
  return page.getByRole("region", { name: "Lists" });
}

test("the contact page shows its lists, adds the contact to one and takes it out", async ({ page }, testInfo) => {
  await signUp(page, testInfo, uniqueEmail("memberships"));
  const stamp = Date.now();
  const contact = await post(page.request, "/api/contacts", { email: uniqueEmail("member"), first_name: "Member" });
  const [alpha, beta] = [`Alpha ${stamp}`, `Beta ${stamp}`];
  for (const name of [alpha, beta]) {
    await post(page.request, "/api/lists", { name });
  }

  await page.goto(`/contacts/${contact.id}`);
  await ready(page, testInfo);
  const section = memberships(page);
  // Each list holding the contact, by its name, linked to its members.
  const held = section.getByTestId("membership").getByRole("link");
  await expect(section.getByTestId("memberships-none")).toBeVisible();

  await section.getByLabel("Add to list").selectOption({ label: alpha });
  await section.getByRole("button", { name: "Add to list" }).click();
  await expect(held).toHaveText([alpha]);
  if (!noJs(testInfo)) {
    await expect(section.getByTestId("membership-notice")).toHaveText("Added to the list.");
  }
  // A list already holding the contact is no longer offered.
  await expect(section.getByLabel("Add to list").locator("option")).toHaveText([beta]);
  await expect(held).toHaveAttribute("href", /^\/contacts\?list_id=[0-9a-f-]{36}$/);

  await section.getByLabel("Add to list").selectOption({ label: beta });
  await section.getByRole("button", { name: "Add to list" }).click();
  await expect(held).toHaveText([alpha, beta]);
  await expect(section.getByText("This contact is already in every list.")).toBeVisible();

  await section.getByRole("button", { name: `Remove from ${alpha}` }).click();
  await expect(held).toHaveText([beta]);
  if (!noJs(testInfo)) {
    await expect(section.getByTestId("membership-notice")).toHaveText("Removed from the list.");
  }
  await expect(section.getByLabel("Add to list").locator("option")).toHaveText([alpha]);

  // The server agrees with the page.
  const saved = await (await page.request.get(`/api/contacts/${contact.id}`)).json();
  expect(saved.lists.map((l: { name: string }) => l.name)).toEqual([beta]);
});

test("a refused save shows the form again with what was typed and the errors", async ({ page }, testInfo) => {
  await signUp(page, testInfo, uniqueEmail("refused-save"));
  const contact = await post(page.request, "/api/contacts", { email: uniqueEmail("grace"), first_name: "Grace" });

  await page.goto(`/contacts/${contact.id}`);
  await ready(page, testInfo);
  await page.getByLabel("First name").fill("Gracie");
  await page.getByLabel("Last name").fill("Hopper");
  await page.getByRole("group", { name: "Consents" }).getByLabel("SMS").selectOption("granted");
  await page.getByLabel("Custom attributes").fill("[1, 2]");
  await page.getByRole("button", { name: "Save contact" }).click();

  await expect(page.locator("#contact-attributes-error")).toContainText("JSON object");
  await expect(page.getByLabel("Custom attributes")).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByLabel("First name")).toHaveValue("Gracie");
  await expect(page.getByLabel("Last name")).toHaveValue("Hopper");
  await expect(page.getByLabel("Custom attributes")).toHaveValue("[1, 2]");
  await expect(page.getByRole("group", { name: "Consents" }).getByLabel("SMS")).toHaveValue("granted");
  await expect(page.getByRole("status").filter({ hasText: "Contact saved." })).toHaveCount(0);

  // Corrected, it saves what was typed; the kept values do not come back afterwards.
  await ready(page, testInfo);
  await page.getByLabel("Custom attributes").fill('{"plan": "pro"}');
  await page.getByRole("button", { name: "Save contact" }).click();
  await expect(page).toHaveURL(/\/contacts\/[0-9a-f-]{36}\?saved=1$/);
  await expect(page.getByRole("status").filter({ hasText: "Contact saved." })).toBeVisible();
  await expect(page.getByRole("heading", { level: 1, name: "Gracie Hopper" })).toBeVisible();
  await page.goto(`/contacts/${contact.id}`);
  await expect(page.getByLabel("First name")).toHaveValue("Gracie");
  await expect(page.locator("#contact-attributes-error")).toHaveCount(0);
});

test("a refused new contact keeps what was typed, once", async ({ page }, testInfo) => {
  await signUp(page, testInfo, uniqueEmail("refused-new"));
  await page.goto("/contacts/new");
  await ready(page, testInfo);
  await page.getByRole("textbox", { name: "Email" }).fill("not-an-address");
  await page.getByLabel("First name").fill("Ada");
  await page.getByRole("button", { name: "Create contact" }).click();

  await expect(page.locator("#contact-email-error")).toBeVisible();
  await expect(page).toHaveURL(/\/contacts\/new/);
  await expect(page.getByRole("textbox", { name: "Email" })).toHaveValue("not-an-address");
  await expect(page.getByLabel("First name")).toHaveValue("Ada");

  // The kept values were for that one answer: a fresh visit starts blank.
  await page.goto("/contacts/new");
  await expect(page.getByRole("button", { name: "Create contact" })).toBeVisible();
  await expect(page.getByLabel("First name")).toHaveValue("");
  await expect(page.locator("#contact-email-error")).toHaveCount(0);
});

test("the lists page goes a page at a time", async ({ page }, testInfo) => {
  await signUp(page, testInfo, uniqueEmail("lists-pages"));
  const names = Array.from({ length: 27 }, (_, i) => `Paged ${String(i + 1).padStart(2, "0")}`);
  for (const name of names) {
    await post(page.request, "/api/lists", { name });
  }

  await page.goto("/lists");
  await ready(page, testInfo);
  const pager = page.getByRole("navigation", { name: "Pages" });
  await expect(page.getByTestId("list-row")).toHaveCount(25);
  await expect(pager).toContainText("Page 1 of 2");
  await pager.getByRole("link", { name: "Next" }).click();
  await expect(page).toHaveURL(/\/lists\?page=2$/);
  await expect(page.getByTestId("list-row")).toHaveCount(2);
  await expect(page.getByTestId("list-row").first()).toContainText(names[25]);
  await expect(pager).toContainText("Page 2 of 2");

  await page.goto("/lists?per_page=10&page=3");
  await expect(page.getByTestId("list-row")).toHaveCount(7);
  await expect(pager).toContainText("Page 3 of 3");
  await expect(pager.getByRole("link", { name: "Previous" })).toHaveAttribute("href", "/lists?page=2&per_page=10");
});
