import type { APIRequestContext } from "@playwright/test";
import { expect, test } from "./fixtures";
import { ready, signUp, uniqueEmail } from "./helpers";
import { readable, smtpServer } from "./smtp";

async function send(request: APIRequestContext, method: "post" | "put", path: string, data: unknown): Promise<any> {
  const response = await request[method](path, { data });
  expect(response.ok(), `${path}: ${response.status()} ${await response.text()}`).toBeTruthy();
  return response.json();
}

test("double opt-in: the list's public form, the confirmation email, its link, and the subscription", async ({
  page,
  browser,
}, testInfo) => {
  const smtp = await smtpServer();
  try {
    await signUp(page, testInfo, uniqueEmail("optin"));
    await send(page.request, "put", "/api/channels/email", {
      provider: "smtp",
      settings: { host: "127.0.0.1", port: smtp.port, security: "none", from_email: "news@acme.test" },
    });
    const list = await send(page.request, "post", "/api/lists", { name: "Weekly news" });

    // The admin opens the form from the list's page.
    await page.goto("/lists");
    await ready(page, testInfo);
    await page.getByRole("link", { name: "Weekly news" }).click();
    await expect(page).toHaveURL(new RegExp(`/lists/${list.id}$`));
    await ready(page, testInfo);
    await expect(page.getByTestId("signup-url")).toHaveCount(0);
    await page.getByLabel("Take sign-ups through the public form").check();
    await page.getByLabel("Consent wording").fill("Yes, send me the weekly news by email.");
    await page.getByRole("button", { name: "Save form settings" }).click();
    const url = page.getByTestId("signup-url");
    await expect(url).toBeVisible();
    const formUrl = (await url.getAttribute("href"))!;
    expect(formUrl).toMatch(new RegExp(`/f/${list.id}$`));
    await expect(page.getByTestId("signup-snippet")).toHaveValue(/<form action="[^"]+\/f\/[0-9a-f-]+" method="post">/);

    // A visitor, signed in nowhere, subscribes.
    const visitor = await browser.newContext({ javaScriptEnabled: false });
    try {
      const guest = await visitor.newPage();
      const email = uniqueEmail("reader");
      await guest.goto(formUrl);
      await expect(guest.getByRole("heading", { level: 1, name: "Weekly news" })).toBeVisible();
      await guest.getByLabel("Email address").fill(email);
      await guest.getByLabel("First name (optional)").fill("Ada");
      await guest.getByLabel("Yes, send me the weekly news by email.").check();
      await guest.getByRole("button", { name: "Subscribe" }).click();
      await expect(guest.getByRole("heading", { level: 1, name: "Check your inbox" })).toBeVisible();

      await expect.poll(() => smtp.messages.length, { timeout: 30_000 }).toBe(1);
      const body = readable(smtp.messages[0]);
      expect(body).toContain(`To: ${email}`);
      const link = body.match(/https?:\/\/[^"<\s]+\/f\/[0-9a-f-]+\/confirm\/[A-Za-z0-9_-]+/)?.[0];
      expect(link, body).toBeTruthy();
      const found = async () =>
        (await (await page.request.get(`/api/contacts?q=${encodeURIComponent(email)}`)).json()).items[0];
      const emailState = (c: any) => c.consents.find((x: any) => x.channel === "email").state;
      expect(emailState(await found())).toBe("unknown");

      await guest.goto(link!);
      await expect(guest.getByRole("heading", { level: 1, name: "Confirm your subscription" })).toBeVisible();
      await guest.getByRole("button", { name: "Yes, subscribe me" }).click();
      await expect(guest.getByRole("heading", { level: 1, name: "Subscription confirmed" })).toBeVisible();
      const subscribed = await found();
      expect(emailState(subscribed)).toBe("granted");
      expect(subscribed.lists.map((l: any) => l.name)).toEqual(["Weekly news"]);

      // The contact's page shows where the consent came from.
      await page.goto(`/contacts/${subscribed.id}`);
      await ready(page, testInfo);
      await expect(page.getByTestId("consent-history")).toContainText("Yes, send me the weekly news by email.");
    } finally {
      await visitor.close();
    }
  } finally {
    smtp.server.close();
  }
});
