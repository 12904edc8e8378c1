import { ConfigError, watchdogSettings } from "@/lib/config";
import { getDb } from "@/lib/db/client";
import { startWatchdog } from "@/lib/runpod/watchdog";

/**
 * Starts the Node.js server's own work: opening the database applies pending migrations
 * and, on the embedded database, takes the folder lock, so a second server fails at
 * start instead of on its first request. Then the watchdog loop starts, unless
 * CHIRP_WATCHDOG=off leaves it to a `npm run chirp -- watchdog` worker.
 */
export async function startServer(): Promise<void> {
  try {
    await getDb();
    const settings = watchdogSettings();
    // No stop on shutdown: a pass cut short leaves its claimed cards due again after
    // their back-off, and every write it makes is a transaction of its own.
    if (settings.inApp) startWatchdog({ settings });
  } catch (error) {
    // A server that cannot open its database would return 500 for every request, so it
    // stops at once with the reason instead (the embedded folder in use, a bad setting).
    if (!(error instanceof ConfigError)) throw error;
    console.error(`Chirp cannot start: ${error.message}`);
    process.exit(1);
  }
}
