/**
 * Webhook ingestion benchmark: a production build served by `next start` on PostgreSQL,
 * loaded with autocannon on three routes, written to BENCHMARKS.md.
 *
 *   DATABASE_URL=postgres://chirp:chirp@127.0.0.1:5432/chirp_test npm run bench
 *
 * AUTH_SECRET and CHIRP_KEY_SECRET are used when set, otherwise generated for the run.
 * CHIRP_E2E_SKIP_BUILD=1 reuses the existing build in .next; CHIRP_BENCH_PORT sets the
 * server's port (default 3210).
 */
import path from "node:path";
import { REPO_ROOT } from "../support/next-server";
import {
  BENCH_BASE_URL as BASE_URL,
  BENCH_RATE_LIMIT,
  BENCH_RATE_LIMIT_NOTE,
  buildUnlessSkipped,
  createBenchAccount,
  formatNumber,
  formatSection,
  type LoadAverage,
  type RouteMeasurement as Measurement,
  markdownTable,
  measureRoute,
  median,
  BENCH_PORT as PORT,
  prepareEnvironment,
  publishSection,
  postgresVersion as readPostgresVersion,
  runBenchmark,
  type RouteScenario as Scenario,
  webhookScenarios,
  withBenchServer,
} from "./harness";

// The throughput targets are set for 10 concurrent senders.
const CONNECTIONS = 10;
const WARMUP_SECONDS = 2;
const MEASURE_SECONDS = 8;
// The routes are measured in turn, round after round, so that load from other processes
// on a shared machine falls on every route alike and each round's ratios compare runs
// made seconds apart.
const ROUNDS = 3;
// The build takes a few minutes on 2 cores, and the load about 90 s.
const TIME_LIMIT_MS = 15 * 60_000;

const SECTION_TITLE = "## Webhook ingestion";
const SERVER_LOG = path.join(REPO_ROOT, "test-results", "bench-server.log");
const LOAD = {
  connections: CONNECTIONS,
  warmupSeconds: WARMUP_SECONDS,
  measureSeconds: MEASURE_SECONDS,
  serverLog: SERVER_LOG,
};

/**
 * Renders the section: per route the mean requests/s and median latencies over the
 * rounds, each round's requests/s, and each ratio as the median of the rounds' ratios.
 */
function renderSection(
  scenarios: Scenario[],
  measurements: Measurement[],
  environment: { postgresVersion: string; load: LoadAverage },
): string {
  const byScenario = scenarios.map((scenario) =>
    measurements.filter((measurement) => measurement.scenario === scenario),
  );
  const rows = byScenario.map((rounds, index) => {
    const results = rounds.map((measurement) => measurement.result);
    const total = results.reduce((sum, result) => sum + result.requests.total, 0);
    const mean = results.reduce((sum, result) => sum + result.requests.average, 0) / results.length;
    return [
      scenarios[index]!.label,
      formatNumber(mean),
      formatNumber(median(results.map((result) => result.latency.p50))),
      formatNumber(median(results.map((result) => result.latency.p99))),
      `${scenarios[index]!.expectedStatus} × ${formatNumber(total)}`,
    ];
  });
  const perRound = (index: number) =>
    byScenario[index]!.map((measurement) => measurement.result.requests.average);
  const [bare, webhook, forged] = [perRound(0), perRound(1), perRound(2)];
  const ratios = (route: number[]) => route.map((value, round) => value / bare[round]!);
  const describeRatio = (route: number[]) =>
    `${formatNumber(median(ratios(route)), 2)} (rounds: ${ratios(route)
      .map((ratio) => formatNumber(ratio, 2))
      .join(", ")})`;
  const roundRows = bare.map((_, round) => [
    String(round + 1),
    formatNumber(bare[round]!),
    formatNumber(webhook[round]!),
    formatNumber(forged[round]!),
  ]);
  return formatSection(SECTION_TITLE, environment, [
    `Setup: a production build served by \`next start\` on 127.0.0.1:${PORT} with LOG_LEVEL=warn and the watchdog off, loaded by autocannon on the same machine with ${CONNECTIONS} connections. ${BENCH_RATE_LIMIT_NOTE} The three routes are measured in turn for ${ROUNDS} rounds, each run ${MEASURE_SECONDS} s after a ${WARMUP_SECONDS} s warm-up. Requests/s is autocannon's mean of per-second samples, averaged over the rounds; latencies are the median over the rounds. Every body is a RunPod COMPLETED status object of about 4 KB with a job id of its own, so each accepted webhook creates a card and closes it.`,
    "",
    ...markdownTable(
      ["Route", "Requests/s", "p50 latency (ms)", "p99 latency (ms)", "Responses"],
      ["left", "right", "right", "right", "left"],
      rows,
    ),
    "",
    "Requests/s per round:",
    "",
    ...markdownTable(
      ["Round", "Bare route", "Valid key", "Forged key"],
      ["left", "right", "right", "right"],
      roundRows,
    ),
    "",
    `Median of the rounds' ratios: webhook / bare route ${describeRatio(webhook)}; forged key / bare route ${describeRatio(forged)}.`,
  ]);
}

async function main(): Promise<void> {
  const databaseUrl = prepareEnvironment();
  // Imported after the environment is complete: the logger reads LOG_LEVEL on import.
  const { closeDb, getDb } = await import("@/lib/db/client");
  const { activities } = await import("@/lib/db/schema");
  const { count, eq } = await import("drizzle-orm");

  const { accountId, webhookKey } = await createBenchAccount("bench", BENCH_RATE_LIMIT);
  const postgresVersion = await readPostgresVersion();
  await closeDb();

  await buildUnlessSkipped();

  const scenarios = webhookScenarios(PORT, webhookKey);

  const { results: measurements, load } = await withBenchServer(
    { port: PORT, baseUrl: BASE_URL, logFile: SERVER_LOG, databaseUrl, timeLimitMs: TIME_LIMIT_MS },
    async () => {
      const results: Measurement[] = [];
      for (let round = 1; round <= ROUNDS; round++) {
        console.log(`Round ${round} of ${ROUNDS}`);
        for (const scenario of scenarios) results.push(await measureRoute(scenario, LOAD));
      }
      return results;
    },
  );

  // Every accepted webhook must have left one closed card behind. autocannon stops each run
  // with up to one request per connection in flight, which the server may have handled
  // without autocannon counting the response.
  const accepted = measurements
    .filter((measurement) => measurement.scenario === scenarios[1])
    .reduce((sum, measurement) => sum + (measurement.statusCounts.get(200) ?? 0), 0);
  const uncounted = 2 * CONNECTIONS * ROUNDS;
  const cards = await (await getDb())
    .select({ state: activities.state, cards: count() })
    .from(activities)
    .where(eq(activities.accountId, accountId))
    .groupBy(activities.state);
  await closeDb();
  const completed = cards.find((row) => row.state === "completed")?.cards ?? 0;
  const others = cards.filter((row) => row.state !== "completed");
  if (others.length > 0 || completed < accepted || completed > accepted + uncounted) {
    const found = cards.map((row) => `${row.cards} ${row.state}`).join(", ") || "none";
    throw new Error(
      `${accepted} webhooks were answered 200, so the account should have ${accepted} to ${accepted + uncounted} completed cards and no others; it has ${found}.`,
    );
  }

  const section = renderSection(scenarios, measurements, { postgresVersion, load });
  console.log(`${completed} cards created and closed.`);
  await publishSection(SECTION_TITLE, section);
}

runBenchmark(main);
