import { expect, test } from "./fixtures";
import {
  expectSignedIn,
  lastInvitationUrlFromLog,
  noJs,
  PASSWORD,
  ready,
  signUp,
  uniqueEmail,
} from "./helpers";

test("an admin invites a member, who accepts and is listed with their role", async ({
  page,
  browser,
}, testInfo) => {
  const admin = uniqueEmail("admin");
  const invitee = uniqueEmail("invitee");
  const organization = `Invite Org ${Date.now()}`;
  await signUp(page, testInfo, admin, organization);

  await page.goto("/settings/members");
  await ready(page, testInfo);
  const inviteForm = page.locator("form", {
    has: page.getByRole("button", { name: "Create invitation" }),
  });
  await inviteForm.getByLabel("Email").fill(invitee);
  await inviteForm.getByLabel("Role").selectOption("contributor");
  await inviteForm.getByRole("button", { name: "Create invitation" }).click();

  // The link is shown once on the page, and the server logs the same one.
  const shown = page.getByTestId("secret");
  await expect(shown).toContainText("/invite/");
  const shownUrl = (await shown.textContent())?.trim();
  await expect.poll(() => lastInvitationUrlFromLog()).toBe(shownUrl);
  const acceptUrl = lastInvitationUrlFromLog()!;
  await expect(page.getByTestId("invitation-row").filter({ hasText: invitee })).toHaveCount(1);

  // The invitee opens the link in a browser of their own.
  const context = await browser.newContext({
    baseURL: testInfo.project.use.baseURL,
    javaScriptEnabled: !noJs(testInfo),
    locale: "en-US",
  });
  try {
    const guest = await context.newPage();
    await guest.goto(acceptUrl);
    await ready(guest, testInfo);
    await expect(guest.getByTestId("invite-organization")).toHaveText(organization);
    await expect(guest.getByTestId("invite-role")).toHaveText("Contributor");
    await expect(guest.getByTestId("invite-email")).toHaveText(invitee);
    await guest.getByLabel("Choose a password").fill(PASSWORD);
    await guest.getByRole("button", { name: "Accept invitation" }).click();
    await expectSignedIn(guest, invitee);
    await expect(guest.getByTestId("user-role")).toHaveText("Contributor");

    // Non-admins see the members, without controls.
    await guest.goto("/settings/members");
    await expect(guest.getByTestId("member-row").filter({ hasText: admin })).toHaveCount(1);
    await expect(guest.getByRole("button", { name: /^Remove/ })).toHaveCount(0);
    await expect(guest.getByRole("button", { name: "Create invitation" })).toHaveCount(0);

    // A used link is refused clearly.
    await guest.goto(acceptUrl);
    await expect(guest.getByTestId("invite-invalid")).toBeVisible();
  } finally {
    await context.close();
  }

  await page.goto("/settings/members");
  const row = page.getByTestId("member-row").filter({ hasText: invitee });
  await expect(row).toHaveCount(1);
  await expect(row.getByRole("combobox")).toHaveValue("contributor");
  await expect(page.getByTestId("invitation-row").filter({ hasText: invitee })).toHaveCount(0);
  // The link was shown once: not again.
  await expect(page.getByTestId("secret")).toHaveCount(0);
});
