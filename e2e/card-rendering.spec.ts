import type { Locator } from "@playwright/test";
import { expect, test } from "./fixtures";
import { CARD_STATES, type CardState, openCard } from "./support/cards";

const PRESENTATIONS = ["lock-screen", "compact", "minimal", "expanded"] as const;

// The card's colour by state: RunPod purple while open, green COMPLETED, red FAILED and
// TIMED_OUT, orange CANCELLED.
const EXPECTED_COLOR = Object.fromEntries([
  ...["queued", "running"].map((state) => [state, "purple"]),
  ["completed", "green"],
  ...["failed", "timed_out"].map((state) => [state, "red"]),
  ["cancelled", "orange"],
]) as Record<CardState, Color>;

/** The class prefix of each card colour's text and bar, as Tailwind names the palettes. */
type Color = "purple" | "green" | "red" | "orange";

const COLOR_CLASS: Record<Color, RegExp> = {
  purple: /runpod/,
  green: /emerald/,
  red: /red-/,
  orange: /orange/,
};

/** Island sizes in CSS pixels: an iPhone 15 Pro's Dynamic Island in points. */
const ISLAND_SIZES = {
  compact: { width: 250, height: 37 },
  minimal: { width: 37, height: 37 },
  expanded: { width: 371, height: 160 },
} as const;

function statusWord(state: CardState): string {
  return state.toUpperCase();
}

function isOpenState(state: CardState): boolean {
  return state === "queued" || state === "running";
}

/**
 * Returns the parts of a card's descendants that are visible (clipped by every ancestor
 * that hides overflow) yet fall outside the card's own box.
 */
async function overflowingParts(card: Locator): Promise<string[]> {
  return card.evaluate((root) => {
    const box = root.getBoundingClientRect();
    const problems: string[] = [];
    for (const element of root.querySelectorAll("*")) {
      const rect = element.getBoundingClientRect();
      let left = rect.left;
      let right = rect.right;
      let top = rect.top;
      let bottom = rect.bottom;
      for (
        let parent = element.parentElement;
        parent && parent !== root;
        parent = parent.parentElement
      ) {
        const style = getComputedStyle(parent);
        if (style.overflowX !== "visible" || style.overflowY !== "visible") {
          const clip = parent.getBoundingClientRect();
          left = Math.max(left, clip.left);
          right = Math.min(right, clip.right);
          top = Math.max(top, clip.top);
          bottom = Math.min(bottom, clip.bottom);
        }
      }
      const visible = right > left && bottom > top;
      const outside =
        left < box.left - 1 ||
        right > box.right + 1 ||
        top < box.top - 1 ||
        bottom > box.bottom + 1;
      if (visible && outside && !element.classList.contains("sr-only")) {
        problems.push(
          `${element.tagName.toLowerCase()} ${Math.round(left)}..${Math.round(right)} × ${Math.round(top)}..${Math.round(bottom)} outside ${Math.round(box.left)}..${Math.round(box.right)} × ${Math.round(box.top)}..${Math.round(box.bottom)}`,
        );
      }
    }
    return problems;
  });
}

test.describe("card rendering", () => {
  test("each status shows its word and colour", async ({ board, keys }) => {
    test.setTimeout(120_000);
    const jobIds = {} as Record<CardState, string>;
    for (const state of CARD_STATES) jobIds[state] = await openCard(keys, state);

    for (const presentation of PRESENTATIONS) {
      await board.goto(presentation === "lock-screen" ? "" : `presentation=${presentation}`);
      for (const state of CARD_STATES) {
        const where = `${statusWord(state)} in ${presentation}`;
        const color = EXPECTED_COLOR[state];
        const card = board.card(jobIds[state]);
        await expect(card, where).toHaveAttribute("data-presentation", presentation);
        await expect(card, where).toHaveAttribute("data-color", color);

        const name = `e2e-${state}, ${statusWord(state)}`;
        if (presentation === "lock-screen") {
          await expect(card.getByTestId("activity-detail-link"), where).toHaveAccessibleName(name);
          const header = card.getByText(`RunPod · ${statusWord(state)}`, { exact: true });
          await expect(header, where).toHaveClass(COLOR_CLASS[color]);
        } else {
          // Islands are named by the job name, then what they show, with the state word.
          await expect(card, where).toHaveAccessibleName(
            new RegExp(`^e2e-${state}, .*${statusWord(state)}`),
          );
        }

        if (presentation === "compact") {
          const trailing = card.locator('[data-region="trailing"]');
          if (isOpenState(state)) {
            await expect(trailing, `${where} shows the timer`).toHaveText(/^\d+:\d{2}$/);
          } else {
            await expect(trailing, where).toHaveText(statusWord(state));
            await expect(trailing, where).toHaveClass(COLOR_CLASS[color]);
          }
        }
        if (presentation === "minimal") {
          const dot = card.locator('[data-region="dot"]');
          if (isOpenState(state)) {
            await expect(dot, `${where} shows the logo`).toHaveCount(0);
            await expect(card.locator("img")).toHaveCount(1);
          } else {
            await expect(dot, where).toHaveClass(COLOR_CLASS[color]);
          }
        }
        if (presentation === "expanded") {
          const trailing = card.locator('[data-region="trailing"]');
          const word = trailing.getByText(statusWord(state), { exact: true });
          await expect(word, where).toHaveClass(COLOR_CLASS[color]);
          await expect(card.locator('[data-region="center"]'), where).toHaveText(`e2e-${state}`);
        }
      }
    }
  });

  test("long and emoji names stay inside", async ({ board, keys, page }) => {
    test.setTimeout(120_000);
    // A 4 KB name in wide letters, emoji sequences and Arabic.
    const names = {
      wide: "W".repeat(4096),
      emoji: "👩‍👩‍👧‍👦".repeat(18),
      arabic: "مهمة تدريب النموذج على البيانات ".repeat(6).trim(),
    };
    const jobIds: string[] = [];
    for (const name of Object.values(names)) jobIds.push(await openCard(keys, "running", name));
    jobIds.push(await openCard(keys, "failed", "🚀".repeat(100)));

    for (const presentation of PRESENTATIONS) {
      await board.goto(presentation === "lock-screen" ? "" : `presentation=${presentation}`);
      const viewport = page.viewportSize();
      for (const jobId of jobIds) {
        const card = board.card(jobId);
        await expect(card).toHaveAttribute("data-presentation", presentation);
        const box = await card.boundingBox();
        expect(box, presentation).not.toBeNull();
        if (!box || !viewport) continue;
        expect(box.x + box.width, `${presentation} fits the page`).toBeLessThanOrEqual(
          viewport.width,
        );
        if (presentation !== "lock-screen") {
          const size = ISLAND_SIZES[presentation];
          expect(Math.round(box.width), `${presentation} width`).toBe(size.width);
          expect(Math.round(box.height), `${presentation} height`).toBe(size.height);
        }
        expect(await overflowingParts(card), `${presentation} keeps its content inside`).toEqual(
          [],
        );
      }
    }
  });

  test("HTML in a job name is text", async ({ board, keys, page }) => {
    const name = '<script>window.chirpInjected = true</script><b data-e2e="bold">bold</b>';
    const jobId = await openCard(keys, "queued", name);

    for (const presentation of PRESENTATIONS) {
      await board.goto(presentation === "lock-screen" ? "" : `presentation=${presentation}`);
      const card = board.card(jobId);
      await expect(card).toHaveAttribute("data-presentation", presentation);
      await expect(card.locator('[data-e2e="bold"]'), presentation).toHaveCount(0);
      await expect(card.locator("script"), presentation).toHaveCount(0);
      if (presentation === "lock-screen") await expect(card).toContainText(name);
      if (presentation === "expanded") {
        await expect(card.locator('[data-region="center"]')).toHaveText(name);
      }
      if (presentation === "compact" || presentation === "minimal") {
        await expect(card).toHaveAttribute("title", `${name}, QUEUED`);
      }
      const injected = await page.evaluate(
        () => (window as unknown as { chirpInjected?: boolean }).chirpInjected,
      );
      expect(injected, `${presentation} ran no script from the name`).toBeUndefined();
    }
  });
});
