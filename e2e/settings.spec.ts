import { expect, test } from "./fixtures";
import { SignedInLayout, SignInPage } from "./pages/auth-pages";
import { SettingsPage } from "./pages/settings-page";

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
});
