import type { Browser, Page } from "@playwright/test";
import { formatNumber } from "./harness";

/**
 * The board's first load as a benchmark measures it, in Chromium: how long a first visit
 * takes until the HTML arrived, until DOMContentLoaded and until the board is live.
 */

export interface Load {
  /** Milliseconds from navigation start until the whole HTML document arrived. */
  document: number;
  domContentLoaded: number;
  /** Until the board has hydrated and its live stream is connected. */
  live: number;
  htmlBytes: number;
  scriptBytes: number;
  scriptBytesDecoded: number;
}

/** A board to load: an account that can sign in on a server. */
export interface BoardTarget {
  /** Names the board in the progress output. */
  label: string;
  baseUrl: string;
  email: string;
  password: string;
}

export type SignedInState = Awaited<ReturnType<typeof signedInState>>;

export async function signedInState(browser: Browser, target: BoardTarget) {
  const context = await browser.newContext({ baseURL: target.baseUrl });
  const page = await context.newPage();
  await page.goto("/sign-in");
  await page.getByLabel("Email", { exact: true }).fill(target.email);
  await page.getByLabel("Password", { exact: true }).fill(target.password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.waitForURL(`${target.baseUrl}/`);
  const state = await context.storageState();
  await context.close();
  return state;
}

/**
 * Records in `window.chirpLiveAt` when the live status first shows "Live". Runs in the
 * page before its own scripts, as a mutation observer, so the time does not depend on
 * how often the benchmark polls.
 */
export function recordLiveAt(): void {
  const record = window as unknown as { chirpLiveAt?: number };
  const observer = new MutationObserver(() => {
    const status = document.querySelector('[data-testid="live-status"]');
    if (status?.textContent?.includes("Live")) {
      record.chirpLiveAt = performance.now();
      observer.disconnect();
    }
  });
  observer.observe(document, { subtree: true, childList: true, characterData: true });
}

export async function waitForLive(page: Page): Promise<void> {
  await page.waitForFunction(
    () => (window as unknown as { chirpLiveAt?: number }).chirpLiveAt !== undefined,
    undefined,
    { timeout: 30_000 },
  );
}

/** Loads the board in a fresh context, so the browser cache is empty as on a first visit. */
async function loadBoard(browser: Browser, baseUrl: string, state: SignedInState) {
  const context = await browser.newContext({ baseURL: baseUrl, storageState: state });
  await context.addInitScript(recordLiveAt);
  const page = await context.newPage();
  try {
    await page.goto("/", { waitUntil: "load" });
    await page.locator('[data-testid="activity-card"]').first().waitFor();
    await waitForLive(page);
    return await page.evaluate((): Load => {
      const [navigation] = performance.getEntriesByType(
        "navigation",
      ) as PerformanceNavigationTiming[];
      // No helper functions in here: tsx would wrap them in a `__name` call the page lacks.
      const scripts = new Map<string, PerformanceResourceTiming>();
      for (const entry of performance.getEntriesByType("resource") as PerformanceResourceTiming[]) {
        if (new URL(entry.name).pathname.endsWith(".js")) scripts.set(entry.name, entry);
      }
      let scriptBytes = 0;
      let scriptBytesDecoded = 0;
      for (const entry of scripts.values()) {
        scriptBytes += entry.encodedBodySize;
        scriptBytesDecoded += entry.decodedBodySize;
      }
      return {
        document: navigation!.responseEnd,
        domContentLoaded: navigation!.domContentLoadedEventEnd,
        live: (window as unknown as { chirpLiveAt: number }).chirpLiveAt,
        htmlBytes: navigation!.encodedBodySize,
        scriptBytes,
        scriptBytesDecoded,
      };
    });
  } finally {
    await context.close();
  }
}

/**
 * Loads each target's board in turn, so that every target meets the same moments of a
 * noisy machine: warm-up loads first, then the measured ones, alternating targets.
 */
export async function measureLoads<T extends BoardTarget>(
  browser: Browser,
  targets: T[],
  counts: { warmup: number; measured: number },
): Promise<Map<T, Load[]>> {
  const states = new Map<T, SignedInState>();
  for (const target of targets) states.set(target, await signedInState(browser, target));
  console.log(
    `Board of ${targets.map((target) => target.label).join(" and ")}: ${formatNumber(counts.warmup)} warm-up loads each, then ${formatNumber(counts.measured)} measured, alternating`,
  );
  for (let i = 0; i < counts.warmup; i++) {
    for (const [target, state] of states) await loadBoard(browser, target.baseUrl, state);
  }
  const loads = new Map<T, Load[]>(targets.map((target) => [target, []]));
  for (let i = 0; i < counts.measured; i++) {
    for (const [target, state] of states) {
      loads.get(target)!.push(await loadBoard(browser, target.baseUrl, state));
    }
  }
  return loads;
}
