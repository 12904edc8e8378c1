/**
 * Cost growth benchmark: the valid-key webhook and the board's first load on a database
 * holding about 1,000 activities and deliveries, and on one holding about 1,000,000 of
 * each. The benchmark creates both databases on the PostgreSQL of DATABASE_URL (its role
 * needs CREATEDB), seeds them with set-based SQL, serves each with its own `next start`,
 * alternates the measurements between them, and drops them at the end. Results are
 * written to BENCHMARKS.md.
 *
 * Run it alone, after a build (`npm run build`, or a run of `npm run bench`), with:
 *
 *   DATABASE_URL=postgres://chirp:chirp@127.0.0.1:5432/chirp_test CHIRP_E2E_SKIP_BUILD=1 npx tsx e2e/bench/growth.ts
 *
 * The servers listen on CHIRP_BENCH_PORT and the port above it (default 3210 and 3211).
 */
import path from "node:path";
import { chromium } from "@playwright/test";
import { CHROMIUM_ARGS, CHROMIUM_EXECUTABLE } from "../support/chromium";
import { REPO_ROOT } from "../support/next-server";
import { type BoardTarget, type Load, measureLoads } from "./board-load";
import {
  BENCH_PORT,
  BENCH_RATE_LIMIT,
  BENCH_RATE_LIMIT_NOTE,
  type BenchAccount,
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
  percentile,
  prepareEnvironment,
  publishSection,
  type RouteMeasurement,
  postgresVersion as readPostgresVersion,
  runBenchmark,
  switchDatabase,
  TEN_SENDERS,
  withBenchServers,
} from "./harness";

const SECTION_TITLE = "## Cost growth";
const SIZES = [1_000, 1_000_000] as const;
// Each database contains the benchmark's account and 90 others. The benchmark's account
// gets 10 shares of 100, as a busy user of a shared server would, so its board shows 100
// cards in the small database and about 100,000 in the large one.
const OTHER_ACCOUNTS = 90;
const BENCH_ACCOUNT_SHARES = 10;
const ROUNDS = 5;
const BOARD_WARMUP_LOADS = 2;
const BOARD_MEASURED_LOADS = 20;
// Seeding the large database takes a few minutes on 2 cores; the measurements about 4.
const TIME_LIMIT_MS = 20 * 60_000;

interface GrowthDatabase {
  size: number;
  name: string;
  url: string;
  account: BenchAccount;
  /** Seconds each seeding step took. */
  seedSeconds: { cards: number; deliveries: number; analyze: number };
  rows: { activities: number; deliveries: number; events: number };
  port: number;
  serverLog: string;
}

/** Returns `url` with its database name replaced. */
function databaseUrlNamed(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

/**
 * Runs statements on the database of DATABASE_URL with a client of its own, for CREATE
 * and DROP DATABASE, which cannot run in the app's pool on the database they name.
 */
async function onAdminDatabase(adminUrl: string, statements: string[]): Promise<void> {
  const pg = (await import("pg")).default;
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    for (const statement of statements) await client.query(statement);
  } finally {
    await client.end();
  }
}

async function seconds<T>(step: () => Promise<T>): Promise<number> {
  const started = Date.now();
  await step();
  return (Date.now() - started) / 1000;
}

/**
 * Seeds the open database, which `getDb()` opens, with `size` cards and as many
 * deliveries, spread over the benchmark's account and the others, and their events.
 */
async function seedDatabase(
  size: number,
  account: BenchAccount,
): Promise<Pick<GrowthDatabase, "seedSeconds" | "rows">> {
  const { getDb } = await import("@/lib/db/client");
  const { seedCardsAcross } = await import("@/lib/testing/seed-cards");
  const { sql } = await import("drizzle-orm");
  const db = await getDb();

  // Other accounts, each with a webhook key whose hash matches no key.
  await db.execute(sql`
    insert into accounts (id, email, created_at)
    select 'acc_seed' || lpad(i::text, 4, '0'), 'seed-' || i || '@example.test', now() - interval '1 year'
    from generate_series(1, ${OTHER_ACCOUNTS}) as i`);
  await db.execute(sql`
    insert into api_keys (id, account_id, kind, name, secret_hash, display_start)
    select 'key_seed' || lpad(i::text, 4, '0'), 'acc_seed' || lpad(i::text, 4, '0'), 'webhook', 'runpod',
      encode(sha256(i::text::bytea), 'hex'), 'chirp_wh_seed'
    from generate_series(1, ${OTHER_ACCOUNTS}) as i`);
  const shares = [
    ...Array.from({ length: BENCH_ACCOUNT_SHARES }, () => account.accountId),
    ...Array.from(
      { length: OTHER_ACCOUNTS },
      (_, index) => `acc_seed${String(index + 1).padStart(4, "0")}`,
    ),
  ];

  console.log(`Seeding ${formatNumber(size)} cards ...`);
  const cards = await seconds(() => seedCardsAcross(shares, size));

  // A closed card has the delivery that closed it. One closed card in 49 also has RunPod's
  // retry of it, which makes up for the open cards, so there are about as many deliveries
  // as cards. Every card has the event that opened it and one event per delivery.
  console.log(`Seeding about ${formatNumber(size)} deliveries and their events ...`);
  const deliveries = await seconds(async () => {
    await db.execute(sql`
      insert into deliveries
        (id, account_id, key_id, created_at, job_id, runpod_status, activity_id, response_status,
         content_type, headers, body, body_bytes, body_sha256, body_truncated, status_object)
      select
        'dlv_' || card.id || '-' || copy, card.account_id, key.id, card.updated_at, card.key,
        card.status, card.id, 200, 'application/json', ${JSON.stringify({
          accept: "*/*",
          "accept-encoding": "gzip, deflate",
          "content-type": "application/json",
          "user-agent": "python-requests/2.32.3",
        })}::jsonb,
        card.body, octet_length(card.body), encode(sha256(convert_to(card.body, 'UTF8')), 'hex'), false,
        jsonb_build_object('id', card.key, 'status', card.status, 'delayTime', 812,
          'executionTime', 4210, 'workerId', 'seedworker001', 'hasOutput', true)
      from (
        select activities.*, upper(state) as status,
          format('{"id":"%s","status":"%s","delayTime":812,"executionTime":4210,"workerId":"seedworker001","input":{"prompt":"%s"},"output":{"image_url":"https://storage.example/outputs/%s.png"},"webhook":"https://chirp.example/v1/webhooks/runpod?key=[REDACTED]"}',
            key, upper(state), job_name, md5(id)) as body
        from activities
        where closed_at is not null
      ) as card
      join api_keys as key on key.account_id = card.account_id and key.kind = 'webhook'
      cross join lateral generate_series(
        1, case when split_part(card.id, '-', 2)::int % 49 = 0 then 2 else 1 end
      ) as copy`);
    await db.execute(sql`
      insert into activity_events
        (account_id, activity_id, type, source, state_before, state_after, created_at)
      select account_id, id, 'start', 'api', null, 'queued', created_at
      from activities`);
    await db.execute(sql`
      insert into activity_events
        (account_id, activity_id, type, source, state_before, state_after, runpod_status,
         delivery_id, created_at)
      select deliveries.account_id, deliveries.activity_id, 'delivery', 'webhook',
        case when deliveries.id like '%-1' then 'queued' else activities.state end,
        activities.state, deliveries.runpod_status, deliveries.id, deliveries.created_at
      from deliveries join activities on activities.id = deliveries.activity_id`);
  });
  const analyze = await seconds(async () => {
    for (const table of ["accounts", "api_keys", "deliveries", "activity_events"]) {
      await db.execute(sql.raw(`vacuum analyze ${table}`));
    }
  });

  const [counts] = (
    (await db.execute(sql`
      select
        (select count(*) from activities)::int as activities,
        (select count(*) from deliveries)::int as deliveries,
        (select count(*) from activity_events)::int as events`)) as unknown as {
      rows: GrowthDatabase["rows"][];
    }
  ).rows;
  return { seedSeconds: { cards, deliveries, analyze }, rows: counts! };
}

interface RoundMeasurement {
  database: GrowthDatabase;
  round: number;
  measurement: RouteMeasurement;
}

function roundsOf(measurements: RoundMeasurement[], database: GrowthDatabase) {
  return measurements
    .filter((entry) => entry.database === database)
    .map((entry) => entry.measurement.result);
}

function renderSection(
  databases: GrowthDatabase[],
  webhook: RoundMeasurement[],
  loads: Map<GrowthDatabase & BoardTarget, Load[]>,
  environment: { postgresVersion: string; load: LoadAverage },
): string {
  const [small, large] = databases as [GrowthDatabase, GrowthDatabase];
  const seedRows = databases.map((database) => [
    formatNumber(database.size),
    formatNumber(database.rows.activities),
    formatNumber(database.rows.deliveries),
    formatNumber(database.rows.events),
    formatNumber(database.seedSeconds.cards, 1),
    formatNumber(database.seedSeconds.deliveries, 1),
    formatNumber(database.seedSeconds.analyze, 1),
  ]);

  const webhookRows = databases.flatMap((database) =>
    roundsOf(webhook, database).map((result, round) => [
      formatNumber(database.size),
      String(round + 1),
      formatNumber(result.requests.average),
      formatNumber(result.latency.p50),
      formatNumber(result.latency.p99),
      formatNumber(result.requests.total),
    ]),
  );
  const smallRounds = roundsOf(webhook, small);
  const largeRounds = roundsOf(webhook, large);
  const ratios = (metric: (result: (typeof smallRounds)[number]) => number) =>
    largeRounds.map((result, round) => metric(result) / metric(smallRounds[round]!));

  const boardSamples = (database: GrowthDatabase) =>
    [...loads].find(([target]) => target.name === database.name)![1];
  const boardRows = databases.map((database) => {
    const documents = boardSamples(database).map((sample) => sample.document);
    const live = boardSamples(database).map((sample) => sample.live);
    return [
      formatNumber(database.size),
      formatNumber(percentile(documents, 0.5)),
      formatNumber(percentile(documents, 0.99)),
      formatNumber(percentile(live, 0.5)),
      formatNumber(percentile(live, 0.99)),
      documents.map((value) => formatNumber(value)).join(", "),
    ];
  });
  const boardRatio = (fraction: number) =>
    percentile(
      boardSamples(large).map((sample) => sample.document),
      fraction,
    ) /
    percentile(
      boardSamples(small).map((sample) => sample.document),
      fraction,
    );

  return formatSection(SECTION_TITLE, environment, [
    `Setup: two databases created for the run on the PostgreSQL above, migrated, then seeded with set-based SQL. Each holds the benchmark's account and ${OTHER_ACCOUNTS} others, each with a webhook key; the benchmark's account holds ${BENCH_ACCOUNT_SHARES} in ${BENCH_ACCOUNT_SHARES + OTHER_ACCOUNTS} of the cards, the others share the rest. Cards are seeded like the board benchmark's (1 in 50 open, 20 endpoints, one changed per second going back from now). Every closed card has the delivery that closed it, with a RunPod status object of about 330 bytes as its body, and one closed card in 49 has a second delivery (a retry); every card has a start event and an event per delivery. VACUUM ANALYZE ran on every table after seeding.`,
    "",
    ...markdownTable(
      [
        "Database",
        "Activities",
        "Deliveries",
        "Events",
        "Seeding cards (s)",
        "Seeding deliveries and events (s)",
        "VACUUM ANALYZE (s)",
      ],
      ["right", "right", "right", "right", "right", "right", "right"],
      seedRows,
    ),
    "",
    `Both databases are served at once, each by its own production build on \`next start\` (ports ${small.port} and ${large.port}, LOG_LEVEL=warn), so the measurements alternate between them without restarts. The webhook load is autocannon on the same machine with ${TEN_SENDERS.connections} connections, ${TEN_SENDERS.measureSeconds} s measured after a ${TEN_SENDERS.warmupSeconds} s warm-up, on each database in turn for ${ROUNDS} rounds. Each body is the webhook benchmark's COMPLETED status object of about 4 KB with a job id of its own, so each request creates a card and closes it, and the databases grow by the requests made. ${BENCH_RATE_LIMIT_NOTE} Every response was 200.`,
    "",
    ...markdownTable(
      ["Database", "Round", "Requests/s", "p50 latency (ms)", "p99 latency (ms)", "Requests"],
      ["right", "left", "right", "right", "right", "right"],
      webhookRows,
    ),
    "",
    `Webhook, ${formatNumber(large.size)} / ${formatNumber(small.size)}, median of the rounds' ratios: p99 ${describeRatios(ratios((result) => result.latency.p99))}; p50 ${describeRatios(ratios((result) => result.latency.p50))}; requests/s ${describeRatios(ratios((result) => result.requests.average))}. Target: p99 ratio at most 1.2.`,
    "",
    `Board first load: the benchmark's account (${formatNumber(boardSamples(small).length)} loads measured per database after ${BOARD_WARMUP_LOADS} warm-up loads, alternating), measured as in the board benchmark, in Chromium with an empty cache; "HTML received" is the time until the whole document arrived. With ${formatNumber(BOARD_MEASURED_LOADS)} samples, p99 by the nearest-rank method is the slowest load.`,
    "",
    ...markdownTable(
      [
        "Database",
        "HTML received p50 (ms)",
        "HTML received p99 (ms)",
        "Live p50 (ms)",
        "Live p99 (ms)",
        "HTML received, every load (ms)",
      ],
      ["right", "right", "right", "right", "right", "left"],
      boardRows,
    ),
    "",
    `Board, HTML received, ${formatNumber(large.size)} / ${formatNumber(small.size)}: p99 ${formatNumber(boardRatio(0.99), 2)}; p50 ${formatNumber(boardRatio(0.5), 2)}. Target: p99 ratio at most 1.2.`,
  ]);
}

async function main(): Promise<void> {
  const adminUrl = prepareEnvironment();
  const databases: GrowthDatabase[] = SIZES.map((size, index) => {
    const name = `chirp_bench_growth_${size}`;
    return {
      size,
      name,
      url: databaseUrlNamed(adminUrl, name),
      account: undefined as unknown as BenchAccount,
      seedSeconds: { cards: 0, deliveries: 0, analyze: 0 },
      rows: { activities: 0, deliveries: 0, events: 0 },
      port: BENCH_PORT + index,
      serverLog: path.join(REPO_ROOT, "test-results", `bench-growth-${size}-server.log`),
    };
  });
  const dropStatements = databases.map(
    (database) => `drop database if exists ${database.name} with (force)`,
  );
  // A run stopped before its clean-up left its databases behind; start from scratch.
  try {
    await onAdminDatabase(adminUrl, [
      ...dropStatements,
      ...databases.map((database) => `create database ${database.name}`),
    ]);
  } catch (error) {
    // 42501 is PostgreSQL's insufficient_privilege.
    if ((error as { code?: string }).code !== "42501") throw error;
    const role = decodeURIComponent(new URL(adminUrl).username);
    throw new Error(
      `The role ${role} of DATABASE_URL may not create databases, which this benchmark needs. Grant it as a superuser with: ALTER ROLE ${role} CREATEDB;`,
    );
  }

  try {
    for (const database of databases) {
      // The first use of the database applies the migrations.
      await switchDatabase({ DATABASE_URL: database.url, CHIRP_DB_DRIVER: "postgres" });
      database.account = await createBenchAccount("bench-growth", BENCH_RATE_LIMIT);
      Object.assign(database, await seedDatabase(database.size, database.account));
      console.log(
        `${database.name}: ${formatNumber(database.rows.activities)} activities, ${formatNumber(database.rows.deliveries)} deliveries, ${formatNumber(database.rows.events)} events.`,
      );
    }
    const postgresVersion = await readPostgresVersion();
    await switchDatabase({ DATABASE_URL: adminUrl });

    await buildUnlessSkipped();
    const { results, load } = await withBenchServers(
      databases.map((database) => ({
        port: database.port,
        logFile: database.serverLog,
        databaseUrl: database.url,
        env: { CHIRP_DB_DRIVER: "postgres" },
      })),
      TIME_LIMIT_MS,
      async () => {
        const webhook: RoundMeasurement[] = [];
        for (let round = 1; round <= ROUNDS; round++) {
          console.log(`Round ${round} of ${ROUNDS}`);
          for (const database of databases) {
            const url = `${baseUrlOf(database.port)}/v1/webhooks/runpod?key=${database.account.webhookKey}`;
            const measurement = await measureRoute(
              {
                label: `Valid-key webhook, ${formatNumber(database.size)} activities`,
                url,
                expectedStatus: 200,
                body: completedBody(url),
              },
              {
                ...TEN_SENDERS,
                serverLog: database.serverLog,
              },
            );
            webhook.push({ database, round, measurement });
          }
        }

        const browser = await chromium.launch({
          executablePath: CHROMIUM_EXECUTABLE,
          args: CHROMIUM_ARGS,
        });
        try {
          const targets = databases.map((database) => ({
            ...database,
            ...database.account,
            label: `${formatNumber(database.size)} activities`,
            baseUrl: baseUrlOf(database.port),
          }));
          const loads = await measureLoads(browser, targets, {
            warmup: BOARD_WARMUP_LOADS,
            measured: BOARD_MEASURED_LOADS,
          });
          return { webhook, loads };
        } finally {
          await browser.close();
        }
      },
    );

    const section = renderSection(databases, results.webhook, results.loads, {
      postgresVersion,
      load,
    });
    await publishSection(SECTION_TITLE, section);
  } finally {
    await switchDatabase({ DATABASE_URL: adminUrl });
    await onAdminDatabase(adminUrl, dropStatements);
    console.log(`Dropped ${databases.map((database) => database.name).join(" and ")}.`);
  }
}

runBenchmark(main);
