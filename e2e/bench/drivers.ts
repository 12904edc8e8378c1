/**
 * Database driver benchmark: the valid-key webhook beside the bare route on each of the
 * three database drivers, in one run: node-postgres and the Neon serverless driver on the
 * PostgreSQL of DATABASE_URL, and PGlite in a data folder of its own. The Neon driver
 * reaches the local PostgreSQL through the WebSocket-to-TCP proxy that the Neon test suite
 * uses, without TLS. Results are written to BENCHMARKS.md.
 *
 * Run it alone, after a build (`npm run build`, or a run of `npm run bench`), with:
 *
 *   DATABASE_URL=postgres://chirp:chirp@127.0.0.1:5432/chirp_test CHIRP_E2E_SKIP_BUILD=1 npx tsx e2e/bench/drivers.ts
 *
 * The servers listen on CHIRP_BENCH_PORT and the two ports above it (default 3210 to
 * 3212), and the proxy on the third port above it.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { startWsProxy } from "@/lib/db/testing/ws-proxy";
import { REPO_ROOT } from "../support/next-server";
import {
  BENCH_PORT,
  BENCH_RATE_LIMIT,
  BENCH_RATE_LIMIT_NOTE,
  type BenchAccount,
  type BenchServerOptions,
  baseUrlOf,
  buildUnlessSkipped,
  completedBody,
  createBenchAccount,
  describeRatios,
  formatNumber,
  formatSection,
  type LoadAverage,
  markdownTable,
  measureRoute,
  median,
  prepareEnvironment,
  publishSection,
  type RouteMeasurement,
  postgresVersion as readPostgresVersion,
  removeBenchAccounts,
  runBenchmark,
  switchDatabase,
  TEN_SENDERS,
  withBenchServers,
} from "./harness";

const SECTION_TITLE = "## Database drivers";
const ROUNDS = 3;
// Three servers start in about a minute, and the load takes about 3 minutes.
const TIME_LIMIT_MS = 12 * 60_000;
const PROXY_PORT = BENCH_PORT + 3;

interface Driver {
  label: string;
  port: number;
  serverLog: string;
  account: BenchAccount;
  server: BenchServerOptions;
}

interface DriverMeasurement {
  driver: Driver;
  route: "bare" | "webhook";
  measurement: RouteMeasurement;
}

function serverLog(name: string): string {
  return path.join(REPO_ROOT, "test-results", `bench-drivers-${name}-server.log`);
}

function renderSection(
  drivers: Driver[],
  measurements: DriverMeasurement[],
  environment: { postgresVersion: string; load: LoadAverage },
): string {
  const rounds = (driver: Driver, route: DriverMeasurement["route"]) =>
    measurements
      .filter((entry) => entry.driver === driver && entry.route === route)
      .map((entry) => entry.measurement.result);
  const nodePostgres = drivers[0]!;

  const rows = drivers.flatMap((driver) =>
    (["bare", "webhook"] as const).map((route) => {
      const results = rounds(driver, route);
      return [
        driver.label,
        route === "bare" ? "`POST /v1/ping` (bare route)" : "`POST /v1/webhooks/runpod`, valid key",
        formatNumber(median(results.map((result) => result.requests.average))),
        formatNumber(median(results.map((result) => result.latency.p50))),
        formatNumber(median(results.map((result) => result.latency.p99))),
        results.map((result) => formatNumber(result.requests.average)).join(", "),
      ];
    }),
  );
  const ratioRows = drivers.map((driver) => {
    const bare = rounds(driver, "bare");
    const webhook = rounds(driver, "webhook");
    const reference = rounds(nodePostgres, "webhook");
    const toBare = describeRatios(
      webhook.map((result, round) => result.requests.average / bare[round]!.requests.average),
    );
    if (driver === nodePostgres) return [driver.label, toBare, "(reference)", "(reference)"];
    return [
      driver.label,
      toBare,
      describeRatios(
        webhook.map(
          (result, round) => result.requests.average / reference[round]!.requests.average,
        ),
      ),
      describeRatios(
        webhook.map((result, round) => result.latency.p99 / reference[round]!.latency.p99),
      ),
    ];
  });

  return formatSection(SECTION_TITLE, environment, [
    `Setup: three production builds served at once by \`next start\` with LOG_LEVEL=warn, one per driver: node-postgres on the PostgreSQL above (port ${drivers[0]!.port}); the Neon serverless driver (CHIRP_DB_DRIVER=neon) on the same PostgreSQL through the WebSocket-to-TCP proxy of the Neon test suite, without TLS, running in the benchmark's own process beside autocannon (port ${drivers[1]!.port}); and PGlite in a new data folder (port ${drivers[2]!.port}). autocannon on the same machine loads each route with ${TEN_SENDERS.connections} connections, ${TEN_SENDERS.measureSeconds} s measured after a ${TEN_SENDERS.warmupSeconds} s warm-up; the drivers and routes take turns for ${ROUNDS} rounds. Each body is the webhook benchmark's COMPLETED status object of about 4 KB with a job id of its own, so each accepted webhook creates a card and closes it. ${BENCH_RATE_LIMIT_NOTE} Every response was 200. Requests/s and latencies are the median over the rounds.`,
    "",
    ...markdownTable(
      [
        "Driver",
        "Route",
        "Requests/s",
        "p50 latency (ms)",
        "p99 latency (ms)",
        "Requests/s per round",
      ],
      ["left", "left", "right", "right", "right", "left"],
      rows,
    ),
    "",
    "Median of the rounds' ratios:",
    "",
    ...markdownTable(
      [
        "Driver",
        "Webhook / bare route, requests/s",
        "Webhook requests/s / node-postgres's",
        "Webhook p99 / node-postgres's",
      ],
      ["left", "right", "right", "right"],
      ratioRows,
    ),
  ]);
}

async function main(): Promise<void> {
  const postgresUrl = prepareEnvironment();
  const { closeDb } = await import("@/lib/db/client");
  const pgliteDataDir = await mkdtemp(path.join(tmpdir(), "chirp-bench-pglite-"));
  const proxy = await startWsProxy(PROXY_PORT);
  const postgresAccounts: BenchAccount[] = [];
  try {
    postgresAccounts.push(await createBenchAccount("bench-node-postgres", BENCH_RATE_LIMIT));
    postgresAccounts.push(await createBenchAccount("bench-neon", BENCH_RATE_LIMIT));
    const postgresVersion = await readPostgresVersion();
    // PGlite allows one process per data folder, so the account is created before the
    // server starts, and the folder is closed again.
    await switchDatabase({
      DATABASE_URL: undefined,
      CHIRP_DB_DRIVER: undefined,
      CHIRP_DATA_DIR: pgliteDataDir,
    });
    const pgliteAccount = await createBenchAccount("bench-pglite", BENCH_RATE_LIMIT);
    await switchDatabase({ DATABASE_URL: postgresUrl, CHIRP_DATA_DIR: undefined });

    const drivers: Driver[] = [
      {
        label: "node-postgres",
        port: BENCH_PORT,
        serverLog: serverLog("node-postgres"),
        account: postgresAccounts[0]!,
        server: { port: BENCH_PORT, logFile: serverLog("node-postgres"), databaseUrl: postgresUrl },
      },
      {
        label: "Neon serverless driver",
        port: BENCH_PORT + 1,
        serverLog: serverLog("neon"),
        account: postgresAccounts[1]!,
        server: {
          port: BENCH_PORT + 1,
          logFile: serverLog("neon"),
          databaseUrl: postgresUrl,
          env: { CHIRP_DB_DRIVER: "neon", CHIRP_NEON_WS_PROXY: proxy.url },
        },
      },
      {
        label: "PGlite",
        port: BENCH_PORT + 2,
        serverLog: serverLog("pglite"),
        account: pgliteAccount,
        server: {
          port: BENCH_PORT + 2,
          logFile: serverLog("pglite"),
          databaseUrl: undefined,
          dataDir: pgliteDataDir,
        },
      },
    ];

    await buildUnlessSkipped();
    const { results, load } = await withBenchServers(
      drivers.map((driver) => driver.server),
      TIME_LIMIT_MS,
      async () => {
        const measurements: DriverMeasurement[] = [];
        for (let round = 1; round <= ROUNDS; round++) {
          console.log(`Round ${round} of ${ROUNDS}`);
          for (const driver of drivers) {
            const baseUrl = baseUrlOf(driver.port);
            const webhookUrl = `${baseUrl}/v1/webhooks/runpod?key=${driver.account.webhookKey}`;
            const load = {
              ...TEN_SENDERS,
              serverLog: driver.serverLog,
            };
            const bare = await measureRoute(
              {
                label: `${driver.label}, bare route`,
                url: `${baseUrl}/v1/ping`,
                expectedStatus: 200,
                body: completedBody(webhookUrl),
              },
              load,
            );
            measurements.push({ driver, route: "bare", measurement: bare });
            const webhook = await measureRoute(
              {
                label: `${driver.label}, valid-key webhook`,
                url: webhookUrl,
                expectedStatus: 200,
                body: completedBody(webhookUrl),
              },
              load,
            );
            measurements.push({ driver, route: "webhook", measurement: webhook });
          }
        }
        return measurements;
      },
    );

    const section = renderSection(drivers, results, { postgresVersion, load });
    await publishSection(SECTION_TITLE, section);
  } finally {
    await switchDatabase({ DATABASE_URL: postgresUrl, CHIRP_DATA_DIR: undefined });
    await removeBenchAccounts(postgresAccounts);
    await closeDb();
    await proxy.close();
    await rm(pgliteDataDir, { recursive: true, force: true });
  }
}

runBenchmark(main);
