import AxeBuilder from "@axe-core/playwright";
import type { Page } from "@playwright/test";
import { expect, test } from "./fixtures";
import { SignInPage, SignUpPage } from "./pages/auth-pages";
import { DuplicatesPage } from "./pages/duplicates-page";
import { SettingsPage } from "./pages/settings-page";
import { openCardsOfEveryState, openDuplicateCards } from "./support/cards";

/**
 * Runs axe on every page in both themes, on a desktop and at a phone's width, and fails on
 * any violation. The theme follows the emulated system setting, as it does for a visitor
 * who never touched the switch.
 */

const THEMES = ["light", "dark"] as const;
const VIEWPORTS = {
  desktop: { width: 1280, height: 900 },
  phone: { width: 375, height: 812 },
} as const;
const PRESENTATIONS = ["lock-screen", "compact", "minimal", "expanded"] as const;

/** Lists each violation with the selectors of its first nodes, so a failure shows where. */
function describeViolations(violations: Awaited<ReturnType<AxeBuilder["analyze"]>>["violations"]) {
  return violations
    .map((violation) => {
      const nodes = violation.nodes
        .slice(0, 3)
        .map((node) => `    ${node.target.join(" ")}: ${node.failureSummary?.split("\n")[1] ?? ""}`)
        .join("\n");
      return `${violation.id} (${violation.impact}): ${violation.help}\n${nodes}`;
    })
    .join("\n");
}

async function expectAccessible(page: Page, name: string): Promise<void> {
  await page.waitForLoadState("load");
  const results = await new AxeBuilder({ page }).analyze();
  expect(describeViolations(results.violations), `axe violations on ${name}`).toBe("");

  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  expect(overflow, `${name} scrolls sideways by ${overflow} px`).toBeLessThanOrEqual(0);
}

for (const theme of THEMES) {
  for (const [viewportName, viewport] of Object.entries(VIEWPORTS)) {
    test.describe(`accessibility, ${theme} theme, ${viewportName}`, () => {
      test.use({ colorScheme: theme, viewport });

      test("signed-out pages pass axe", async ({ visitor }) => {
        await visitor.emulateMedia({ colorScheme: theme });
        await visitor.setViewportSize(viewport);
        await new SignInPage(visitor).goto();
        await expect(visitor.locator("html")).toHaveAttribute("data-theme", theme);
        await expectAccessible(visitor, "sign-in");
        await new SignUpPage(visitor).goto();
        await expectAccessible(visitor, "sign-up");
      });

      test("dashboard pages pass axe", async ({ board, keys, keysPage, deliveriesPage, page }) => {
        test.setTimeout(240_000);
        await board.goto();
        await expect(page.locator("html")).toHaveAttribute("data-theme", theme);
        await expectAccessible(page, "empty board");

        const jobIds = await openCardsOfEveryState(keys);
        for (const presentation of PRESENTATIONS) {
          await board.goto(`presentation=${presentation}`);
          await expect(board.cards).toHaveCount(6);
          await expectAccessible(page, `board, ${presentation}`);
        }

        await board.goto();
        await board.card(jobIds.running).getByTestId("activity-detail-link").click();
        await expect(page.getByRole("heading", { name: "Activity", exact: true })).toBeVisible();
        await expectAccessible(page, "activity detail");

        await keysPage.goto();
        await expectAccessible(page, "keys");
        await keysPage.row(keys.webhookKeyId).getByRole("button", { name: "History" }).click();
        await expect(page.getByTestId("audit-detail").first()).toBeVisible();
        await expectAccessible(page, "keys, history");
        await deliveriesPage.goto();
        await expectAccessible(page, "deliveries");
        const deliveryId = await deliveriesPage.rows.first().getAttribute("data-delivery-id");
        await deliveriesPage.open(deliveryId ?? "");
        await expectAccessible(page, "delivery");
        await new SettingsPage(page).goto();
        await expectAccessible(page, "settings");

        const duplicates = new DuplicatesPage(page);
        await duplicates.goto();
        await expectAccessible(page, "duplicates, empty");
        await openDuplicateCards(keys);
        await duplicates.goto();
        await expect(duplicates.groups).toHaveCount(1);
        await expectAccessible(page, "duplicates");

        if (viewportName === "phone") {
          await page.getByRole("button", { name: "Menu" }).click();
          await expect(page.getByRole("link", { name: "Keys", exact: true })).toBeVisible();
          await expectAccessible(page, "open menu");
        }
      });
    });
  }
}
