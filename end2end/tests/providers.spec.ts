import { createECDH, createDecipheriv, createHmac } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { Page, TestInfo } from "@playwright/test";
import { expect, test } from "./fixtures";
import { noJs, ready, signUp, uniqueEmail } from "./helpers";

/** Chooses `provider` for `channel` on Settings → Channels; returns the card. */
async function choose(page: Page, testInfo: TestInfo, channel: string, provider: string) {
  await page.goto("/settings/channels");
  await ready(page, testInfo);
  const card = page.getByTestId(`${channel}-card`);
  await card.getByLabel("Provider", { exact: true }).selectOption(provider);
  await card.getByRole("button", { name: "Use this provider" }).click();
  await expect(page).toHaveURL(new RegExp(`channel=${channel}&provider=${provider}`));
  await ready(page, testInfo);
  return page.getByTestId(`${channel}-card`);
}

async function save(page: Page, channel: string) {
  await page.getByTestId(`${channel}-card`).getByTestId(`${channel}-settings`).getByRole("button", { name: "Save" }).click();
}

async function channels(page: Page): Promise<any[]> {
  return (await page.request.get("/api/channels")).json();
}

function form(page: Page, channel: string) {
  return page.getByTestId(`${channel}-card`).getByTestId(`${channel}-settings`);
}

test("Settings → Channels: SendGrid, Mailgun, Twilio, an HTTP SMS gateway and Web Push, each form checked", async ({
  page,
}, testInfo) => {
  await signUp(page, testInfo, uniqueEmail("providers"));

  await choose(page, testInfo, "email", "sendgrid");
  await form(page, "email").getByLabel("API key").fill("SG.e2e");
  await form(page, "email").getByLabel("API base URL (empty: the provider's)").fill("ftp://nowhere");
  await save(page, "email");
  await expect(page.getByTestId("email-card").locator(".field-error")).toContainText("an http(s) URL");
  await form(page, "email").getByLabel("API key").fill("SG.e2e");
  await form(page, "email").getByLabel("API base URL (empty: the provider's)").fill("");
  await save(page, "email");
  await expect(page.getByTestId("email-card").getByTestId("email-provider")).toHaveText("SendGrid");
  // Secrets are write-only: the API says whether one is set, never what it is.
  let shown = await channels(page);
  expect(shown[0].settings.api_key).toEqual({ set: true });
  expect(JSON.stringify(shown)).not.toContain("SG.e2e");
  expect(shown[0].settings.base_url).toBe("https://api.sendgrid.com");

  await choose(page, testInfo, "email", "mailgun");
  await form(page, "email").getByLabel("API key").fill("key-e2e");
  await form(page, "email").getByLabel("Sending domain").fill("not a domain");
  await save(page, "email");
  await expect(page.getByTestId("email-card").locator(".field-error")).toContainText("your sending domain");
  await form(page, "email").getByLabel("API key").fill("key-e2e");
  await form(page, "email").getByLabel("Sending domain").fill("mg.example.org");
  await form(page, "email").getByLabel("Region").selectOption("eu");
  await save(page, "email");
  await expect(page.getByTestId("email-card").getByTestId("email-provider")).toHaveText("Mailgun");
  shown = await channels(page);
  expect(shown[0].settings).toMatchObject({ domain: "mg.example.org", region: "eu", base_url: "https://api.eu.mailgun.net" });

  await choose(page, testInfo, "sms", "twilio");
  await form(page, "sms").getByLabel("Account SID").fill("AC123");
  await form(page, "sms").getByLabel("Auth token").fill("secret");
  await save(page, "sms");
  await expect(page.getByTestId("sms-card").locator(".field-error").first()).toContainText("AC followed by 32 hexadecimal digits");
  await form(page, "sms").getByLabel("Account SID").fill("AC0123456789abcdef0123456789abcdef");
  await form(page, "sms").getByLabel("Auth token").fill("secret");
  await form(page, "sms").getByLabel("Sender number or id").fill("+15005550006");
  await save(page, "sms");
  await expect(page.getByTestId("sms-card").getByTestId("sms-provider")).toHaveText("Twilio");

  await choose(page, testInfo, "sms", "http_sms");
  await form(page, "sms").getByLabel("Gateway URL").fill("https://sms.example.org/send");
  await form(page, "sms").getByLabel("Body template ({{ to }}, {{ text }}, {{ sender_id }})").fill('{"to": "{{ to }}", "text": {{ text }}}');
  await save(page, "sms");
  await expect(page.getByTestId("sms-card").locator(".field-error")).toContainText("JSON, once the values are in");
  await form(page, "sms").getByLabel("Gateway URL").fill("https://sms.example.org/send");
  await form(page, "sms").getByLabel("Headers (one Name: value per line)").fill("X-Account: 42");
  await form(page, "sms").getByLabel("Secret header name").fill("Authorization");
  await form(page, "sms").getByLabel("Secret header value").fill("Bearer e2e");
  await form(page, "sms").getByLabel("Body template ({{ to }}, {{ text }}, {{ sender_id }})").fill('{"to": "{{ to }}", "text": "{{ text }}"}');
  await save(page, "sms");
  await expect(page.getByTestId("sms-card").getByTestId("sms-provider")).toHaveText("HTTP SMS gateway");
  shown = await channels(page);
  expect(shown[1].settings.secret_header).toEqual({ name: "Authorization", value: { set: true } });
  expect(shown[1].settings.headers).toBe("X-Account: 42");

  await choose(page, testInfo, "push", "webpush");
  await form(page, "push").getByLabel("Contact for push services (mailto: or https:)").fill("ops at example");
  await save(page, "push");
  await expect(page.getByTestId("push-card").locator(".field-error")).toContainText("a mailto: address or an https: URL");
  await form(page, "push").getByLabel("Contact for push services (mailto: or https:)").fill("mailto:ops@example.org");
  await save(page, "push");
  const push = page.getByTestId("push-card");
  await expect(push.getByTestId("push-provider")).toHaveText("Web Push");
  await expect(push.getByTestId("push-public-key")).toHaveText(/^B[A-Za-z0-9_-]{86}$/);
  await expect(push.getByTestId("push-optin-url")).toHaveText(/\/p\/[0-9a-f-]{36}$/);
  await expect(push.getByTestId("push-snippet")).toHaveValue(/<a href=".*\/p\/[0-9a-f-]{36}"/);
});

/** A push service on loopback: keeps what it receives, answers 201. */
async function pushService(): Promise<{ server: Server; url: string; received: { headers: IncomingMessage["headers"]; body: Buffer }[] }> {
  const received: { headers: IncomingMessage["headers"]; body: Buffer }[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (c) => chunks.push(c));
    request.on("end", () => {
      received.push({ headers: request.headers, body: Buffer.concat(chunks) });
      response.writeHead(201, { Location: `/messages/${received.length}` });
      response.end();
    });
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return { server, url: `http://127.0.0.1:${port}`, received };
}

/** RFC 8291 from the receiving end, with the browser's private key and auth secret. */
function decrypt(body: Buffer, privateKey: Buffer, publicKey: Buffer, auth: Buffer): string {
  const salt = body.subarray(0, 16);
  const idLength = body[20];
  const sender = body.subarray(21, 21 + idLength);
  const ciphertext = body.subarray(21 + idLength);
  const ecdh = createECDH("prime256v1");
  ecdh.setPrivateKey(privateKey);
  const secret = ecdh.computeSecret(sender);
  const mac = (key: Buffer, ...parts: Buffer[]) => {
    const h = createHmac("sha256", key);
    for (const p of parts) h.update(p);
    return h.digest();
  };
  const prkKey = mac(auth, secret);
  const ikm = mac(prkKey, Buffer.from("WebPush: info\0"), publicKey, sender, Buffer.from([1]));
  const prk = mac(salt, ikm);
  const cek = mac(prk, Buffer.from("Content-Encoding: aes128gcm\0"), Buffer.from([1])).subarray(0, 16);
  const nonce = mac(prk, Buffer.from("Content-Encoding: nonce\0"), Buffer.from([1])).subarray(0, 12);
  const decipher = createDecipheriv("aes-128-gcm", cek, nonce);
  decipher.setAuthTag(ciphertext.subarray(ciphertext.length - 16));
  const plain = Buffer.concat([decipher.update(ciphertext.subarray(0, ciphertext.length - 16)), decipher.final()]);
  expect(plain[plain.length - 1]).toBe(2);
  return plain.subarray(0, plain.length - 1).toString("utf8");
}

test("the push opt-in page subscribes a browser, and a push campaign reaches it", async ({ page, context, request }, testInfo) => {
  test.skip(noJs(testInfo), "the Push API needs JavaScript");
  const service = await pushService();
  try {
    await signUp(page, testInfo, uniqueEmail("push"));
    const saved = await page.request.put("/api/channels/push", { data: { provider: "webpush", settings: { subject: "mailto:ops@example.org" } } });
    expect(saved.ok(), await saved.text()).toBeTruthy();
    const me = await (await page.request.get("/api/me")).json();
    const organization = me.organization.organization_id;

    // The browser's push service is at the edge of the world: its subscription is made
    // here with real keys (WebCrypto), its endpoint is the push service on loopback.
    await context.grantPermissions(["notifications"]);
    await page.addInitScript((endpoint: string) => {
      const b64 = (bytes: ArrayBuffer) => btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
      PushManager.prototype.subscribe = async function (options?: PushSubscriptionOptionsInit) {
        (window as any).__serverKey = options && options.applicationServerKey ? b64(options.applicationServerKey as ArrayBuffer) : "";
        const pair = await crypto.subtle.generateKey({ name: "ECDH", namedCurve: "P-256" }, true, ["deriveBits"]);
        const raw = await crypto.subtle.exportKey("raw", pair.publicKey);
        const jwk = await crypto.subtle.exportKey("jwk", pair.privateKey);
        const auth = crypto.getRandomValues(new Uint8Array(16));
        const json = { endpoint, expirationTime: null, keys: { p256dh: b64(raw), auth: b64(auth.buffer) } };
        (window as any).__subscription = { d: jwk.d, ...json.keys };
        return { endpoint, toJSON: () => json } as unknown as PushSubscription;
      };
    }, `${service.url}/push/e2e`);

    await page.goto(`/p/${organization}`);
    await page.getByLabel(/Your email address/).fill("reader@example.org");
    await page.getByRole("button", { name: "Turn on notifications" }).click();
    await expect(page.getByRole("status")).toHaveText("Done: this browser will receive our notifications.");
    const keys = await page.evaluate(() => (window as any).__subscription);
    const serverKey = await page.evaluate(() => (window as any).__serverKey);
    const channels = await (await page.request.get("/api/channels")).json();
    expect(serverKey).toBe(channels[2].settings.vapid_public_key);
    const registered = await page.evaluate(async () => (await navigator.serviceWorker.getRegistration("/p/"))?.active?.scriptURL ?? "");
    expect(registered).toMatch(/\/p\/sw\.js$/);

    const found = await (await page.request.get("/api/contacts?q=reader@example.org")).json();
    const contact = found.items[0];
    expect(contact.consents.find((c: any) => c.channel === "push")).toMatchObject({ state: "granted", source: "push_optin" });
    const list = await (await page.request.post("/api/lists", { data: { name: `Browsers ${Date.now()}` } })).json();
    await page.request.post(`/api/lists/${list.id}/members`, { data: { contact_ids: [contact.id] } });
    const campaign = await (
      await page.request.post("/api/campaigns", {
        data: {
          title: `Push ${Date.now()}`,
          channels: ["push"],
          list_ids: [list.id],
          content: { push: { title: "Hello", body: "Our sale starts now", url: "https://example.org/sale", icon: "" } },
        },
      })
    ).json();
    const sent = await page.request.post(`/api/campaigns/${campaign.id}/send`, { data: {} });
    expect(sent.ok(), await sent.text()).toBeTruthy();
    await expect.poll(() => service.received.length, { timeout: 30_000 }).toBe(1);
    const [message] = service.received;
    expect(message.headers["content-encoding"]).toBe("aes128gcm");
    expect(message.headers.authorization).toMatch(/^vapid t=[\w-]+\.[\w-]+\.[\w-]+, k=/);
    const text = decrypt(
      message.body,
      Buffer.from(keys.d, "base64url"),
      Buffer.from(keys.p256dh, "base64url"),
      Buffer.from(keys.auth, "base64url"),
    );
    const shown = JSON.parse(text);
    // The URL is tracked: it leads through Carillon to the campaign's target.
    expect(shown.url).toMatch(/\/t\/c\/[\w-]+$/);
    const hop = await request.get(shown.url, { maxRedirects: 0 });
    expect(hop.status()).toBe(302);
    expect(hop.headers()["location"]).toBe("https://example.org/sale");
    expect({ ...shown, url: "tracked" }).toEqual({ title: "Hello", body: "Our sale starts now", url: "tracked", icon: "" });
  } finally {
    service.server.close();
  }
});
