import { readFileSync, statSync } from "node:fs";
import { test as base, type Page } from "@playwright/test";
import { type RunpodSimulator, startRunpodSimulator } from "@/lib/runpod/simulator";
import { type Credentials, SignUpPage } from "./pages/auth-pages";
import { BoardPage } from "./pages/board-page";
import { DeliveriesPage } from "./pages/deliveries-page";
import { KeysPage, webhookUrlFor } from "./pages/keys-page";
import { SERVER_LOG } from "./support/environment";
import { SIMULATOR_API_KEY } from "./support/runpod";

export { expect } from "@playwright/test";

/** One key of each kind, created on the keys page of the signed-in account. */
export interface AccountKeys {
  apiKey: string;
  apiKeyId: string;
  webhookKey: string;
  webhookKeyId: string;
  /** The webhook URL as the keys page shows it, ready for RunPod's `webhook` field. */
  webhookUrl: string;
}

interface Fixtures {
  /** A RunPod simulator of this test's own, retrying failed webhooks after 500 ms. */
  simulator: RunpodSimulator;
  /** A new account signed up through the UI, with `page` signed in as it. */
  account: Credentials;
  keys: AccountKeys;
  /** A page in a browser context of its own, signed out. */
  visitor: Page;
  board: BoardPage;
  deliveriesPage: DeliveriesPage;
  keysPage: KeysPage;
  /** Attaches the server log lines written during a failed test to its report. */
  serverLogOnFailure: undefined;
}

function logSize(): number {
  try {
    return statSync(SERVER_LOG).size;
  } catch {
    return 0;
  }
}

export const test = base.extend<Fixtures>({
  // biome-ignore lint/correctness/noEmptyPattern: Playwright reads a fixture's dependencies from this pattern.
  simulator: async ({}, use, testInfo) => {
    const lines: string[] = [];
    const simulator = await startRunpodSimulator({
      apiKey: SIMULATOR_API_KEY,
      webhookRetryDelayMs: 500,
      onLog: (line) => lines.push(`${new Date().toISOString()} ${line}`),
    });
    await use(simulator);
    await simulator.close();
    if (testInfo.status !== testInfo.expectedStatus) {
      await testInfo.attach("runpod-simulator.log", {
        body: lines.join("\n"),
        contentType: "text/plain",
      });
    }
  },

  account: async ({ page }, use) => {
    await use(await new SignUpPage(page).signUp());
  },

  keys: async ({ page, account: _account }, use) => {
    const keysPage = new KeysPage(page);
    await keysPage.goto();
    const webhook = await keysPage.createKey("webhook", "e2e webhook");
    const api = await keysPage.createKey("api", "e2e api");
    await use({
      apiKey: api.key,
      apiKeyId: api.keyId,
      webhookKey: webhook.key,
      webhookKeyId: webhook.keyId,
      webhookUrl: webhookUrlFor(webhook.key),
    });
  },

  visitor: async ({ browser }, use) => {
    const context = await browser.newContext();
    await use(await context.newPage());
    await context.close();
  },

  board: async ({ page }, use) => {
    await use(new BoardPage(page));
  },

  deliveriesPage: async ({ page }, use) => {
    await use(new DeliveriesPage(page));
  },

  keysPage: async ({ page }, use) => {
    await use(new KeysPage(page));
  },

  serverLogOnFailure: [
    // biome-ignore lint/correctness/noEmptyPattern: Playwright reads a fixture's dependencies from this pattern.
    async ({}, use, testInfo) => {
      const offset = logSize();
      await use(undefined);
      if (testInfo.status !== testInfo.expectedStatus) {
        const written = logSize() > offset ? readFileSync(SERVER_LOG).subarray(offset) : "";
        await testInfo.attach("next-server.log", {
          body: written.length > 0 ? written : "(nothing logged during this test)",
          contentType: "text/plain",
        });
      }
    },
    { auto: true },
  ],
});
