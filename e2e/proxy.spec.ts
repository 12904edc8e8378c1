import { expect, test } from "./fixtures";
import { SettingsPage } from "./pages/settings-page";
import { ENDPOINT_ID, submitThroughProxy } from "./support/chirp-api";
import { SIMULATOR_API_KEY } from "./support/runpod";

test.describe("RunPod submit proxy", () => {
  test("proxied job opens and closes live", async ({ page, board, keys, keysPage }) => {
    const settings = new SettingsPage(page);
    await settings.goto();
    await settings.saveRunpodKey(SIMULATOR_API_KEY, ENDPOINT_ID);
    await expect(settings.runpodConnection).toContainText("Working");

    await board.goto();
    await board.markDocument();
    const submitted = await submitThroughProxy(
      keys.apiKey,
      { input: { prompt: "a lighthouse at dusk", simulate: { queueMs: 1500, runMs: 1500 } } },
      "proxied-render",
    );
    expect(submitted.status).toBe(200);
    expect(submitted.json.status).toBe("IN_QUEUE");
    const jobId = submitted.json.id as string;

    const card = board.card(jobId);
    await expect(card).toBeVisible();
    await expect(card).toContainText("proxied-render");
    await expect(card).toHaveAttribute("data-state", /queued|running/);
    await expect(card).toHaveAttribute("data-state", "completed", { timeout: 20_000 });
    expect(await board.keptDocument(), "the card changed without a reload").toBe(true);

    await keysPage.goto();
    await expect(keysPage.rows.filter({ hasText: "RunPod inspector" })).toHaveCount(1);
  });
});
