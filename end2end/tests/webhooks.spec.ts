import { createHmac } from "node:crypto";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import type { APIRequestContext } from "@playwright/test";
import { expect, test } from "./fixtures";
import { ready, signUp, uniqueEmail } from "./helpers";

type Received = { headers: IncomingHttpHeaders; body: string };

/** An endpoint on loopback that keeps what it receives and answers 204. */
async function receiver(): Promise<{ url: string; got: Received[]; close: () => void }> {
  const got: Received[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      got.push({ headers: req.headers, body });
      res.statusCode = 204;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hooks/carillon`, got, close: () => server.close() };
}

async function call(request: APIRequestContext, method: "post" | "put", path: string, data: unknown): Promise<any> {
  const response = await request[method](path, { data });
  expect(response.ok(), `${path}: ${response.status()} ${await response.text()}`).toBeTruthy();
  return response.json();
}

test("register a webhook endpoint, receive signed events, replay one, disable it", async ({ page }, testInfo) => {
  const hook = await receiver();
  try {
    await signUp(page, testInfo, uniqueEmail("webhooks"));
    await page.goto("/settings/webhooks");
    await ready(page, testInfo);
    await expect(page.getByRole("heading", { name: "Webhooks", level: 2 })).toBeVisible();
    await expect(page.getByTestId("webhooks-empty")).toBeVisible();

    // Refused without an event type, with the reason next to the field.
    await page.getByLabel("URL").fill(hook.url);
    await page.getByRole("button", { name: "Add endpoint" }).click();
    await expect(page.getByText("name at least one event type")).toBeVisible();

    await page.getByLabel("URL").fill(hook.url);
    await page.getByLabel("Description").fill("Our CRM");
    await page.getByLabel("MessageSent", { exact: true }).check();
    await page.getByLabel("CampaignSent", { exact: true }).check();
    await page.getByRole("button", { name: "Add endpoint" }).click();
    const secret = page.getByTestId("secret");
    await expect(secret).toHaveText(/^whsec_[A-Za-z0-9+/=]+$/);
    const key = Buffer.from((await secret.textContent())!.slice("whsec_".length), "base64");
    const row = page.getByTestId("webhook-row").filter({ hasText: hook.url });
    await expect(row).toContainText("Our CRM");
    await expect(row).toContainText("CampaignSent, MessageSent");
    await expect(row.getByTestId("webhook-status")).toContainText("Enabled");

    // A campaign to one person: MessageSent and CampaignSent arrive, signed.
    const request = page.request;
    await call(request, "put", "/api/channels/email", { provider: "simulator", settings: { latency_ms: 0, failure_rate: 0 } });
    const list = await call(request, "post", "/api/lists", { name: `Hooked ${Date.now()}` });
    const contact = await call(request, "post", "/api/contacts", {
      email: `ada-${Date.now()}@example.org`,
      consents: { email: "granted" },
    });
    await call(request, "post", `/api/lists/${list.id}/members`, { contact_ids: [contact.id] });
    const campaign = await call(request, "post", "/api/campaigns", {
      title: `Hooked ${Date.now()}`,
      channels: ["email"],
      list_ids: [list.id],
      content: { email: { subject: "Hi", from_name: "Acme", from_email: "news@acme.test", html: "<p>Hello</p>" } },
    });
    await call(request, "post", `/api/campaigns/${campaign.id}/send`, {});
    await expect.poll(() => hook.got.length, { timeout: 30_000 }).toBe(2);
    for (const r of hook.got) {
      const id = r.headers["webhook-id"] as string;
      const timestamp = r.headers["webhook-timestamp"] as string;
      const expected = createHmac("sha256", key).update(`${id}.${timestamp}.${r.body}`).digest("base64");
      expect(r.headers["webhook-signature"]).toBe(`v1,${expected}`);
      expect(JSON.parse(r.body).data.campaign_id).toBe(campaign.id);
    }
    expect(hook.got.map((r) => JSON.parse(r.body).type).sort()).toEqual(["CampaignSent", "MessageSent"]);

    // Its attempts, and a replay with the same webhook-id.
    await page.goto("/settings/webhooks");
    await ready(page, testInfo);
    await row.getByRole("link", { name: "Attempts" }).click();
    await ready(page, testInfo);
    await expect(page.getByTestId("attempts-url")).toHaveText(hook.url);
    const attempts = page.getByTestId("attempt-row");
    await expect(attempts).toHaveCount(2);
    await expect(attempts.first()).toContainText("Succeeded (204)");
    const firstId = (await attempts.last().locator("code.wrap").textContent())!;
    await attempts.last().getByRole("button", { name: "Replay" }).click();
    await expect.poll(() => hook.got.length, { timeout: 30_000 }).toBe(3);
    expect(hook.got[2].headers["webhook-id"]).toBe(firstId);
    await page.reload();
    await ready(page, testInfo);
    await expect(page.getByTestId("attempt-row")).toHaveCount(3);
    await expect(page.getByTestId("attempt-row").first()).toContainText("Replay");

    // Disabled by hand: the list says so.
    await page.goto("/settings/webhooks");
    await ready(page, testInfo);
    await row.getByRole("button", { name: "Disable" }).click();
    await expect(row.getByTestId("webhook-status")).toContainText("Disabled");
    await expect(page.getByTestId("webhook-disabled")).toBeVisible();
    await row.getByRole("button", { name: "Enable" }).click();
    await expect(row.getByTestId("webhook-status")).toContainText("Enabled");
  } finally {
    hook.close();
  }
});
