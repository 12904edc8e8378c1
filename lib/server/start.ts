import { ConfigError, databaseUrl, watchdogSettings } from "@/lib/config";
import { getDb } from "@/lib/db/client";
import {
  connectionFailure,
  connectionRejection,
  describeDatabaseUrl,
} from "@/lib/db/connection-errors";
import { isDatabaseUnreachable } from "@/lib/http/errors";
import { logger } from "@/lib/log";
import { startWatchdog } from "@/lib/runpod/watchdog";

// Back-off between attempts to open a database that was unreachable at start. The delay
// doubles from the first value up to the maximum.
const FIRST_RETRY_MS = 1000;
const MAX_RETRY_MS = 30_000;

/**
 * Starts the Node.js server's own work: opening the database applies pending migrations
 * and, on the embedded database, takes the folder lock, so a second server fails at
 * start instead of on its first request. Then the watchdog loop starts, unless
 * CHIRP_WATCHDOG=off leaves it to a `npm run chirp -- watchdog` worker.
 *
 * A Postgres server that cannot be reached yet (not started, restarting, a host that
 * does not resolve) does not stop the server: it starts, API requests return 503 and
 * the database is opened in the background with a back-off. A server that rejects the
 * connection (wrong password, missing database) or a bad setting ends the process with
 * the reason, because retrying would never succeed.
 */
export async function startServer(): Promise<void> {
  try {
    await openDatabase();
    startWatchdogIfEnabled();
  } catch (error) {
    if (error instanceof ConfigError) exitWithConfigError(error);
    // Anything else would make Next keep the failed start and return 500 for every
    // request, even after the database came back.
    if (!isDatabaseUnreachable(error)) throw error;

    const database = describeDatabaseUrl(databaseUrl() ?? "");
    logger.error(
      { err: error, database },
      `Could not reach ${database}: ${connectionFailure(error)}. Chirp keeps running and retries in the background, and API requests return 503 database_unavailable until it connects. Check that the database server is running and that the host and port in DATABASE_URL are right.`,
    );
    openDatabaseWithRetries({ firstReason: connectionFailure(error) })
      .then((attempts) => {
        logger.info(
          { database, attempts },
          `Connected to ${database} after ${attempts} attempts, and applied the pending migrations.`,
        );
        startWatchdogIfEnabled();
      })
      .catch(exitWithStartError);
  }
}

/** Opens the database, turning a rejected connection into a ConfigError with the fix. */
async function openDatabase(): Promise<void> {
  try {
    await getDb();
  } catch (error) {
    const url = databaseUrl();
    throw (url === undefined ? undefined : connectionRejection(error, url)) ?? error;
  }
}

function startWatchdogIfEnabled(): void {
  const settings = watchdogSettings();
  // No stop on shutdown: a pass cut short leaves its claimed cards due again after
  // their back-off, and every write it makes is a transaction of its own.
  if (settings.inApp) startWatchdog({ settings });
}

/** Returns the wait before attempt `failures + 1`, after `failures` failed attempts. */
export function retryDelayMs(failures: number): number {
  return Math.min(FIRST_RETRY_MS * 2 ** (failures - 1), MAX_RETRY_MS);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Opens the database after the first attempt failed for `firstReason`, waiting
 * `retryDelayMs` before each attempt, until it opens, and returns the number of attempts
 * including the first. An error other than an unreachable database is thrown. A failed
 * retry is logged at warn level when its reason differs from the previous one and at
 * debug level otherwise, so a long outage does not fill the log.
 */
export async function openDatabaseWithRetries({
  firstReason,
  wait = sleep,
}: {
  firstReason: string;
  wait?: (ms: number) => Promise<void>;
}): Promise<number> {
  let failures = 1;
  let previousReason = firstReason;
  for (;;) {
    const delayMs = retryDelayMs(failures);
    await wait(delayMs);
    try {
      await openDatabase();
      return failures + 1;
    } catch (error) {
      if (!isDatabaseUnreachable(error)) throw error;
      failures++;
      const reason = connectionFailure(error);
      const fields = { attempts: failures, nextRetryMs: retryDelayMs(failures), reason };
      if (reason === previousReason) {
        logger.debug(fields, "database still unreachable");
      } else {
        logger.warn(fields, `database still unreachable: ${reason}`);
      }
      previousReason = reason;
    }
  }
}

function exitWithConfigError(error: ConfigError): never {
  console.error(`Chirp cannot start: ${error.message}`);
  process.exit(1);
}

/** Ends the process when the database, opened in the background, failed for good. */
function exitWithStartError(error: unknown): never {
  if (error instanceof ConfigError) exitWithConfigError(error);
  console.error(
    `Chirp cannot start: opening the database failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
  );
  process.exit(1);
}
