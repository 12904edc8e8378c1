/**
 * Memory benchmark: the resident set size (RSS) and the V8 heap of the server process
 * after 1,000 valid webhook deliveries, and at checkpoints as the deliveries go on to
 * 100,000. A production build served by `next start` on PostgreSQL; results are written
 * to BENCHMARKS.md.
 *
 * Run it alone, after a build (`npm run build`, or a run of `npm run bench`), with:
 *
 *   DATABASE_URL=postgres://chirp:chirp@127.0.0.1:5432/chirp_test CHIRP_E2E_SKIP_BUILD=1 npx tsx e2e/bench/memory.ts
 *
 * The server listens on CHIRP_BENCH_PORT (default 3210), and its Node inspector, which the
 * benchmark reads the heap through, on the port above it.
 */
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import autocannon from "autocannon";
import WebSocket from "ws";
import { REPO_ROOT } from "../support/next-server";
import {
  autocannonOptions,
  BENCH_BASE_URL as BASE_URL,
  BENCH_RATE_LIMIT,
  BENCH_RATE_LIMIT_NOTE,
  buildUnlessSkipped,
  checkStatuses,
  completedBody,
  countStatuses,
  createBenchAccount,
  formatNumber,
  formatSection,
  type LoadAverage,
  markdownTable,
  BENCH_PORT as PORT,
  prepareEnvironment,
  publishSection,
  type RouteScenario,
  postgresVersion as readPostgresVersion,
  removeBenchAccounts,
  runBenchmark,
  TEN_SENDERS,
  withBenchServers,
} from "./harness";

const SECTION_TITLE = "## Server memory";
const SERVER_LOG = path.join(REPO_ROOT, "test-results", "bench-memory-server.log");
/** Deliveries sent in all when RSS is read. The first is the baseline of the ratio. */
const CHECKPOINTS = [
  1_000, 5_000, 10_000, 20_000, 30_000, 40_000, 50_000, 60_000, 70_000, 80_000, 90_000, 100_000,
];
// The pause before each reading lets the requests in flight end and the key use counts,
// written once a second, be flushed. No garbage collection is forced.
const SETTLE_MS = 2000;
// About 300 deliveries/s on 2 cores make 100,000 take about 6 minutes. On a busy machine
// the load stops at the first checkpoint after the sending budget, and the section states it.
const SENDING_BUDGET_MS = 8 * 60_000;
const TIME_LIMIT_MS = 20 * 60_000;
// The server runs with Node's inspector on this loopback port, for the heap's size.
const INSPECTOR_PORT = PORT + 1;

interface MemorySample {
  deliveries: number;
  /** Resident set size and its peak so far, in KiB, from /proc/PID/status. */
  rssKiB: number;
  peakRssKiB: number;
  /** The V8 heap's used and allocated size, in KiB, from the inspector. */
  heapUsedKiB: number;
  heapTotalKiB: number;
  /** Mean requests/s of the load since the previous checkpoint. */
  requestsPerSecond: number;
  elapsedSeconds: number;
}

/**
 * Returns the pid of the process that serves the requests, in the server's process group.
 * Next sets its process title to `next-server`; in Next 16 it is the `next start` process
 * itself, which the search also finds.
 */
async function nextServerPid(groupId: number): Promise<number> {
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = await readFile(`/proc/${entry}/stat`, "utf8");
      // The fields after the command name, which is in brackets and may contain spaces:
      // state, ppid, pgrp.
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[2]) !== groupId) continue;
      const commandLine = await readFile(`/proc/${entry}/cmdline`, "utf8");
      if (commandLine.startsWith("next-server")) return Number(entry);
    } catch {
      // The process ended while the list was read.
    }
  }
  throw new Error(`No next-server process in process group ${groupId}; see ${SERVER_LOG}.`);
}

/** Reads VmRSS and VmHWM (the peak RSS), in KiB, from /proc/PID/status. */
async function readRss(pid: number): Promise<{ rssKiB: number; peakRssKiB: number }> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const field = (name: string) => {
    const match = new RegExp(`^${name}:\\s+(\\d+) kB$`, "m").exec(status);
    if (!match) throw new Error(`/proc/${pid}/status has no ${name} line.`);
    return Number(match[1]);
  };
  return { rssKiB: field("VmRSS"), peakRssKiB: field("VmHWM") };
}

/**
 * Opens a session with the server's V8 inspector, which reads the heap's size without
 * forcing a garbage collection (Chrome DevTools Protocol, `Runtime.getHeapUsage`).
 */
async function openInspector(port: number) {
  const response = await fetch(`http://127.0.0.1:${port}/json/list`);
  const [target] = (await response.json()) as { webSocketDebuggerUrl: string }[];
  if (!target) throw new Error(`The inspector on port ${port} lists no target; see ${SERVER_LOG}.`);
  const socket = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => {
    socket.once("open", resolve);
    socket.once("error", reject);
  });
  let nextId = 1;
  return {
    async readHeap(): Promise<{ heapUsedKiB: number; heapTotalKiB: number }> {
      const id = nextId++;
      const reply = new Promise<{ usedSize: number; totalSize: number }>((resolve) => {
        const onMessage = (data: WebSocket.RawData) => {
          const message = JSON.parse(data.toString()) as { id?: number; result?: unknown };
          if (message.id !== id) return;
          socket.off("message", onMessage);
          resolve(message.result as { usedSize: number; totalSize: number });
        };
        socket.on("message", onMessage);
      });
      socket.send(JSON.stringify({ id, method: "Runtime.getHeapUsage" }));
      const { usedSize, totalSize } = await reply;
      return { heapUsedKiB: usedSize / 1024, heapTotalKiB: totalSize / 1024 };
    },
    close: () => socket.close(),
  };
}

/** Sends the deliveries up to each checkpoint and reads the server's memory there. */
async function measureMemory(scenario: RouteScenario, groupId: number): Promise<MemorySample[]> {
  const pid = await nextServerPid(groupId);
  console.log(`Reading the RSS of next-server, pid ${pid}.`);
  const inspector = await openInspector(INSPECTOR_PORT);
  try {
    return await sendAndRead(scenario, pid, inspector);
  } finally {
    inspector.close();
  }
}

async function sendAndRead(
  scenario: RouteScenario,
  pid: number,
  inspector: Awaited<ReturnType<typeof openInspector>>,
): Promise<MemorySample[]> {
  const samples: MemorySample[] = [];
  const started = Date.now();
  let sent = 0;
  for (const checkpoint of CHECKPOINTS) {
    if (Date.now() - started > SENDING_BUDGET_MS) {
      console.log(
        `Stopping at ${formatNumber(sent)} deliveries: the sending budget of ${SENDING_BUDGET_MS / 60_000} minutes is spent.`,
      );
      break;
    }
    console.log(`Sending deliveries ${formatNumber(sent + 1)} to ${formatNumber(checkpoint)} ...`);
    const result = await autocannon({
      ...autocannonOptions(scenario, TEN_SENDERS.connections),
      amount: checkpoint - sent,
    });
    const statusCounts = new Map<number, number>();
    countStatuses(statusCounts, result);
    checkStatuses(scenario, statusCounts, result, SERVER_LOG);
    const answered = statusCounts.get(scenario.expectedStatus) ?? 0;
    if (answered !== checkpoint - sent) {
      throw new Error(
        `${formatNumber(checkpoint - sent)} deliveries were sent but ${formatNumber(answered)} answered; see ${SERVER_LOG}.`,
      );
    }
    sent = checkpoint;
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    samples.push({
      deliveries: checkpoint,
      ...(await readRss(pid)),
      ...(await inspector.readHeap()),
      requestsPerSecond: result.requests.average,
      elapsedSeconds: (Date.now() - started) / 1000,
    });
    const sample = samples.at(-1)!;
    console.log(
      `  RSS ${formatNumber(sample.rssKiB / 1024, 1)} MiB, heap used ${formatNumber(sample.heapUsedKiB / 1024, 1)} MiB`,
    );
  }
  return samples;
}

function renderSection(
  samples: MemorySample[],
  storedDeliveries: number,
  environment: { postgresVersion: string; load: LoadAverage },
): string {
  const mib = (kib: number) => formatNumber(kib / 1024, 1);
  const first = samples[0]!;
  const last = samples.at(-1)!;
  return formatSection(SECTION_TITLE, environment, [
    `Setup: a production build served by \`next start\` on 127.0.0.1:${PORT} with LOG_LEVEL=warn, started fresh for this run. autocannon on the same machine sends valid-key webhooks with ${TEN_SENDERS.connections} connections, each the webhook benchmark's COMPLETED status object of about 4 KB with a job id of its own, so each creates a card and closes it. The load stops at each checkpoint; ${SETTLE_MS / 1000} s later the benchmark reads VmRSS and VmHWM (the peak RSS so far) of the \`next-server\` process from /proc/PID/status. No garbage collection is forced. ${BENCH_RATE_LIMIT_NOTE} Every response was 200, and the account holds ${formatNumber(storedDeliveries)} stored deliveries afterwards. The server runs with Node's inspector enabled (NODE_OPTIONS=--inspect on a loopback port), and the heap columns are V8's used and allocated heap from the inspector's \`Runtime.getHeapUsage\`, read at the same moments.`,
    "",
    ...markdownTable(
      [
        "Deliveries",
        "RSS (MiB)",
        "Peak RSS (MiB)",
        "Heap used (MiB)",
        "Heap allocated (MiB)",
        "Requests/s since the last row",
        "Elapsed (s)",
      ],
      ["right", "right", "right", "right", "right", "right", "right"],
      samples.map((sample) => [
        formatNumber(sample.deliveries),
        mib(sample.rssKiB),
        mib(sample.peakRssKiB),
        mib(sample.heapUsedKiB),
        mib(sample.heapTotalKiB),
        formatNumber(sample.requestsPerSecond),
        formatNumber(sample.elapsedSeconds),
      ]),
    ),
    "",
    `RSS after ${formatNumber(last.deliveries)} deliveries / after ${formatNumber(first.deliveries)}: ${formatNumber(last.rssKiB / first.rssKiB, 2)} (${formatNumber(last.rssKiB)} KiB / ${formatNumber(first.rssKiB)} KiB). Target: at most 1.2 after ${formatNumber(CHECKPOINTS.at(-1)!)}.`,
    ...(last.deliveries < CHECKPOINTS.at(-1)!
      ? [
          "",
          `The load stopped after ${formatNumber(last.deliveries)} deliveries, short of ${formatNumber(CHECKPOINTS.at(-1)!)}, because the machine was too busy to send them within the sending budget of ${SENDING_BUDGET_MS / 60_000} minutes.`,
        ]
      : []),
  ]);
}

async function main(): Promise<void> {
  const databaseUrl = prepareEnvironment();
  const { closeDb, getDb } = await import("@/lib/db/client");
  const { deliveries } = await import("@/lib/db/schema");
  const { count, eq } = await import("drizzle-orm");

  const account = await createBenchAccount("bench-memory", BENCH_RATE_LIMIT);
  const postgresVersion = await readPostgresVersion();
  await closeDb();
  await buildUnlessSkipped();

  const url = `${BASE_URL}/v1/webhooks/runpod?key=${account.webhookKey}`;
  const scenario: RouteScenario = {
    label: "Valid-key webhook",
    url,
    expectedStatus: 200,
    body: completedBody(url),
  };
  const { results: samples, load } = await withBenchServers(
    [
      {
        port: PORT,
        logFile: SERVER_LOG,
        databaseUrl,
        env: { NODE_OPTIONS: `--inspect=127.0.0.1:${INSPECTOR_PORT}` },
      },
    ],
    TIME_LIMIT_MS,
    (servers) => measureMemory(scenario, servers[0]!.pid),
  );

  const [stored] = await (await getDb())
    .select({ deliveries: count() })
    .from(deliveries)
    .where(eq(deliveries.accountId, account.accountId));
  await removeBenchAccounts([account]);
  await closeDb();
  const sent = samples.at(-1)!.deliveries;
  if (stored!.deliveries !== sent) {
    throw new Error(
      `${formatNumber(sent)} deliveries were answered 200 but the account holds ${formatNumber(stored!.deliveries)}.`,
    );
  }

  const section = renderSection(samples, stored!.deliveries, { postgresVersion, load });
  await publishSection(SECTION_TITLE, section);
}

runBenchmark(main);
