import { expect, test } from "../fixtures";
import { openCard } from "../support/cards";

/**
 * Captures the README's screenshots into public/screenshots: the board with a card in
 * every state, in each presentation, and the detail page's four presentations of one
 * card. Run it with `npm run screenshots`; it is not part of `npm test`, because the
 * images change with every timer tick.
 */

const OUTPUT_DIR = "public/screenshots";

// Realistic names, so the images read like a real board.
const JOBS = [
  ["queued", "sdxl-lighthouse-at-dusk"],
  ["running", "llama-summarize-batch-07"],
  ["completed", "whisper-podcast-episode-112"],
  ["failed", "flux-product-shots-v3"],
  ["timed_out", "upscale-archive-scan-19"],
  ["cancelled", "tts-audiobook-chapter-4"],
] as const;

const PRESENTATIONS = ["lock-screen", "compact", "minimal", "expanded"] as const;

test.use({ viewport: { width: 1200, height: 900 }, colorScheme: "dark" });

test("README screenshots", async ({ board, keys, page }) => {
  test.setTimeout(180_000);
  const jobIds: string[] = [];
  for (const [state, name] of JOBS) jobIds.push(await openCard(keys, state, name));

  for (const presentation of PRESENTATIONS) {
    await board.goto(presentation === "lock-screen" ? "" : `presentation=${presentation}`);
    await expect(board.cards).toHaveCount(JOBS.length);
    await page.locator("ul[data-presentation]").screenshot({
      path: `${OUTPUT_DIR}/board-${presentation}.png`,
      animations: "disabled",
    });
  }

  await page.emulateMedia({ colorScheme: "light" });
  await board.goto();
  await expect(page.locator("html")).toHaveAttribute("data-theme", "light");
  await page.getByRole("main").screenshot({
    path: `${OUTPUT_DIR}/board-light.png`,
    animations: "disabled",
  });

  await page.emulateMedia({ colorScheme: "dark" });
  await board.goto();
  await board
    .card(jobIds[1] ?? "")
    .getByTestId("activity-detail-link")
    .click();
  const presentations = page.getByRole("list", { name: "Presentations of this card" });
  await expect(presentations).toBeVisible();
  await presentations.screenshot({
    path: `${OUTPUT_DIR}/detail-presentations.png`,
    animations: "disabled",
  });
});
