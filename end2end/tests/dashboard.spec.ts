import type { APIRequestContext } from "@playwright/test";
import { expect, test } from "./fixtures";
import { ready, signUp, uniqueEmail } from "./helpers";

async function call(request: APIRequestContext, method: "post" | "put", path: string, data: unknown): Promise<any> {
  const response = await request[method](path, { data });
  expect(response.ok(), `${path}: ${response.status()} ${await response.text()}`).toBeTruthy();
  return response.json();
}

test("after a simulated campaign the dashboard shows its totals, its channel and its row", async ({ page }, testInfo) => {
  await signUp(page, testInfo, uniqueEmail("dashboard"));
  const request = page.request;
  // The simulator's people open every message; none fails.
  await call(request, "put", "/api/channels/email", {
    provider: "simulator",
    settings: { latency_ms: 0, failure_rate: 0, open_rate: 1, click_rate: 0 },
  });
  const list = await call(request, "post", "/api/lists", { name: `Readers ${Date.now()}` });
  const ids: string[] = [];
  for (const name of ["Grace", "Alan", "Edsger"]) {
    const contact = await call(request, "post", "/api/contacts", {
      email: `${name.toLowerCase()}-${Date.now()}@example.org`,
      first_name: name,
      consents: { email: "granted" },
    });
    ids.push(contact.id);
  }
  await call(request, "post", `/api/lists/${list.id}/members`, { contact_ids: ids });
  const title = `Promo ${Date.now()}`;
  const campaign = await call(request, "post", "/api/campaigns", {
    title,
    channels: ["email"],
    list_ids: [list.id],
    content: { email: { subject: "Hi", from_name: "Acme", from_email: "news@acme.test", html: "<p>Hello <a href=\"https://acme.test/sale\">sale</a></p>" } },
  });
  await call(request, "post", `/api/campaigns/${campaign.id}/send`, {});
  await expect
    .poll(async () => (await (await request.get(`/api/campaigns/${campaign.id}/stats`)).json()).channels[0].unique_opens, { timeout: 30_000 })
    .toBe(3);

  await page.goto("/");
  await ready(page, testInfo);
  await expect(page.getByRole("heading", { name: "Dashboard", level: 1 })).toBeVisible();
  await expect(page.getByTestId("dashboard-sent")).toHaveText("3");
  await expect(page.getByTestId("dashboard-delivered")).toHaveText("3");
  await expect(page.getByTestId("dashboard-failed")).toHaveText("0");
  await expect(page.getByTestId("dashboard-success-rate")).toHaveText("100%");
  await expect(page.getByTestId("dashboard-opens")).toHaveText("3");
  const email = page.getByTestId("dashboard-channel-email");
  await expect(email.getByRole("cell").first()).toHaveText("3");
  const row = page.getByTestId("dashboard-campaign").filter({ hasText: title });
  await expect(row.getByTestId("campaign-status")).toHaveText("Completed");
  await expect(row.getByTestId("dashboard-campaign-sent")).toHaveText("3");
  await expect(row.getByTestId("dashboard-campaign-opened")).toHaveText("100%");
  await expect(row.getByTestId("dashboard-campaign-failure")).toHaveText("0%");

  // Another period, through the form: a past month holds nothing.
  await page.getByLabel("From").fill("2020-01-01");
  await page.getByLabel("To").fill("2020-01-31");
  await page.getByRole("button", { name: "Show" }).click();
  await expect(page).toHaveURL(/from=2020-01-01/);
  await expect(page.getByTestId("dashboard-sent")).toHaveText("0");
  await expect(page.getByTestId("dashboard-no-campaigns")).toBeVisible();

  // The row leads to its campaign.
  await page.goto("/?days=30");
  await row.getByRole("link", { name: title }).click();
  await expect(page).toHaveURL(new RegExp(`/campaigns/${campaign.id}$`));
  // Its page shows its results.
  const results = page.getByTestId("engagement");
  await expect(results.getByTestId("engagement-sent")).toHaveText("3");
  await expect(results.getByTestId("engagement-opened")).toHaveText("3");
  await expect(results.getByTestId("engagement-open-rate")).toHaveText("100%");
  await expect(results.getByTestId("engagement-clicked")).toHaveText("0");
  await expect(results.getByTestId("engagement-failure-rate")).toHaveText("0%");
});
