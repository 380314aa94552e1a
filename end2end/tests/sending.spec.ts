import type { APIRequestContext } from "@playwright/test";
import { expect, test } from "./fixtures";
import { ready, signUp, uniqueEmail } from "./helpers";

/** POSTs JSON to the REST API with the page's session cookie; returns the JSON body. */
async function post(request: APIRequestContext, path: string, data: unknown): Promise<any> {
  const response = await request.post(path, { data });
  expect(response.ok(), `${path}: ${response.status()} ${await response.text()}`).toBeTruthy();
  return response.json();
}

test("with nothing configured, a campaign goes out on the simulator and the page follows it to completed", async ({
  page,
}, testInfo) => {
  await signUp(page, testInfo, uniqueEmail("sending"));
  const request = page.request;
  const list = await post(request, "/api/lists", { name: `Readers ${Date.now()}` });
  const ids: string[] = [];
  for (const [name, consent] of [
    ["Grace", "granted"],
    ["Alan", "granted"],
    ["Edsger", "withdrawn"],
  ] as const) {
    const contact = await post(request, "/api/contacts", {
      email: `${name.toLowerCase()}-${Date.now()}@example.org`,
      first_name: name,
      consents: { email: consent },
    });
    ids.push(contact.id);
  }
  await post(request, `/api/lists/${list.id}/members`, { contact_ids: ids });
  const campaign = await post(request, "/api/campaigns", {
    title: `Launch ${Date.now()}`,
    channels: ["email"],
    list_ids: [list.id],
    content: {
      email: {
        subject: "Hello {{ first_name }}",
        from_name: "Acme",
        from_email: "news@acme.test",
        html: "<p>Hello {{ first_name }}, we launched.</p>",
      },
    },
  });

  await page.goto(`/campaigns/${campaign.id}`);
  await ready(page, testInfo);
  await expect(page.getByTestId("detail-status")).toHaveText("Draft");
  await page.getByRole("button", { name: "Send now" }).click();

  // Followed live with JavaScript, by refreshes without.
  const progress = page.getByTestId("progress");
  await expect(progress.getByTestId("progress-status")).toHaveText("Completed", { timeout: 30_000 });
  await expect(progress.getByTestId("progress-email-total")).toHaveText("3");
  await expect(progress.getByTestId("progress-email-pending")).toHaveText("0");
  await expect(progress.getByTestId("progress-email-skipped")).toHaveText("1");
  await expect(progress.getByTestId("skipped-no_consent")).toHaveText("1");
  await expect(progress.getByTestId("progress-percent")).toHaveText("100 %");
  await expect(page.getByTestId("detail-status")).toHaveText("Completed");
  // Nothing is left to start or stop.
  await expect(page.getByRole("button", { name: "Send now" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Pause" })).toHaveCount(0);
});

test("Settings → Channels: email switched to SMTP with a bad host fails its test with a readable reason", async ({
  page,
}, testInfo) => {
  await signUp(page, testInfo, uniqueEmail("channels"));
  await page.goto("/settings/channels");
  await ready(page, testInfo);
  const card = page.getByTestId("email-card");
  await expect(card.getByTestId("email-provider")).toHaveText("Simulator (sends nothing)");
  await expect(card.getByTestId("email-simulator-note")).toContainText("sends nothing real");

  await card.getByLabel("Provider").selectOption("smtp");
  await card.getByRole("button", { name: "Use this provider" }).click();
  await expect(page).toHaveURL(/channel=email&provider=smtp/);
  await ready(page, testInfo);

  // A setting that is not what its provider takes is named under its field.
  const settings = page.getByTestId("email-card").getByTestId("email-settings");
  await settings.getByLabel("Host").fill("mail.invalid");
  await settings.getByLabel("Port").fill("not a port");
  await settings.getByRole("button", { name: "Save" }).click();
  await expect(page.getByTestId("email-card").locator(".field-error")).toContainText("a whole number from 1 to 65535");

  await page.getByTestId("email-card").getByTestId("email-settings").getByLabel("Port").fill("2525");
  await page.getByTestId("email-card").getByTestId("email-settings").getByLabel("Host").fill("mail.invalid");
  await page.getByTestId("email-card").getByTestId("email-settings").getByRole("button", { name: "Save" }).click();
  await expect(page.getByTestId("email-card").getByTestId("email-provider")).toHaveText("SMTP server");
  // The password is write-only: never filled in, only said to be set or not.
  await expect(page.getByTestId("email-card").getByLabel("Password")).toHaveValue("");

  await page.getByTestId("email-card").getByLabel("Send a test message to").fill("me@example.org");
  await page.getByTestId("email-card").getByRole("button", { name: "Send a test" }).click();
  const outcome = page.getByTestId("email-test-outcome");
  await expect(outcome).toContainText("Refused for now");
  await expect(outcome).toContainText("cannot resolve `mail.invalid`");
});
