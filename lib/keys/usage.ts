import { sql } from "drizzle-orm";
import { getDb } from "@/lib/db/client";
import { logger } from "@/lib/log";

/**
 * Counts key uses in memory and writes them once a second. Updating the key's row on
 * every request made all requests with one key wait on that row's lock, one commit at a
 * time, and a busy webhook key is exactly that case. In exchange, last-used times and
 * counts lag by up to a second, and a crash loses the last second of counts.
 */
const FLUSH_INTERVAL_MS = 1000;

interface PendingUse {
  count: number;
  lastUsedAt: Date;
}

interface UsageBuffer {
  pending: Map<string, PendingUse>;
  timer?: NodeJS.Timeout;
}

const globalStore = globalThis as typeof globalThis & { chirpKeyUsage?: UsageBuffer };

function buffer(): UsageBuffer {
  globalStore.chirpKeyUsage ??= { pending: new Map() };
  return globalStore.chirpKeyUsage;
}

function merge(pending: Map<string, PendingUse>, keyId: string, use: PendingUse): void {
  const entry = pending.get(keyId);
  if (!entry) {
    pending.set(keyId, { ...use });
    return;
  }
  entry.count += use.count;
  if (use.lastUsedAt > entry.lastUsedAt) entry.lastUsedAt = use.lastUsedAt;
}

export function countKeyUse(keyId: string): void {
  const usage = buffer();
  merge(usage.pending, keyId, { count: 1, lastUsedAt: new Date() });
  if (!usage.timer) {
    usage.timer = setTimeout(() => void flushKeyUse(), FLUSH_INTERVAL_MS);
    usage.timer.unref();
  }
}

/** Writes the buffered counts now, in one statement. Failed writes are kept for the next flush. */
export async function flushKeyUse(): Promise<void> {
  const usage = buffer();
  clearTimeout(usage.timer);
  usage.timer = undefined;
  if (usage.pending.size === 0) return;
  const batch = [...usage.pending];
  usage.pending = new Map();

  const rows = batch.map(
    ([keyId, use]) =>
      sql`(${keyId}, ${use.count}::bigint, ${use.lastUsedAt.toISOString()}::timestamptz)`,
  );
  try {
    const db = await getDb();
    await db.execute(sql`
      update api_keys
      set use_count = api_keys.use_count + uses.count,
          last_used_at = greatest(api_keys.last_used_at, uses.last_used_at)
      from (values ${sql.join(rows, sql`, `)}) as uses(id, count, last_used_at)
      where api_keys.id = uses.id`);
  } catch (error) {
    logger.warn({ err: error, keys: batch.length }, "failed to write key use counts; retrying");
    for (const [keyId, use] of batch) merge(usage.pending, keyId, use);
    usage.timer ??= setTimeout(() => void flushKeyUse(), FLUSH_INTERVAL_MS);
    usage.timer.unref();
  }
}
