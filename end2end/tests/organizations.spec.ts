import { expect, test } from "./fixtures";
import {
  expectSignedIn,
  lastInvitationUrlFromLog,
  PASSWORD,
  ready,
  signUp,
  uniqueEmail,
} from "./helpers";

test("a member of two organizations switches between them", async ({ page, browser }, testInfo) => {
  // Ada has her own organization; Bob invites her into his as a reader.
  const ada = uniqueEmail("ada");
  const adaOrg = `Ada Org ${Date.now()}`;
  const bobOrg = `Bob Org ${Date.now()}`;
  await signUp(page, testInfo, uniqueEmail("bob"), bobOrg);
  await page.goto("/settings/members");
  await ready(page, testInfo);
  const inviteForm = page.locator("form", {
    has: page.getByRole("button", { name: "Create invitation" }),
  });
  await inviteForm.getByLabel("Email").fill(ada);
  await inviteForm.getByLabel("Role").selectOption("reader");
  await inviteForm.getByRole("button", { name: "Create invitation" }).click();
  await expect(page.getByTestId("secret")).toContainText("/invite/");
  const acceptUrl = (await page.getByTestId("secret").textContent())!.trim();
  await expect.poll(() => lastInvitationUrlFromLog()).toBe(acceptUrl);

  const context = await browser.newContext({
    baseURL: testInfo.project.use.baseURL,
    javaScriptEnabled: testInfo.project.use.javaScriptEnabled,
    locale: "en-US",
  });
  try {
    const adaPage = await context.newPage();
    await signUp(adaPage, testInfo, ada, adaOrg);
    // Only one organization yet: no switcher.
    await expect(adaPage.getByLabel("Organization")).toHaveCount(0);

    // An existing account confirms with its password rather than choosing one.
    await adaPage.goto(acceptUrl);
    await ready(adaPage, testInfo);
    await adaPage.getByLabel("Your password").fill(PASSWORD);
    await adaPage.getByRole("button", { name: "Accept invitation" }).click();
    await expectSignedIn(adaPage, ada);

    const switcher = adaPage.getByLabel("Organization");
    await expect(switcher.locator("option")).toHaveCount(2);
    for (const [organization, role] of [
      [adaOrg, "Admin"],
      [bobOrg, "Reader"],
    ]) {
      await ready(adaPage, testInfo);
      await adaPage.getByLabel("Organization").selectOption({ label: organization });
      await adaPage.getByRole("button", { name: "Switch" }).click();
      await expect(adaPage.getByTestId("user-role")).toHaveText(role);
      await expect(adaPage.getByLabel("Organization").locator("option:checked")).toHaveText(organization);
    }
  } finally {
    await context.close();
  }
});
