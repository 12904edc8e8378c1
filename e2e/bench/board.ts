/**
 * Board benchmark: how long the board takes to load with 100 and with 100,000 cards in
 * the account, how much JavaScript it ships, and how long a webhook takes to change a card
 * on a board open in Chromium. A production build served by `next start` on PostgreSQL;
 * results are written to BENCHMARKS.md.
 *
 *   DATABASE_URL=postgres://chirp:chirp@127.0.0.1:5432/chirp_test npm run bench
 *
 * CHIRP_E2E_SKIP_BUILD=1 reuses the existing build in .next.
 */
import { randomUUID } from "node:crypto";
import path from "node:path";
import { type Browser, chromium } from "@playwright/test";
import { CHROMIUM_ARGS, CHROMIUM_EXECUTABLE } from "../support/chromium";
import { REPO_ROOT } from "../support/next-server";
import {
  type BoardTarget,
  type Load,
  measureLoads,
  recordLiveAt,
  signedInState,
  waitForLive,
} from "./board-load";
import {
  BENCH_BASE_URL as BASE_URL,
  type BenchAccount,
  buildUnlessSkipped,
  createBenchAccount,
  formatNumber,
  formatSection,
  type LoadAverage,
  markdownTable,
  median,
  BENCH_PORT as PORT,
  percentile,
  prepareEnvironment,
  publishSection,
  postgresVersion as readPostgresVersion,
  removeBenchAccounts,
  runBenchmark,
  withBenchServer,
} from "./harness";

const SECTION_TITLE = "## Board";
// Seeding 100,000 cards and the loads take a few minutes on 2 cores.
const TIME_LIMIT_MS = 15 * 60_000;
const SERVER_LOG = path.join(REPO_ROOT, "test-results", "bench-board-server.log");

const ACCOUNT_SIZES = [100, 100_000];
const WARMUP_LOADS = 2;
const MEASURED_LOADS = 10;
const LATENCY_SAMPLES = 100;

interface BoardAccount extends BenchAccount, BoardTarget {
  cards: number;
}

async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  if (!response.ok) {
    throw new Error(`${url} returned ${response.status}: ${(await response.text()).slice(0, 300)}`);
  }
}

interface LatencySample {
  /** From sending the webhook until the card's new state was in the page's DOM. */
  toScreen: number;
  /** From sending the webhook until its response arrived. */
  response: number;
}

/**
 * Opens a card through the activity API, waits for it on the board, then sends its
 * COMPLETED webhook and times how long the card takes to turn completed in the page.
 * Node and Chromium read the same clock, so their `Date.now()` values compare.
 */
async function measureLatency(browser: Browser, account: BoardAccount): Promise<LatencySample[]> {
  const state = await signedInState(browser, account);
  const context = await browser.newContext({ baseURL: BASE_URL, storageState: state });
  await context.addInitScript(recordLiveAt);
  const page = await context.newPage();
  await page.goto("/");
  await waitForLive(page);
  // Records the first moment each card is seen completed; a mutation observer runs right
  // after React commits the change, before the next paint.
  await page.evaluate(() => {
    const completedAt = new Map<string, number>();
    (window as unknown as { chirpCompletedAt: Map<string, number> }).chirpCompletedAt = completedAt;
    new MutationObserver(() => {
      const now = Date.now();
      for (const card of document.querySelectorAll<HTMLElement>(
        '[data-testid="activity-card"][data-state="completed"]',
      )) {
        const key = card.dataset.key;
        if (key && !completedAt.has(key)) completedAt.set(key, now);
      }
    }).observe(document.body, {
      subtree: true,
      childList: true,
      attributes: true,
      attributeFilter: ["data-state"],
    });
  });

  console.log(`Webhook to screen: ${LATENCY_SAMPLES} cards closed one after another`);
  const samples: LatencySample[] = [];
  const webhookUrl = `${BASE_URL}/v1/webhooks/runpod?key=${encodeURIComponent(account.webhookKey)}`;
  for (let i = 0; i < LATENCY_SAMPLES; i++) {
    const jobId = `${randomUUID()}-u1`;
    await post(
      `${BASE_URL}/v1/activity/start`,
      {
        schema_id: "@runpod",
        data: { key: jobId, jobName: "latency probe", endpoint: "latencyprobe01" },
      },
      { authorization: `Bearer ${account.apiKey}` },
    );
    await page.locator(`[data-testid="activity-card"][data-key="${jobId}"]`).waitFor();
    const sentAt = Date.now();
    await post(webhookUrl, { id: jobId, status: "COMPLETED", delayTime: 5, executionTime: 10 });
    const answeredAt = Date.now();
    const completedAt = await page.waitForFunction(
      (key) =>
        (window as unknown as { chirpCompletedAt: Map<string, number> }).chirpCompletedAt.get(key),
      jobId,
      { polling: 10, timeout: 30_000 },
    );
    samples.push({
      toScreen: Number(await completedAt.jsonValue()) - sentAt,
      response: answeredAt - sentAt,
    });
  }
  await context.close();
  return samples;
}

function renderSection(
  loads: Map<BoardAccount, Load[]>,
  latency: LatencySample[],
  environment: { postgresVersion: string; load: LoadAverage },
): string {
  const kib = (bytes: number) => formatNumber(bytes / 1024, 1);
  const loadRows = [...loads].map(([account, samples]) => {
    const pick = (metric: keyof Load) => samples.map((sample) => sample[metric]);
    return [
      formatNumber(account.cards),
      `${formatNumber(median(pick("document")))} / ${formatNumber(Math.max(...pick("document")))}`,
      `${formatNumber(median(pick("domContentLoaded")))} / ${formatNumber(Math.max(...pick("domContentLoaded")))}`,
      `${formatNumber(median(pick("live")))} / ${formatNumber(Math.max(...pick("live")))}`,
      kib(median(pick("htmlBytes"))),
      `${kib(median(pick("scriptBytes")))} (${kib(median(pick("scriptBytesDecoded")))})`,
    ];
  });
  const [small, large] = [...loads.values()].map((samples) =>
    median(samples.map((sample) => sample.document)),
  );
  const toScreen = latency.map((sample) => sample.toScreen);
  const response = latency.map((sample) => sample.response);
  const latencyRow = (label: string, values: number[]) => [
    label,
    formatNumber(percentile(values, 0.5)),
    formatNumber(percentile(values, 0.95)),
    formatNumber(percentile(values, 0.99)),
    formatNumber(Math.max(...values)),
  ];
  return formatSection(SECTION_TITLE, environment, [
    `Setup: a production build served by \`next start\` on ${BASE_URL} with LOG_LEVEL=warn, and Debian's Chromium (headless) on the same machine. Two accounts hold ${ACCOUNT_SIZES.map((size) => formatNumber(size)).join(" and ")} cards (1 in 50 open, 20 endpoints). Each load is a first visit: a new browser context with an empty cache and a signed-in session, ${WARMUP_LOADS} warm-up loads, then ${MEASURED_LOADS} measured, alternating between the accounts. "Live" is when the board has hydrated and its event stream says Live. Sizes are as sent (gzip), with the unpacked size in brackets.`,
    "",
    ...markdownTable(
      [
        "Cards in the account",
        "HTML received (ms, median / max)",
        "DOMContentLoaded (ms)",
        "Live (ms)",
        "HTML (KiB)",
        "JavaScript (KiB)",
      ],
      ["right", "right", "right", "right", "right", "right"],
      loadRows,
    ),
    "",
    `HTML received, ${formatNumber(ACCOUNT_SIZES[1]!)} cards / ${formatNumber(ACCOUNT_SIZES[0]!)} cards: ${formatNumber(large! / small!, 2)}.`,
    "",
    `Webhook to screen: ${LATENCY_SAMPLES} cards opened through the activity API on a board open in Chromium, each closed by a COMPLETED webhook sent after the previous one showed. "To screen" runs from sending the webhook until the card's completed state is in the page's DOM (a mutation observer, read with the same clock as the sender).`,
    "",
    ...markdownTable(
      ["Interval", "p50 (ms)", "p95 (ms)", "p99 (ms)", "max (ms)"],
      ["left", "right", "right", "right", "right"],
      [
        latencyRow("Webhook sent → card completed on screen", toScreen),
        latencyRow("Webhook sent → response received", response),
      ],
    ),
  ]);
}

async function main(): Promise<void> {
  const databaseUrl = prepareEnvironment();
  // Imported after the environment is complete: the logger reads LOG_LEVEL on import.
  const { closeDb } = await import("@/lib/db/client");
  const { seedCards } = await import("@/lib/testing/seed-cards");

  const accounts: BoardAccount[] = [];
  for (const cards of ACCOUNT_SIZES) {
    const account = await createBenchAccount(`bench-board-${cards}`);
    console.log(`Seeding ${formatNumber(cards)} cards for ${account.email} ...`);
    await seedCards(account.accountId, cards);
    accounts.push({
      ...account,
      cards,
      label: `${formatNumber(cards)} cards`,
      baseUrl: BASE_URL,
    });
  }
  const postgresVersion = await readPostgresVersion();
  const removeAccounts = async () => {
    await removeBenchAccounts(accounts);
    await closeDb();
  };

  let measured: {
    results: { loads: Map<BoardAccount, Load[]>; latency: LatencySample[] };
    load: LoadAverage;
  };
  try {
    await buildUnlessSkipped();
    measured = await withBenchServer(
      {
        port: PORT,
        baseUrl: BASE_URL,
        logFile: SERVER_LOG,
        databaseUrl,
        timeLimitMs: TIME_LIMIT_MS,
      },
      async () => {
        const browser = await chromium.launch({
          executablePath: CHROMIUM_EXECUTABLE,
          args: CHROMIUM_ARGS,
        });
        try {
          const loads = await measureLoads(browser, accounts, {
            warmup: WARMUP_LOADS,
            measured: MEASURED_LOADS,
          });
          return { loads, latency: await measureLatency(browser, accounts[0]!) };
        } finally {
          await browser.close();
        }
      },
    );
  } finally {
    await removeAccounts();
  }

  const { results, load } = measured;
  const section = renderSection(results.loads, results.latency, { postgresVersion, load });
  await publishSection(SECTION_TITLE, section);
}

runBenchmark(main);
