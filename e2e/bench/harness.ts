import { randomBytes, randomUUID } from "node:crypto";
import { readFile, rm, writeFile } from "node:fs/promises";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import path from "node:path";
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
/** The benchmarks' server port: CHIRP_BENCH_PORT, or 3210. They run one after the other. */
export const BENCH_PORT = Number(process.env.CHIRP_BENCH_PORT || 3210);
export const BENCH_BASE_URL = `http://${LOOPBACK_HOST}:${BENCH_PORT}`;
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
  return url;
}

/** Runs `next build`, unless CHIRP_E2E_SKIP_BUILD=1 marks the build in .next as current. */
export async function buildUnlessSkipped(): Promise<void> {
  if (process.env.CHIRP_E2E_SKIP_BUILD === "1") {
    console.log("CHIRP_E2E_SKIP_BUILD=1: using the existing build in .next.");
    return;
  }
  console.log(`Building the app with next build (log: ${BUILD_LOG}) ...`);
  await buildApp({ logFile: BUILD_LOG });
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
  measure: () => Promise<T>,
): Promise<{ results: T; load: LoadAverage }> {
  const dataDir = path.join(tmpdir(), `chirp-bench-${randomUUID()}`);
  let server: NextServer | undefined;
  const stop = async () => {
    await server?.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
  const onSignal = (signal: NodeJS.Signals) => {
    console.error(`Received ${signal}, stopping the server.`);
    void stop().finally(() => process.exit(130));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  const timeLimit = setTimeout(() => {
    console.error(`The benchmark did not finish within ${options.timeLimitMs / 60_000} minutes.`);
    void stop().finally(() => process.exit(1));
  }, options.timeLimitMs);
  timeLimit.unref();

  try {
    server = await startNextServer({
      port: options.port,
      logFile: options.logFile,
      env: {
        DATABASE_URL: options.databaseUrl,
        CHIRP_DB_DRIVER: undefined,
        AUTH_SECRET: process.env.AUTH_SECRET,
        CHIRP_KEY_SECRET: process.env.CHIRP_KEY_SECRET,
        CHIRP_BASE_URL: options.baseUrl,
        CHIRP_DATA_DIR: dataDir,
        LOG_LEVEL: "warn",
      },
    });
    console.log(`Serving ${options.baseUrl} (pid ${server.pid}, log: ${options.logFile}).`);
    const before = loadavg()[0]!;
    const results = await measure();
    return { results, load: { before, after: loadavg()[0]! } };
  } finally {
    clearTimeout(timeLimit);
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await stop();
  }
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
