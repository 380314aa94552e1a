import { expect, test } from "./fixtures";
import { noJs, ready, signUp, uniqueEmail } from "./helpers";

test("create an API token, see it once, then revoke it", async ({ page }, testInfo) => {
  await signUp(page, testInfo, uniqueEmail("tokens"));
  await page.goto("/settings/tokens");
  await ready(page, testInfo);

  const name = `ci-${Date.now()}`;
  await page.getByLabel("Token name").fill(name);
  await page.getByLabel("campaigns:read", { exact: true }).check();
  await page.getByLabel("contacts:write", { exact: true }).check();
  await page.getByLabel("Expires on").fill("2030-12-31");
  await page.getByRole("button", { name: "Create token" }).click();

  const secret = page.getByTestId("secret");
  await expect(secret).toHaveText(/^\S+\|\S+$/);
  // The copy button needs JavaScript, so it only appears once the page is hydrated.
  const copy = page.getByRole("button", { name: "Copy" });
  if (noJs(testInfo)) {
    await expect(copy).toHaveCount(0);
  } else {
    await page.context().grantPermissions(["clipboard-read", "clipboard-write"]);
    await copy.click();
    await expect(page.getByRole("button", { name: "Copied" })).toBeVisible();
  }
  const row = page.getByTestId("token-row").filter({ hasText: name });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText("campaigns:read");
  await expect(row).toContainText("contacts:write");
  await expect(row).toContainText("2030-12-31");

  // Shown once: a reload no longer has it.
  await page.reload();
  await ready(page, testInfo);
  await expect(page.getByTestId("secret")).toHaveCount(0);
  await expect(row).toHaveCount(1);

  await row.getByRole("button", { name: `Revoke ${name}` }).click();
  await expect(page.getByTestId("token-row").filter({ hasText: name })).toHaveCount(0);
});
