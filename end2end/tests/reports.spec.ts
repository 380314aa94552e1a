import type { APIRequestContext, Page } from "@playwright/test";
import { expect, test } from "./fixtures";
import { noJs, ready, signUp, uniqueEmail } from "./helpers";

async function call(request: APIRequestContext, method: "post" | "put", path: string, data: unknown): Promise<any> {
  const response = await request[method](path, { data });
  expect(response.ok(), `${path}: ${response.status()} ${await response.text()}`).toBeTruthy();
  return response.json();
}

/** The paths of every request the page makes from now on, and whether any left our origin. */
function watchRequests(page: Page, origin: string): { paths: string[]; foreign: string[] } {
  const seen = { paths: [] as string[], foreign: [] as string[] };
  page.on("request", (r) => {
    const url = new URL(r.url());
    if (url.origin === origin) seen.paths.push(url.pathname);
    else if (url.protocol.startsWith("http")) seen.foreign.push(r.url());
  });
  return seen;
}

test("charts drawn from our own server beside their tables, the campaigns ordered and paged, a campaign's report, the tracking switch", async ({ page, baseURL }, testInfo) => {
  await signUp(page, testInfo, uniqueEmail("reports"));
  const request = page.request;
  // Half the messages fail, every delivered one is opened and clicked.
  await call(request, "put", "/api/channels/email", {
    provider: "simulator",
    settings: { latency_ms: 0, failure_rate: 0.5, open_rate: 1, click_rate: 1 },
  });
  const stamp = Date.now();
  const contacts: string[] = [];
  for (let i = 0; i < 6; i++) {
    const c = await call(request, "post", "/api/contacts", {
      email: `reader${i}-${stamp}@example.org`,
      consents: { email: "granted" },
    });
    contacts.push(c.id);
  }
  const big = await call(request, "post", "/api/lists", { name: `Big ${stamp}` });
  await call(request, "post", `/api/lists/${big.id}/members`, { contact_ids: contacts });
  const small = await call(request, "post", "/api/lists", { name: `Small ${stamp}` });
  await call(request, "post", `/api/lists/${small.id}/members`, { contact_ids: contacts.slice(0, 1) });
  const content = { email: { subject: "Hi", from_name: "Acme", from_email: "news@acme.test", html: "<p><a href=\"https://acme.test/sale\">sale</a></p>" } };
  const campaigns: Record<string, any> = {};
  for (const [name, list, size] of [["Big", big, 6], ["Small", small, 1]] as const) {
    const c = await call(request, "post", "/api/campaigns", { title: `${name} ${stamp}`, channels: ["email"], list_ids: [list.id], content });
    await call(request, "post", `/api/campaigns/${c.id}/send`, {});
    await expect
      .poll(async () => {
        const s = (await (await request.get(`/api/campaigns/${c.id}/stats`)).json()).channels[0];
        return s.delivered + s.failed;
      }, { timeout: 30_000 })
      .toBe(size);
    campaigns[name] = c;
  }

  const seen = watchRequests(page, baseURL!);
  await page.goto("/");
  await ready(page, testInfo);
  // The tables are there with or without JavaScript.
  await expect(page.getByTestId("dashboard-by-channel")).toBeVisible();
  await expect(page.getByTestId("dashboard-mix-email")).toBeAttached();
  const charts = ["by-channel", "mix", "over-time"];
  if (noJs(testInfo)) {
    for (const key of charts) await expect(page.getByTestId(`chart-${key}`).locator(".chart-canvas")).toBeHidden();
    expect(seen.paths).not.toContain("/vendor/echarts.min.js");
  } else {
    for (const key of charts) await expect(page.getByTestId(`chart-${key}`).locator(".chart-canvas svg")).toBeVisible();
    expect(seen.paths).toContain("/vendor/echarts.min.js");
  }
  expect(seen.foreign, "nothing is loaded from elsewhere").toEqual([]);

  // The campaigns' table, by title (the numbers sent depend on which messages fail):
  // first from A, then from Z.
  const rows = page.getByTestId("dashboard-campaign");
  const byTitle = page.getByTestId("dashboard-sort-title");
  await byTitle.click();
  await expect(page).toHaveURL(/sort=title&dir=asc/);
  await expect(rows.first()).toContainText(`Big ${stamp}`);
  await expect(byTitle.locator("xpath=..")).toHaveAttribute("aria-sort", "ascending");
  await byTitle.click();
  await expect(page).toHaveURL(/sort=title&dir=desc/);
  await expect(rows.first()).toContainText(`Small ${stamp}`);
  // Numbers are ordered from the highest on the first click.
  await page.getByTestId("dashboard-sort-sent").click();
  await expect(page).toHaveURL(/sort=sent&dir=desc/);
  await expect(page.getByTestId("dashboard-sort-sent").locator("xpath=..")).toHaveAttribute("aria-sort", "descending");

  // The big campaign's report: the funnel, the failures by reason, its deliveries as CSV.
  const id = campaigns.Big.id;
  const stats = (await (await request.get(`/api/campaigns/${id}/stats`)).json()).channels[0];
  const failures = await (await request.get(`/api/campaigns/${id}/failures`)).json();
  await page.goto(`/campaigns/${id}`);
  await ready(page, testInfo);
  const results = page.getByTestId("engagement");
  await expect(results.getByTestId("engagement-audience")).toHaveText("6");
  await expect(results.getByTestId("engagement-delivered")).toHaveText(String(stats.delivered));
  await expect(results.getByTestId("engagement-clicked")).toHaveText(String(stats.unique_clicks));
  if (stats.failed > 0) {
    const failure = results.getByTestId("engagement-failure");
    await expect(failure).toHaveCount(1);
    await expect(failure.getByTestId("engagement-failure-reason")).toContainText("simulated bounce");
    await expect(failure.getByTestId("engagement-failure-count")).toHaveText(String(failures[0].count));
  }
  if (!noJs(testInfo)) {
    await expect(page.getByTestId("chart-funnel").locator(".chart-canvas svg")).toBeVisible();
  }
  const csvLink = results.getByTestId("engagement-csv");
  await expect(csvLink).toHaveAttribute("href", `/api/campaigns/${id}/deliveries.csv`);
  const csv = await (await request.get(`/api/campaigns/${id}/deliveries.csv`)).text();
  const lines = csv.trim().split("\n");
  expect(lines[0]).toBe("delivery_id,contact_id,channel,status,skip_reason,attempts,provider,error,created_at,sent_at,opened_at,clicked_at");
  expect(lines.length).toBe(7);

  // A page without charts does not load ECharts.
  const later = watchRequests(page, baseURL!);
  await page.goto("/campaigns");
  await ready(page, testInfo);
  expect(later.paths).not.toContain("/vendor/echarts.min.js");

  // The tracking switch, under Settings → Channels.
  await page.goto("/settings/channels");
  await ready(page, testInfo);
  const tracking = page.getByTestId("tracking");
  await expect(tracking.getByTestId("tracking-enabled")).toBeChecked();
  await tracking.getByTestId("tracking-enabled").uncheck();
  await tracking.getByTestId("tracking-save").click();
  await expect(tracking.getByTestId("tracking-state")).toHaveText(/Tracking is off/);
  expect((await (await request.get("/api/organization")).json()).tracking).toBe(false);
  await tracking.getByTestId("tracking-enabled").check();
  await tracking.getByTestId("tracking-save").click();
  await expect(tracking.getByTestId("tracking-state")).toHaveText("Tracking is on.");
  expect((await (await request.get("/api/organization")).json()).tracking).toBe(true);
});
