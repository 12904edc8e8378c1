import type { Locator } from "@playwright/test";
import { expect, test } from "./fixtures";
import { webhookUrlFor } from "./pages/keys-page";
import {
  completedStatusObject,
  newJobId,
  postWebhook,
  startActivity,
  webhookUrl,
} from "./support/chirp-api";
import { BASE_URL } from "./support/environment";

test.describe("keys", () => {
  test("revoked webhook key gets 401 revoked_key", async ({ keys, keysPage }) => {
    const spare = await keysPage.createKey("webhook", "spare webhook");
    await keysPage.revoke(keys.webhookKeyId);

    const rejected = await postWebhook(keys.webhookUrl, completedStatusObject(newJobId()));
    expect(rejected.status).toBe(401);
    expect(rejected.json.error.code).toBe("revoked_key");
    expect(rejected.json.error.message).toContain('"e2e webhook"');
    expect(rejected.json.error.message, "the message never echoes the key").not.toContain(
      keys.webhookKey,
    );

    const accepted = await postWebhook(webhookUrl(spare.key), completedStatusObject(newJobId()));
    expect(accepted.status, "another key of the account still works").toBe(200);

    await keysPage.page.reload();
    await expect(keysPage.row(keys.webhookKeyId)).toContainText("Revoked");
    await expect(keysPage.row(spare.keyId)).toContainText("Active");
  });

  test("new key shows Python and JavaScript setups", async ({ account: _account, keysPage }) => {
    await keysPage.goto();
    const { key } = await keysPage.createKey("api", "setup snippets");
    const page = keysPage.page;

    await page.getByRole("tab", { name: "Python", exact: true }).click();
    const python = page.getByTestId("setup-python");
    await expect(python).toContainText(`CHIRP_API_KEY = "${key}"`);
    await expect(python).toContainText(`CHIRP_BASE_URL = "${BASE_URL}"`);
    await expect(python).toContainText('CHIRP_WEBHOOK_KEY = os.environ["CHIRP_WEBHOOK_KEY"]');

    await page.getByRole("tab", { name: "JavaScript", exact: true }).click();
    const javascript = page.getByTestId("setup-javascript");
    await expect(javascript).toContainText(`const CHIRP_API_KEY = "${key}";`);
    await expect(javascript).toContainText("await fetch(");
  });

  test("demo command copies with both keys", async ({ keys, page }) => {
    await page.context().grantPermissions(["clipboard-read", "clipboard-write"]);
    await page.getByRole("button", { name: "Copy the demo command" }).click();

    const copied = await page.evaluate(() => navigator.clipboard.readText());
    expect(copied).toContain(keys.apiKey);
    expect(copied).toContain(keys.webhookKey);
    expect(copied).toContain("npm run demo");
  });

  test("rejected new key keeps what was typed", async ({ account: _account, keysPage }) => {
    const page = keysPage.page;
    await keysPage.goto();
    await page.getByLabel("Name", { exact: true }).fill("scoped render key");
    await page.getByLabel(/^Endpoints/).fill("isxbq1e254mbjz, NOT-AN-ID");
    await page.getByRole("button", { name: "Create key", exact: true }).click();

    await expect(page.getByRole("alert").filter({ hasText: "NOT-AN-ID" }).first()).toBeVisible();
    await expect(page.getByLabel("Name", { exact: true })).toHaveValue("scoped render key");
    await expect(page.getByLabel(/^Endpoints/)).toHaveValue("isxbq1e254mbjz, NOT-AN-ID");
    await expect(keysPage.newKey).toHaveCount(0);
  });

  test("past expiry is rejected and the corrected date kept", async ({
    account: _account,
    keysPage,
  }) => {
    const page = keysPage.page;
    await keysPage.goto();
    await page.getByLabel("Name", { exact: true }).fill("expiring hook");
    await page.getByLabel("Expiry", { exact: true }).selectOption("custom");
    await page.getByLabel("Expiry date and time").fill("2020-01-01T10:00");
    await page.getByRole("button", { name: "Create key", exact: true }).click();

    await expect(page.getByRole("alert").filter({ hasText: "in the past" }).first()).toBeVisible();
    await expect(page.getByLabel("Expiry", { exact: true }), "the choice survives").toHaveValue(
      "custom",
    );
    await expect(page.getByLabel("Expiry date and time")).toHaveValue("2020-01-01T10:00");

    await page.getByLabel("Expiry date and time").fill("2030-06-01T09:00");
    await page.getByRole("button", { name: "Create key", exact: true }).click();
    await expect(keysPage.newKey).toHaveText(/^chirp_wh_/);
    const keyId = `key_${((await keysPage.newKey.textContent()) ?? "").split("_")[3]}`;
    await expect(keysPage.row(keyId)).toContainText("2030");
  });

  test("new key is shown only once", async ({ keys, keysPage }) => {
    await keysPage.page.reload();
    await expect(keysPage.newKey).toHaveCount(0);

    const row = keysPage.row(keys.apiKeyId);
    await expect(row).toContainText("e2e api");
    await expect(row).toContainText("Active");
    const secret = keys.apiKey.split("_")[4]!;
    await expect(row, "the list shows only the display start").not.toContainText(secret);
    await expect(keysPage.rows).toHaveCount(2);
  });

  test("rerolled webhook key: both values work in the grace period", async ({ keys, keysPage }) => {
    await keysPage.page.reload();
    const rerolled = await keysPage.reroll(keys.webhookKeyId, "1 hour");
    expect(rerolled).not.toBe(keys.webhookKey);
    await expect(keysPage.page.getByText(webhookUrlFor(rerolled)).first()).toBeVisible();

    const withNew = await postWebhook(webhookUrl(rerolled), completedStatusObject(newJobId()));
    expect(withNew.status, "the new value works at once").toBe(200);
    const withOld = await postWebhook(keys.webhookUrl, completedStatusObject(newJobId()));
    expect(withOld.status, "the old value works during the grace period").toBe(200);

    await keysPage.page.reload();
    await expect(keysPage.row(keys.webhookKeyId)).toContainText("Old value valid until");
  });

  test("rerolled API key without grace: old value gets rerolled_key", async ({
    keys,
    keysPage,
  }) => {
    await keysPage.page.reload();
    const rerolled = await keysPage.reroll(keys.apiKeyId, "Stops now");

    const rejected = await startActivity(keys.apiKey, newJobId());
    expect(rejected.status).toBe(401);
    expect(rejected.json.error.code).toBe("rerolled_key");
    expect(rejected.json.error.message).toContain('"e2e api"');
    expect((await startActivity(rerolled, newJobId())).status).toBe(201);

    const row = keysPage.row(keys.apiKeyId);
    await row.getByRole("button", { name: "History", exact: true }).click();
    const history = keysPage.page.getByTestId("key-audit");
    await expect(history).toContainText("Created");
    await expect(history).toContainText("Rerolled");
    await expect(history).toContainText("old value stopped at once");
  });

  test("history names actors in words", async ({ account, keys, keysPage }) => {
    await keysPage.revoke(keys.webhookKeyId);
    expect((await postWebhook(keys.webhookUrl, completedStatusObject(newJobId()))).status).toBe(
      401,
    );

    await keysPage.row(keys.webhookKeyId).getByRole("button", { name: "History" }).click();
    const history = keysPage.page.getByTestId("key-audit");
    const actors = history.getByTestId("audit-actor");
    await expect(actors).toHaveText([account.email, account.email, "request with the key"]);
    await expect(actors.first(), "the raw actor stays at hand").toHaveAttribute(
      "title",
      /^account:acc_\w+$/,
    );
    await expect(history).not.toContainText("account:");
  });

  for (const reducedMotion of ["reduce", "no-preference"] as const) {
    test(`new key scroll with reduced motion ${reducedMotion}`, async ({
      page,
      account: _account,
      keysPage,
    }) => {
      await page.setViewportSize({ width: 375, height: 812 });
      await page.emulateMedia({ reducedMotion });
      await keysPage.goto();
      await page.getByLabel("Name", { exact: true }).fill("motion check");
      await page.evaluate(() => {
        const positions: number[] = [];
        Object.assign(window, { scrollPositions: positions });
        window.addEventListener("scroll", () => positions.push(window.scrollY));
      });
      await page.getByRole("button", { name: "Create key", exact: true }).click();
      await expect(keysPage.newKey).toBeInViewport({ ratio: 1 });

      // Each scroll event records where the page was. A smooth scroll passes through
      // positions between the start and the end, and a scroll at once records only the end.
      const positions = await page.evaluate(
        () => (window as unknown as { scrollPositions: number[] }).scrollPositions,
      );
      expect(positions.length, "the page scrolled to the new key").toBeGreaterThan(0);
      if (reducedMotion === "reduce") {
        expect(new Set(positions).size, "positions passed while scrolling").toBe(1);
      } else {
        expect(new Set(positions).size, "positions passed while scrolling").toBeGreaterThan(1);
      }
    });
  }

  const VIEWPORTS = [
    { width: 1280, height: 800 },
    { width: 375, height: 812 },
  ];
  for (const viewport of VIEWPORTS) {
    test(`new key lands in view, page unshifted at ${viewport.width} px`, async ({
      page,
      account: _account,
      keysPage,
    }) => {
      await page.setViewportSize(viewport);
      await keysPage.goto();
      const createButton = page.getByRole("button", { name: "Create key", exact: true });
      const before = await pagePosition(createButton);

      await keysPage.createKey("webhook", "landing check");
      const toast = page.getByTestId("toast");
      await expect(toast).toContainText("Created webhook key");
      expect(await pagePosition(createButton), "the toast moves the page").toEqual(before);

      const heading = page.getByRole("heading", { name: "New webhook key “landing check”" });
      await expect(heading).toBeFocused();
      await expect(keysPage.newKey).toBeInViewport({ ratio: 1 });
      const copy = keysPage.newKey
        .locator("xpath=..")
        .getByRole("button", { name: "Copy", exact: true });
      await expect(copy).toBeInViewport({ ratio: 1 });
      // Scrolling may still be under way, so the check repeats until the key is clear.
      await expect
        .poll(async () => boxesIntersect((await toast.boundingBox())!, (await copy.boundingBox())!))
        .toBe(false);
      await expect
        .poll(async () =>
          boxesIntersect((await toast.boundingBox())!, (await keysPage.newKey.boundingBox())!),
        )
        .toBe(false);

      await toast.getByRole("button", { name: "Dismiss notification" }).click();
      await expect(toast).toHaveCount(0);
      expect(await pagePosition(createButton), "the dismissed toast moves the page").toEqual(
        before,
      );
    });

    test(`history shows creation detail at ${viewport.width} px`, async ({
      page,
      keys,
      keysPage,
    }) => {
      await page.setViewportSize(viewport);
      await keysPage.goto();
      await keysPage.row(keys.webhookKeyId).getByRole("button", { name: "History" }).click();
      const history = page.getByTestId("key-audit");
      const created = history.getByTestId("audit-event").first();
      await expect(created.getByTestId("audit-action")).toHaveText("Created");
      const detail = created.getByTestId("audit-detail");
      await expect(detail).toHaveText("Webhook key “e2e webhook”, any endpoint, no expiry");

      const detailBox = (await detail.boundingBox())!;
      expect(detailBox.x, "the detail starts on screen").toBeGreaterThanOrEqual(0);
      expect(detailBox.x + detailBox.width, "the detail ends on screen").toBeLessThanOrEqual(
        viewport.width,
      );
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      expect(overflow, "the page scrolls sideways").toBeLessThanOrEqual(0);

      const detailHeader = history.getByRole("columnheader", { name: "Detail" });
      if (viewport.width < 640) {
        await expect(detailHeader, "events stack below the sm breakpoint").toBeHidden();
      } else {
        await expect(detailHeader, "events form a table from sm up").toBeVisible();
      }
    });

    test(`toast leaves the demo command clear at ${viewport.width} px`, async ({
      page,
      account: _account,
      keysPage,
    }) => {
      await page.setViewportSize(viewport);
      await keysPage.goto();
      await keysPage.createKey("webhook", "toast check");
      const toast = page.getByTestId("toast");
      const demo = page.getByTestId("demo-command");
      await expect(toast).toContainText("Created webhook key");
      // The pointer on the toast keeps it open while the page scrolls.
      await toast.hover();

      // As the page is left, then with the command at the bottom, the middle and the top
      // of the part of the screen below the page header.
      const positions = ["as created", "end", "center", "below the header"] as const;
      for (const position of positions) {
        if (position === "below the header") {
          await demo.evaluate((element) => {
            const headerBottom = document.querySelector("header")!.getBoundingClientRect().bottom;
            window.scrollBy(0, element.getBoundingClientRect().top - headerBottom);
          });
        } else if (position !== "as created") {
          await demo.evaluate((element, block) => element.scrollIntoView({ block }), position);
        }
        const toastBox = await toast.boundingBox();
        const demoBox = await demo.boundingBox();
        expect(toastBox, "the toast is shown").not.toBeNull();
        expect(demoBox, "the demo command is shown").not.toBeNull();
        expect(
          boxesIntersect(toastBox!, demoBox!),
          `toast over the demo command (${position})`,
        ).toBe(false);
      }
    });
  }
});

/** Returns an element's position on the page, which scrolling does not change. */
async function pagePosition(locator: Locator): Promise<{ x: number; y: number }> {
  return locator.evaluate((element) => {
    const rect = element.getBoundingClientRect();
    return { x: rect.left + window.scrollX, y: rect.top + window.scrollY };
  });
}

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

function boxesIntersect(a: Box, b: Box): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}
