import type { APIRequestContext } from "@playwright/test";
import { expect, test } from "./fixtures";
import { signUp, uniqueEmail } from "./helpers";
import { readable, smtpServer } from "./smtp";

async function send(request: APIRequestContext, method: "post" | "put", path: string, data: unknown): Promise<any> {
  const response = await request[method](path, { data });
  expect(response.ok(), `${path}: ${response.status()} ${await response.text()}`).toBeTruthy();
  return response.json();
}

test("the preference centre of a message: a channel withdrawn, then everything, in one click each", async ({
  page,
}, testInfo) => {
  const smtp = await smtpServer();
  try {
    await signUp(page, testInfo, uniqueEmail("prefs"));
    await send(page.request, "put", "/api/channels/email", {
      provider: "smtp",
      settings: { host: "127.0.0.1", port: smtp.port, security: "none" },
    });
    const contact = await send(page.request, "post", "/api/contacts", {
      email: uniqueEmail("reader"),
      phone: "+33612345678",
      consents: { email: "granted", sms: "granted" },
    });
    const list = await send(page.request, "post", "/api/lists", { name: "Newsletter" });
    await send(page.request, "post", `/api/lists/${list.id}/members`, { contact_ids: [contact.id] });
    const campaign = await send(page.request, "post", "/api/campaigns", {
      title: "Monthly",
      channels: ["email"],
      list_ids: [list.id],
      content: {
        email: {
          subject: "News",
          from_name: "Acme",
          from_email: "news@acme.test",
          html: '<p>News. <a href="{{ preferences_url }}">Your preferences</a></p>',
        },
      },
    });
    await send(page.request, "post", `/api/campaigns/${campaign.id}/send`, {});
    await expect.poll(() => smtp.messages.length, { timeout: 30_000 }).toBe(1);
    const body = readable(smtp.messages[0]);
    const link = body.match(/https?:\/\/[^"<\s]+\/pref\/[A-Za-z0-9_-]+/)?.[0];
    expect(link, body).toBeTruthy();

    await page.goto(link!);
    await expect(page.getByRole("heading", { level: 1, name: "Your preferences" })).toBeVisible();
    await expect(page.getByLabel("Email")).toBeChecked();
    await expect(page.getByLabel("SMS")).toBeChecked();
    await expect(page.getByLabel("Newsletter")).toBeChecked();
    await page.getByLabel("Email").uncheck();
    await page.getByRole("button", { name: "Save" }).click();
    await expect(page.getByRole("status")).toHaveText("Your preferences are saved.");
    await expect(page.getByLabel("Email")).not.toBeChecked();
    await expect(page.getByLabel("SMS")).toBeChecked();
    let saved = await (await page.request.get(`/api/contacts/${contact.id}`)).json();
    const state = (c: any, channel: string) => c.consents.find((x: any) => x.channel === channel).state;
    expect([state(saved, "email"), state(saved, "sms")]).toEqual(["withdrawn", "granted"]);

    await page.getByRole("button", { name: "Unsubscribe from everything" }).click();
    await expect(page.getByRole("status")).toHaveText("Your preferences are saved.");
    await expect(page.getByLabel("SMS")).not.toBeChecked();
    saved = await (await page.request.get(`/api/contacts/${contact.id}`)).json();
    expect([state(saved, "email"), state(saved, "sms")]).toEqual(["withdrawn", "withdrawn"]);
    const history = await (await page.request.get(`/api/contacts/${contact.id}/consents`)).json();
    expect(history.at(-1).source).toBe("preference_centre");

    // An altered link changes nothing and says so.
    await page.goto(link!.slice(0, -1) + (link!.endsWith("A") ? "B" : "A"));
    await expect(page.getByRole("heading", { level: 1, name: "Invalid link" })).toBeVisible();
  } finally {
    smtp.server.close();
  }
});
