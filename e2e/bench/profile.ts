/**
 * Where each route's CPU time goes: the webhook benchmark's three routes, each loaded by
 * autocannon while V8's sampling profiler runs in the server, with every sample counted in
 * the part of the stack its function comes from. It explains the gap between the webhook
 * and the bare route that the throughput ratios show.
 *
 *   DATABASE_URL=postgres://chirp:chirp@127.0.0.1:5432/chirp_test npm run bench:profile
 *
 * It also runs as part of `npm run bench`. The server listens for the inspector on
 * 127.0.0.1 at the bench port + 100 (CHIRP_BENCH_PORT, default 3210).
 */
import { writeFile } from "node:fs/promises";
import path from "node:path";
import autocannon from "autocannon";
import { REPO_ROOT } from "../support/next-server";
import {
  type CpuProfile,
  connectProfiler,
  type StackPart,
  stackParts,
  timeByPart,
  topFunctions,
} from "./cpu-profile";
import {
  autocannonOptions,
  BENCH_RATE_LIMIT,
  buildUnlessSkipped,
  checkStatuses,
  countStatuses,
  createBenchAccount,
  formatNumber,
  formatSection,
  markdownTable,
  BENCH_PORT as PORT,
  prepareEnvironment,
  publishSection,
  type RouteScenario,
  postgresVersion as readPostgresVersion,
  runBenchmark,
  webhookScenarios,
  withBenchServers,
} from "./harness";

const CONNECTIONS = 10;
const WARMUP_SECONDS = 3;
const MEASURE_SECONDS = 8;
const SAMPLING_INTERVAL_MICROS = 200;
const INSPECTOR_PORT = PORT + 100;
const TIME_LIMIT_MS = 15 * 60_000;
const SECTION_TITLE = "## Where a request's CPU time goes";
const SERVER_LOG = path.join(REPO_ROOT, "test-results", "bench-profile-server.log");
const PROFILE_FOLDER = path.join(REPO_ROOT, "test-results");

interface RouteProfile {
  scenario: RouteScenario;
  requests: number;
  profile: CpuProfile;
}

/** Loads a route for a warm-up, then profiles the server during the measured run. */
async function profileRoute(
  scenario: RouteScenario,
  profiler: Awaited<ReturnType<typeof connectProfiler>>,
): Promise<RouteProfile> {
  const options = autocannonOptions(scenario, CONNECTIONS);
  const statusCounts = new Map<number, number>();
  console.log(`${scenario.label}: ${WARMUP_SECONDS} s warm-up, then ${MEASURE_SECONDS} s profiled`);
  countStatuses(statusCounts, await autocannon({ ...options, duration: WARMUP_SECONDS }));
  await profiler.start(SAMPLING_INTERVAL_MICROS);
  const result = await autocannon({ ...options, duration: MEASURE_SECONDS });
  const profile = await profiler.stop();
  countStatuses(statusCounts, result);
  checkStatuses(scenario, statusCounts, result, SERVER_LOG);
  const slug = scenario.label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
  const file = path.join(PROFILE_FOLDER, `bench-profile-${slug}.cpuprofile`);
  await writeFile(file, JSON.stringify(profile));
  console.log(`Profile written to ${file}; Chrome DevTools and speedscope open it.`);
  return { scenario, requests: result.requests.total, profile };
}

const micros = (value: number) => formatNumber(value);

function renderSection(
  routes: RouteProfile[],
  environment: Parameters<typeof formatSection>[1],
): string {
  const perRequest = routes.map((route) => {
    const parts = timeByPart(route.profile);
    return new Map([...parts].map(([part, time]) => [part, time / route.requests]));
  });
  const busy = perRequest.map((parts) =>
    [...parts].filter(([part]) => part !== "idle").reduce((sum, [, time]) => sum + time, 0),
  );
  const parts = (Object.keys(stackParts) as StackPart[]).filter((part) =>
    perRequest.some((route) => (route.get(part) ?? 0) >= 0.5),
  );
  const rows = parts.map((part) => [
    stackParts[part],
    ...perRequest.map((route) => micros(route.get(part) ?? 0)),
  ]);
  rows.push(["**CPU in total (all rows but idle)**", ...busy.map((time) => `**${micros(time)}**`)]);

  const [bare, valid, forged] = [0, 1, 2].map((index) => ({
    parts: perRequest[index]!,
    busy: busy[index]!,
  })) as [
    { parts: Map<StackPart, number>; busy: number },
    ...{ parts: Map<StackPart, number>; busy: number }[],
  ];
  const extra = (route: typeof bare, part: StackPart) =>
    (route.parts.get(part) ?? 0) - (bare.parts.get(part) ?? 0);
  const database = (route: typeof bare) => extra(route, "drizzle") + extra(route, "postgres");
  const share = (part: number, whole: number) => `${formatNumber((100 * part) / whole)}%`;
  const validExtra = valid!.busy - bare.busy;
  const forgedExtra = forged!.busy - bare.busy;

  const topChirp = (index: number) =>
    topFunctions(routes[index]!.profile, "chirp", 6).map(
      ({ name, micros: time }) => `${name}: ${micros(time / routes[index]!.requests)} µs`,
    );

  return formatSection(SECTION_TITLE, environment, [
    `Setup: the routes of "Webhook ingestion", each loaded by autocannon with ${CONNECTIONS} connections for a ${WARMUP_SECONDS} s warm-up and then ${MEASURE_SECONDS} s while V8's sampling profiler runs in the server (one sample every ${SAMPLING_INTERVAL_MICROS} µs, through the inspector). Each sample is counted in the part of the stack its function comes from, found through the build's source maps; the table divides each part's time by the requests answered while profiling. A sampling profiler slows the server a little, so these are shares, not the throughput figures.`,
    "",
    "Microseconds per request:",
    "",
    ...markdownTable(
      ["Part of the stack", ...routes.map((route) => route.scenario.label)],
      ["left", "right", "right", "right"],
      rows,
    ),
    "",
    `- The valid-key webhook uses ${micros(validExtra)} µs more CPU per request than the bare route (${micros(valid!.busy)} against ${micros(bare.busy)}). Of the extra, drizzle-orm and node-postgres take ${micros(database(valid!))} µs (${share(database(valid!), validExtra)}), Chirp's own code ${micros(extra(valid!, "chirp"))} µs (${share(extra(valid!, "chirp"), validExtra)}), and Next.js, Node.js and the rest of the server the remainder. Its idle time is waiting for the database: each delivery makes its statements one after the other, and an account's deliveries commit in turn behind its event lock.`,
    `- The forged key uses ${micros(Math.abs(forgedExtra))} µs ${forgedExtra >= 0 ? "more" : "less"} CPU per request than the bare route (${share(Math.abs(forgedExtra), bare.busy)} of the bare route's CPU). Chirp's own code, which reads the key from the URL, checks its signature and builds the 401, takes ${micros(extra(forged!, "chirp"))} µs.`,
    "",
    `Chirp's functions with the most time per request, valid key: ${topChirp(1).join("; ")}.`,
    "",
    `Forged key: ${topChirp(2).join("; ")}.`,
  ]);
}

async function main(): Promise<void> {
  const databaseUrl = prepareEnvironment();
  const { closeDb } = await import("@/lib/db/client");
  const account = await createBenchAccount("bench-profile", BENCH_RATE_LIMIT);
  const postgresVersion = await readPostgresVersion();
  await closeDb();
  await buildUnlessSkipped();

  const scenarios = webhookScenarios(PORT, account.webhookKey);
  const { results, load } = await withBenchServers(
    [
      {
        port: PORT,
        logFile: SERVER_LOG,
        databaseUrl,
        env: { NODE_OPTIONS: `--inspect=127.0.0.1:${INSPECTOR_PORT}` },
      },
    ],
    TIME_LIMIT_MS,
    async () => {
      const profiler = await connectProfiler(INSPECTOR_PORT);
      try {
        const routes: RouteProfile[] = [];
        for (const scenario of scenarios) routes.push(await profileRoute(scenario, profiler));
        return routes;
      } finally {
        profiler.close();
      }
    },
  );
  await publishSection(SECTION_TITLE, renderSection(results, { postgresVersion, load }));
}

runBenchmark(main);
