import { randomBytes, randomUUID } from "node:crypto";
import { readFile, rm, writeFile } from "node:fs/promises";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import path from "node:path";
import autocannon, { type Result } from "autocannon";
import {
  buildApp,
  LOOPBACK_HOST,
  type NextServer,
  REPO_ROOT,
  startNextServer,
} from "../support/next-server";

/**
 * What the benchmarks share: the environment, a production server on PostgreSQL, and
 * writing results into BENCHMARKS.md, one section per benchmark.
 */

const BENCH_COMMAND = "DATABASE_URL=postgres://chirp:chirp@127.0.0.1:5432/chirp_test npm run bench";
const NOISE_NOTE =
  "The machine is shared and noisy: compare the ratios within one run, not absolute numbers across runs or machines.";
/**
 * The benchmarks' server port: CHIRP_BENCH_PORT, or 3210. They run one after the other; a
 * benchmark that runs several servers at once uses the ports just above it.
 */
export const BENCH_PORT = Number(process.env.CHIRP_BENCH_PORT || 3210);
export const BENCH_BASE_URL = baseUrlOf(BENCH_PORT);

export function baseUrlOf(port: number): string {
  return `http://${LOOPBACK_HOST}:${port}`;
}
const BUILD_LOG = path.join(REPO_ROOT, "test-results", "bench-build.log");

const BENCHMARKS_FILE = path.join(REPO_ROOT, "BENCHMARKS.md");

export function formatNumber(value: number, digits = 0): string {
  return value.toLocaleString("en-US", {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

/** Renders a Markdown table with padded columns, so that it also reads well as plain text. */
export function markdownTable(
  header: string[],
  alignment: ("left" | "right")[],
  rows: string[][],
): string[] {
  const widths = header.map((title, column) =>
    Math.max(3, title.length, ...rows.map((row) => row[column]!.length)),
  );
  const line = (cells: string[]) =>
    `| ${cells
      .map((cell, column) =>
        alignment[column] === "right"
          ? cell.padStart(widths[column]!)
          : cell.padEnd(widths[column]!),
      )
      .join(" | ")} |`;
  const rule = widths.map((width, column) =>
    alignment[column] === "right" ? `${"-".repeat(width - 1)}:` : "-".repeat(width),
  );
  return [line(header), `| ${rule.join(" | ")} |`, ...rows.map(line)];
}

/** The one-minute load average when the measurements began and when they ended. */
export interface LoadAverage {
  before: number;
  after: number;
}

/** Describes the machine a benchmark ran on, and how busy it was, in one line. */
function machineLine(postgresVersion: string, load: LoadAverage): string {
  const cpuList = cpus();
  return `Machine: ${cpuList.length} cores (${cpuList[0]?.model.trim() ?? "unknown CPU"}), ${formatNumber(totalmem() / 1024 ** 3, 1)} GiB memory, Node ${process.version}, PostgreSQL ${postgresVersion} on the same machine. One-minute load average ${formatNumber(load.before, 1)} when the measurements began and ${formatNumber(load.after, 1)} when they ended.`;
}

/** Returns the value at `fraction` (0 to 1) of the sorted values, by the nearest-rank method. */
export function percentile(values: number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(fraction * sorted.length) - 1)]!;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Describes per-round ratios as their median, followed by each round's ratio. */
export function describeRatios(ratios: number[]): string {
  return `${formatNumber(median(ratios), 2)} (rounds: ${ratios.map((ratio) => formatNumber(ratio, 2)).join(", ")})`;
}

/**
 * Formats a benchmark's section: its title, the date, the command and the machine, then
 * `body`, then a reminder that only ratios within one run compare.
 */
export function formatSection(
  title: string,
  environment: { postgresVersion: string; load: LoadAverage },
  body: string[],
): string {
  return [
    title,
    "",
    `Measured on ${new Date().toISOString().slice(0, 10)} with:`,
    "",
    "```sh",
    BENCH_COMMAND,
    "```",
    "",
    machineLine(environment.postgresVersion, environment.load),
    "",
    ...body,
    "",
    NOISE_NOTE,
    "",
  ].join("\n");
}

/** Replaces the section that starts with `title` in BENCHMARKS.md, keeping every other one. */
export async function writeSection(title: string, section: string): Promise<string> {
  let existing: string;
  try {
    existing = await readFile(BENCHMARKS_FILE, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    existing = "# Benchmarks\n";
  }
  const start = existing.indexOf(`${title}\n`);
  let updated: string;
  if (start === -1) {
    updated = `${existing.trimEnd()}\n\n${section}`;
  } else {
    const next = existing.indexOf("\n## ", start + title.length);
    const rest = next === -1 ? "" : `\n${existing.slice(next + 1)}`;
    updated = `${existing.slice(0, start)}${section}${rest}`;
  }
  await writeFile(BENCHMARKS_FILE, updated);
  return BENCHMARKS_FILE;
}

/** Writes the section into BENCHMARKS.md and prints it. */
export async function publishSection(title: string, section: string): Promise<void> {
  const file = await writeSection(title, section);
  console.log(`\n${section}`);
  console.log(`Results written to ${file}.`);
}

/**
 * Runs a benchmark's `main` and exits: with 0, or with 1 after printing the error and its
 * cause. drizzle reports a failed statement with the database's error as the cause.
 */
export function runBenchmark(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      if (error instanceof Error && error.cause) console.error(error.cause);
      process.exit(1);
    },
  );
}

/**
 * Returns DATABASE_URL, or exits with the command to run when it is missing, because
 * benchmarks run on PostgreSQL. Fills in the server secrets for the run and a quiet log
 * level; call it before importing the app's modules, whose logger reads LOG_LEVEL.
 */
export function prepareEnvironment(): string {
  const url = process.env.DATABASE_URL;
  if (!url) {
    console.error(
      `DATABASE_URL is not set. The benchmark runs on PostgreSQL, so run:\n  ${BENCH_COMMAND}`,
    );
    process.exit(2);
  }
  process.env.AUTH_SECRET ||= randomBytes(32).toString("base64url");
  process.env.CHIRP_KEY_SECRET ||= randomBytes(32).toString("base64url");
  process.env.LOG_LEVEL ||= "warn";
  // The benchmark's own statements seed and delete up to millions of rows, far longer than
  // a request's statement timeout. The servers keep the timeout they would have had.
  serverStatementTimeout = process.env.CHIRP_DB_STATEMENT_TIMEOUT_MS;
  process.env.CHIRP_DB_STATEMENT_TIMEOUT_MS = String(SETUP_STATEMENT_TIMEOUT_MS);
  return url;
}

const SETUP_STATEMENT_TIMEOUT_MS = 15 * 60_000;
let serverStatementTimeout: string | undefined;

/** Runs `next build`, unless CHIRP_E2E_SKIP_BUILD=1 marks the build in .next as current. */
export async function buildUnlessSkipped(): Promise<void> {
  if (process.env.CHIRP_E2E_SKIP_BUILD === "1") {
    console.log("CHIRP_E2E_SKIP_BUILD=1: using the existing build in .next.");
    return;
  }
  console.log(`Building the app with next build (log: ${BUILD_LOG}) ...`);
  await buildApp({ logFile: BUILD_LOG });
}

/** A server for `withBenchServers`. */
export interface BenchServerOptions {
  port: number;
  logFile: string;
  /** The PostgreSQL URL, or undefined for the embedded PGlite database in `dataDir`. */
  databaseUrl: string | undefined;
  /** The server's data folder. By default a new temporary folder, removed afterwards. */
  dataDir?: string;
  /** Further environment variables, such as CHIRP_DB_DRIVER; `undefined` removes one. */
  env?: Record<string, string | undefined>;
}

/**
 * Starts `next start` on PostgreSQL with the run's secrets and a data folder of its own,
 * runs `measure` against it, and stops it afterwards, also on Ctrl-C or when the run
 * takes longer than `timeLimitMs`. Returns what `measure` returned and the load average
 * around it.
 */
export async function withBenchServer<T>(
  options: {
    port: number;
    baseUrl: string;
    logFile: string;
    databaseUrl: string;
    timeLimitMs: number;
  },
  measure: (running: NextServer[]) => Promise<T>,
): Promise<{ results: T; load: LoadAverage }> {
  return withBenchServers([options], options.timeLimitMs, measure);
}

/**
 * Starts a `next start` server for each entry of `servers`, one after the other, with the
 * run's secrets, runs `measure` while they all serve, and stops them afterwards, also on
 * Ctrl-C or when the run takes longer than `timeLimitMs`. Servers started at once let a
 * benchmark alternate between them without waiting for restarts; an idle server only
 * runs its watchdog's query every few seconds. Returns what `measure` returned and the
 * load average around it.
 */
export async function withBenchServers<T>(
  servers: BenchServerOptions[],
  timeLimitMs: number,
  measure: (running: NextServer[]) => Promise<T>,
): Promise<{ results: T; load: LoadAverage }> {
  const running: NextServer[] = [];
  const temporaryFolders: string[] = [];
  const stop = async () => {
    await Promise.all(running.map((server) => server.stop()));
    await Promise.all(
      temporaryFolders.map((folder) => rm(folder, { recursive: true, force: true })),
    );
  };
  const onSignal = (signal: NodeJS.Signals) => {
    console.error(`Received ${signal}, stopping the servers.`);
    void stop().finally(() => process.exit(130));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  const timeLimit = setTimeout(() => {
    console.error(`The benchmark did not finish within ${timeLimitMs / 60_000} minutes.`);
    void stop().finally(() => process.exit(1));
  }, timeLimitMs);
  timeLimit.unref();

  try {
    for (const options of servers) {
      let dataDir = options.dataDir;
      if (dataDir === undefined) {
        dataDir = path.join(tmpdir(), `chirp-bench-${randomUUID()}`);
        temporaryFolders.push(dataDir);
      }
      const server = await startNextServer({
        port: options.port,
        logFile: options.logFile,
        env: {
          DATABASE_URL: options.databaseUrl,
          CHIRP_DB_DRIVER: undefined,
          AUTH_SECRET: process.env.AUTH_SECRET,
          CHIRP_KEY_SECRET: process.env.CHIRP_KEY_SECRET,
          CHIRP_BASE_URL: baseUrlOf(options.port),
          CHIRP_DATA_DIR: dataDir,
          CHIRP_DB_STATEMENT_TIMEOUT_MS: serverStatementTimeout,
          LOG_LEVEL: "warn",
          // The watchdog would poll the open cards that test runs left in a shared database,
          // which is load that no benchmark measures.
          CHIRP_WATCHDOG: "off",
          ...options.env,
        },
      });
      running.push(server);
      console.log(`Serving ${server.url} (pid ${server.pid}, log: ${options.logFile}).`);
    }
    const before = loadavg()[0]!;
    const results = await measure(running);
    return { results, load: { before, after: loadavg()[0]! } };
  } finally {
    clearTimeout(timeLimit);
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await stop();
  }
}

/**
 * Points this process's database client (`getDb()`) at another database: closes the open
 * connection and sets the environment that picks the next one. An undefined value
 * removes the variable.
 */
export async function switchDatabase(env: {
  DATABASE_URL: string | undefined;
  CHIRP_DB_DRIVER?: string;
  CHIRP_DATA_DIR?: string;
}): Promise<void> {
  const { closeDb } = await import("@/lib/db/client");
  await closeDb();
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
}

/**
 * The load of the cost growth, driver and memory benchmarks: ten concurrent senders, as
 * in the product's cost growth target, each run measured for 8 s after a 2 s warm-up.
 */
export const TEN_SENDERS = { connections: 10, warmupSeconds: 2, measureSeconds: 8 };

/**
 * The own rate limit of those benchmarks' webhook keys, above what the server reaches, so
 * that the load measures the server instead of the server's default limit of 300/s.
 */
export const BENCH_RATE_LIMIT = { perSecond: 5_000, burst: 10_000 };
export const BENCH_RATE_LIMIT_NOTE = `The webhook key has a limit of its own of ${formatNumber(BENCH_RATE_LIMIT.perSecond)} requests/s, so the limit rejects nothing.`;

/** An account made for a benchmark, with its password and plaintext keys. */
export interface BenchAccount {
  accountId: string;
  email: string;
  password: string;
  webhookKey: string;
  apiKey: string;
}

/**
 * Creates an account with a webhook key and an API key in the database `getDb()` opens.
 * With `rateLimit`, the webhook key gets that limit of its own, so that a load above the
 * server's default of 300 requests/s measures the server instead of the limit.
 */
export async function createBenchAccount(
  emailPrefix: string,
  rateLimit?: { perSecond: number; burst: number },
): Promise<BenchAccount> {
  const { createAccount } = await import("@/lib/accounts/store");
  const { createKey } = await import("@/lib/keys/store");
  const { setKeyRateLimit } = await import("@/lib/keys/settings");
  const email = `${emailPrefix}-${randomUUID()}@example.test`;
  const password = randomBytes(16).toString("base64url");
  const account = await createAccount({ email, password });
  const actor = "cli";
  const api = await createKey({ accountId: account.id, kind: "api", actor, name: "benchmark" });
  const webhook = await createKey({
    accountId: account.id,
    kind: "webhook",
    actor,
    name: "benchmark",
  });
  if (rateLimit) {
    await setKeyRateLimit({
      accountId: account.id,
      keyId: webhook.record.id,
      limit: rateLimit,
      actor,
    });
  }
  return { accountId: account.id, email, password, webhookKey: webhook.key, apiKey: api.key };
}

/** Deletes benchmark accounts, and with them their keys, cards and deliveries. */
export async function removeBenchAccounts(accounts: Pick<BenchAccount, "accountId">[]) {
  const { getDb } = await import("@/lib/db/client");
  const { sql } = await import("drizzle-orm");
  const db = await getDb();
  for (const account of accounts) {
    await db.execute(sql`delete from accounts where id = ${account.accountId}`);
  }
}

/** Builds a RunPod COMPLETED status object. autocannon replaces `[<id>]` in every request. */
export function completedBody(webhookUrl: string): string {
  return JSON.stringify({
    id: "bench-[<id>]-u1",
    status: "COMPLETED",
    delayTime: 812,
    executionTime: 4210,
    workerId: "benchworker001",
    input: { prompt: "a lighthouse at dusk" },
    output: { images: [randomBytes(3 * 1024).toString("base64")] },
    // RunPod echoes the webhook URL with its key, which Chirp redacts before storing.
    webhook: webhookUrl,
  });
}

/** Replaces one character of the secret part, which breaks the key's signature. */
function forge(key: string): string {
  const parts = key.split("_");
  const secret = parts[4]!;
  parts[4] = `${secret.slice(0, -1)}${secret.endsWith("a") ? "b" : "a"}`;
  return parts.join("_");
}

/**
 * Returns the webhook benchmark's three routes on the server at `port`: the bare route, the webhook
 * with a valid key, and the webhook with a forged one. Each body closes a card of its own.
 */
export function webhookScenarios(port: number, webhookKey: string): RouteScenario[] {
  const baseUrl = baseUrlOf(port);
  const webhookUrl = `${baseUrl}/v1/webhooks/runpod?key=${webhookKey}`;
  const body = completedBody(webhookUrl);
  return [
    {
      label: "`POST /v1/ping` (bare route)",
      url: `${baseUrl}/v1/ping`,
      expectedStatus: 200,
      body,
    },
    {
      label: "`POST /v1/webhooks/runpod`, valid key",
      url: webhookUrl,
      expectedStatus: 200,
      body,
    },
    {
      label: "`POST /v1/webhooks/runpod`, forged key",
      url: `${baseUrl}/v1/webhooks/runpod?key=${forge(webhookKey)}`,
      expectedStatus: 401,
      body,
    },
  ];
}

/** A route loaded by autocannon with one request body. */
export interface RouteScenario {
  label: string;
  url: string;
  /** The status of every response. Any other status fails the run. */
  expectedStatus: number;
  body: string;
}

export interface RouteMeasurement {
  scenario: RouteScenario;
  result: Result;
  /** Responses per status code, warm-up included, for the card count check. */
  statusCounts: Map<number, number>;
}

/** The shape of the load: concurrent connections and the seconds of each phase. */
export interface LoadShape {
  connections: number;
  warmupSeconds: number;
  measureSeconds: number;
  /** The server's log, named in the error when a response is unexpected. */
  serverLog: string;
}

/**
 * Returns the autocannon options that POST the scenario's body, each request with an id of
 * its own.
 * A response may take up to 30 s, three times autocannon's default, because one timeout
 * ends the whole benchmark, and a busy shared machine can stall a request for seconds.
 */
export function autocannonOptions(scenario: RouteScenario, connections: number) {
  return {
    url: scenario.url,
    method: "POST" as const,
    connections,
    timeout: 30,
    headers: { "content-type": "application/json" },
    body: scenario.body,
    idReplacement: true,
  };
}

export function countStatuses(into: Map<number, number>, result: Result): void {
  for (const [status, { count }] of Object.entries(result.statusCodeStats)) {
    into.set(Number(status), (into.get(Number(status)) ?? 0) + count);
  }
}

/** Throws when a response had another status than expected, or a connection failed. */
export function checkStatuses(
  scenario: RouteScenario,
  statusCounts: Map<number, number>,
  result: Result,
  serverLog: string,
): void {
  const unexpected = [...statusCounts].filter(([status]) => status !== scenario.expectedStatus);
  if (unexpected.length > 0 || result.errors > 0) {
    const found = [...statusCounts].map(([status, count]) => `${status} × ${count}`).join(", ");
    throw new Error(
      `${scenario.label}: expected only ${scenario.expectedStatus} responses, got ${found} and ${result.errors} connection errors (${result.timeouts} timeouts); see ${serverLog}.`,
    );
  }
}

/** Loads one route for a warm-up, then for the measured run, and checks every status. */
export async function measureRoute(
  scenario: RouteScenario,
  load: LoadShape,
): Promise<RouteMeasurement> {
  const options = autocannonOptions(scenario, load.connections);
  const statusCounts = new Map<number, number>();
  console.log(
    `${scenario.label}: ${load.warmupSeconds} s warm-up, then ${load.measureSeconds} s measured`,
  );
  countStatuses(statusCounts, await autocannon({ ...options, duration: load.warmupSeconds }));
  const result = await autocannon({ ...options, duration: load.measureSeconds });
  countStatuses(statusCounts, result);
  checkStatuses(scenario, statusCounts, result, load.serverLog);
  return { scenario, result, statusCounts };
}

/** The server version, read through the app's own database client. */
export async function postgresVersion(): Promise<string> {
  const { getDb } = await import("@/lib/db/client");
  const { sql } = await import("drizzle-orm");
  // The node-postgres driver returns pg's QueryResult, which has the values in `rows`.
  const version = (await (await getDb()).execute(sql`show server_version`)) as unknown as {
    rows: { server_version: string }[];
  };
  return version.rows[0]?.server_version ?? "unknown";
}
