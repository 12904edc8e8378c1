import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from "node:fs";
import path from "node:path";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import {
  ConfigError,
  databaseDriver,
  databasePoolSize,
  databaseTimeouts,
  databaseUrl,
  dataDirectory,
} from "@/lib/config";
import { logger } from "@/lib/log";
import * as schema from "./schema";

export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;
/** A transaction handle; query helpers that write take one so callers can compose them. */
export type Transaction = Parameters<Parameters<Database["transaction"]>[0]>[0];
export type Executor = Database | Transaction;

export type Unlisten = () => Promise<void>;

interface Connection {
  db: Database;
  /**
   * Calls `onNotify` for each NOTIFY on `channel`, on a connection of its own, and
   * `onReconnect` after that connection was lost and made again, because the
   * notifications sent in between are lost.
   */
  listen(
    channel: string,
    onNotify: (payload: string) => void,
    onReconnect?: () => void,
  ): Promise<Unlisten>;
  close(): Promise<void>;
}

const migrationsFolder = path.join(process.cwd(), "drizzle");

// One connection per process, kept on globalThis so that Next's module reloading in
// development and several bundles in one server share it. Opened on first use, never at
// import time, because `next build` imports every route.
const globalStore = globalThis as typeof globalThis & { chirpConnection?: Promise<Connection> };

export function getConnection(): Promise<Connection> {
  globalStore.chirpConnection ??= openConnection().catch((error: unknown) => {
    globalStore.chirpConnection = undefined;
    throw error;
  });
  return globalStore.chirpConnection;
}

export async function getDb(): Promise<Database> {
  return (await getConnection()).db;
}

/** Closes the process's connection; the next getDb() opens a new one. */
export async function closeDb(): Promise<void> {
  const pending = globalStore.chirpConnection;
  globalStore.chirpConnection = undefined;
  if (pending) await (await pending).close();
}

async function openConnection(): Promise<Connection> {
  const driver = databaseDriver();
  const started = Date.now();
  const connection =
    driver === "pglite"
      ? await openPglite()
      : driver === "neon"
        ? await openNeon(databaseUrl()!)
        : await openNodePostgres(databaseUrl()!);
  logger.info({ driver, ms: Date.now() - started }, "database ready");
  return connection;
}

async function openPglite(): Promise<Connection> {
  const { PGlite } = await import("@electric-sql/pglite");
  const { drizzle } = await import("drizzle-orm/pglite");
  const { migrate } = await import("drizzle-orm/pglite/migrator");

  const inMemory = process.env.CHIRP_DATA_DIR === "memory://";
  const folder = path.join(dataDirectory(), "pglite");
  const releaseLock = inMemory ? () => {} : lockDataFolder(dataDirectory());
  let client: InstanceType<typeof PGlite>;
  try {
    if (!inMemory) mkdirSync(folder, { recursive: true });
    client = await PGlite.create(inMemory ? "memory://" : folder);
    const db = drizzle({ client, schema }) as unknown as Database;
    await migrate(db as never, { migrationsFolder });
    return {
      db,
      async listen(channel, onNotify) {
        const unsubscribe = await client.listen(channel, onNotify);
        return async () => unsubscribe();
      },
      async close() {
        await client.close();
        releaseLock();
      },
    };
  } catch (error) {
    releaseLock();
    throw error;
  }
}

/**
 * PGlite takes no lock of its own: a second process that opens the same folder runs
 * without error and its writes are lost. A lock file holding our pid turns that into an
 * immediate, explained failure. A lock left by a process that no longer runs is taken over.
 */
function lockDataFolder(folder: string): () => void {
  mkdirSync(folder, { recursive: true });
  const lockFile = path.join(folder, "pglite.lock");
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockFile, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
      const release = () => {
        try {
          if (readFileSync(lockFile, "utf8") === String(process.pid)) unlinkSync(lockFile);
        } catch {
          // Already gone.
        }
      };
      process.once("exit", release);
      return release;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const owner = Number(readFileSync(lockFile, "utf8"));
      if (owner === process.pid || isRunning(owner)) {
        throw new ConfigError(
          `The embedded database in ${folder} is in use by process ${owner}. PGlite allows one process at a time: stop that process (or the Chirp server) first, or point DATABASE_URL at a Postgres server to run several.`,
        );
      }
      unlinkSync(lockFile);
    }
  }
  throw new ConfigError(
    `Could not lock the embedded database in ${folder}; remove ${lockFile} if no Chirp process runs.`,
  );
}

function isRunning(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

// Several instances may start at once against one Postgres; the advisory lock makes the
// others wait while one applies the migrations.
const MIGRATION_LOCK_ID = 727_274_001;

interface PostgresDriver {
  createClient(): ListeningClient & { query(text: string, values?: unknown[]): Promise<unknown> };
  createPool(): {
    on(event: "error", listener: (error: Error) => void): unknown;
    on(
      event: "connect",
      listener: (client: { on(event: "error", listener: (error: Error) => void): unknown }) => void,
    ): unknown;
    end(): Promise<void>;
  };
  /** Wraps a client or pool of this driver in drizzle. */
  wrap(client: unknown): Database;
  migrate(db: Database): Promise<void>;
}

/**
 * Opens node-postgres or the Neon driver, which differ only in their classes: migrates on
 * a client of its own holding the migration lock, then serves queries from a pool.
 */
async function openPostgres(driver: PostgresDriver): Promise<Connection> {
  const migrationClient = driver.createClient();
  await migrationClient.connect();
  try {
    await migrationClient.query("select pg_advisory_lock($1)", [MIGRATION_LOCK_ID]);
    await driver.migrate(driver.wrap(migrationClient));
  } finally {
    await migrationClient.end();
  }

  const pool = driver.createPool();
  pool.on("error", (error) => logger.error({ err: error }, "idle database connection failed"));
  // The pool listens for errors only on idle clients. A checked-out client whose
  // connection drops between two queries of a transaction would emit "error" with no
  // listener, which is an uncaught exception. With this listener, only the next query
  // fails, and the request returns 503.
  pool.on("connect", (client) =>
    client.on("error", (error) => logger.warn({ err: error }, "database connection in use failed")),
  );
  return {
    db: driver.wrap(pool),
    listen: (channel, onNotify, onReconnect) =>
      listenWith(() => driver.createClient(), channel, onNotify, onReconnect),
    close: () => pool.end(),
  };
}

/**
 * Pool settings shared by node-postgres and the Neon driver. The connection timeout also
 * bounds the wait for a free pooled connection. The server enforces the statement
 * timeout, so it cancels the statement and the connection stays usable.
 */
function poolOptions(url: string) {
  const { statementMs } = databaseTimeouts();
  return {
    ...clientOptions(url),
    max: databasePoolSize(),
    statement_timeout: statementMs,
    keepAlive: true,
  };
}

/**
 * Settings of the clients outside the pool: the migration client and the LISTEN clients.
 * Without a connection timeout, a host that drops packets would hold the start for the
 * operating system's TCP connect timeout (about two minutes by default on Linux) before
 * the background retries begin.
 */
function clientOptions(url: string) {
  return { connectionString: url, connectionTimeoutMillis: databaseTimeouts().connectMs };
}

async function openNodePostgres(url: string): Promise<Connection> {
  const pg = (await import("pg")).default;
  const { drizzle } = await import("drizzle-orm/node-postgres");
  const { migrate } = await import("drizzle-orm/node-postgres/migrator");
  return openPostgres({
    createClient: () => new pg.Client(clientOptions(url)),
    createPool: () => new pg.Pool(poolOptions(url)),
    wrap: (client) =>
      drizzle({ client: client as InstanceType<typeof pg.Pool>, schema }) as unknown as Database,
    migrate: (db) => migrate(db as never, { migrationsFolder }),
  });
}

async function openNeon(url: string): Promise<Connection> {
  const neon = await import("@neondatabase/serverless");
  const { drizzle } = await import("drizzle-orm/neon-serverless");
  const { migrate } = await import("drizzle-orm/neon-serverless/migrator");
  const ws = (await import("ws")).default;

  neon.neonConfig.webSocketConstructor = ws;
  // For a Postgres without Neon's own proxy in front (local development and tests): the
  // driver connects through a WebSocket-to-TCP proxy at this address, without TLS.
  const localProxy = process.env.CHIRP_NEON_WS_PROXY;
  if (localProxy) {
    neon.neonConfig.wsProxy = (host, port) => `${localProxy}/v2?address=${host}:${port}`;
    neon.neonConfig.useSecureWebSocket = false;
    neon.neonConfig.pipelineTLS = false;
    neon.neonConfig.pipelineConnect = false;
  }

  return openPostgres({
    createClient: () => new neon.Client(clientOptions(url)),
    createPool: () => new neon.Pool(poolOptions(url)),
    wrap: (client) =>
      drizzle({ client: client as InstanceType<typeof neon.Pool>, schema }) as unknown as Database,
    migrate: (db) => migrate(db as never, { migrationsFolder }),
  });
}

interface ListeningClient {
  connect(): Promise<unknown>;
  query(text: string): Promise<unknown>;
  end(): Promise<void>;
  on(event: "notification", listener: (message: { payload?: string }) => void): unknown;
  on(event: "error", listener: (error: Error) => void): unknown;
  on(event: "end", listener: () => void): unknown;
}

/**
 * LISTEN on a dedicated client: a pooled connection would be handed to other queries and
 * the subscription lost. The client reconnects after a dropped connection; notifications
 * sent while it was away are missed, so subscribers also poll.
 */
async function listenWith(
  createClient: () => ListeningClient,
  channel: string,
  onNotify: (payload: string) => void,
  onReconnect?: () => void,
): Promise<Unlisten> {
  let stopped = false;
  let client: ListeningClient | undefined;
  let listenedBefore = false;
  let retryTimer: NodeJS.Timeout | undefined;

  const connect = async (): Promise<void> => {
    const next = createClient();
    next.on("notification", (message) => onNotify(message.payload ?? ""));
    next.on("error", (error) => logger.warn({ err: error, channel }, "listen connection failed"));
    next.on("end", () => {
      if (stopped) return;
      logger.warn({ channel }, "listen connection closed; reconnecting in 1 s");
      retryTimer = setTimeout(() => connect().catch(() => {}), 1000);
    });
    try {
      await next.connect();
      await next.query(`LISTEN "${channel}"`);
      client = next;
      if (listenedBefore) {
        logger.info({ channel }, "listen connection restored");
        onReconnect?.();
      }
      listenedBefore = true;
    } catch (error) {
      logger.warn({ err: error, channel }, "listen connection failed; retrying in 1 s");
      await next.end().catch(() => {});
    }
  };

  await connect();
  return async () => {
    stopped = true;
    clearTimeout(retryTimer);
    await client?.end().catch(() => {});
  };
}
