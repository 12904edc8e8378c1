import { expect, test } from "./fixtures";
import { SignedInLayout, SignInPage } from "./pages/auth-pages";
import { SettingsPage } from "./pages/settings-page";
import { ENDPOINT_ID } from "./support/chirp-api";
import { SIMULATOR_API_KEY } from "./support/runpod";

const NEW_PASSWORD = "a brand new passphrase";

test.describe("settings", () => {
  test("changed password signs in and old one does not", async ({ page, account }) => {
    await page.getByRole("link", { name: "Settings", exact: true }).click();
    const settings = new SettingsPage(page);
    await expect(page).toHaveURL("/settings");
    await expect(settings.email).toHaveText(account.email);

    await settings.changePassword("not the current password", NEW_PASSWORD);
    await expect(page.getByText("Current password: does not match")).toBeVisible();

    await settings.changePassword(account.password, NEW_PASSWORD, "a different passphrase");
    await expect(page.getByText("Confirm new password: does not match")).toBeVisible();

    await settings.changePassword(account.password, NEW_PASSWORD);
    await expect(settings.confirmation).toBeVisible();

    await new SignedInLayout(page).signOut();
    const signIn = new SignInPage(page);
    await signIn.signIn(account);
    await expect(signIn.alert).toHaveText("Wrong email or password.");

    await signIn.signIn({ email: account.email, password: NEW_PASSWORD });
    await expect(page).toHaveURL("/");
  });

  test("RunPod key is tested, saved unreadable and removed", async ({ page, account }) => {
    const settings = new SettingsPage(page);
    await settings.goto();
    await expect(settings.email).toHaveText(account.email);
    await expect(settings.runpodConnection).toHaveCount(0);

    await settings.saveRunpodKey("rpa_WRONG_KEY_0000", ENDPOINT_ID);
    await expect(page.getByText("RunPod API key: RunPod rejected the API key (401)")).toBeVisible();
    await expect(settings.runpodConnection).toHaveCount(0);

    await settings.saveRunpodKey(SIMULATOR_API_KEY, ENDPOINT_ID);
    await expect(page.getByRole("status")).toHaveText("RunPod accepted the key, and it is saved.");
    await page.reload();
    await expect(settings.runpodConnection).toContainText(
      `ends in …${SIMULATOR_API_KEY.slice(-4)}`,
    );
    await expect(settings.runpodConnection).toContainText("Working");
    expect(await page.content()).not.toContain(SIMULATOR_API_KEY);

    await settings.removeRunpodKey();
    await expect(settings.runpodConnection).toHaveCount(0);
  });
});
