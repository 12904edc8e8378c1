import { sql } from "drizzle-orm";
import { defaultRateLimit, type RateLimit } from "@/lib/config";
import { type Executor, getDb } from "@/lib/db/client";
import type { ApiKey } from "@/lib/db/schema";
import { ApiError } from "@/lib/http/errors";
import { kindLabel } from "./format";

/**
 * Per-key rate limits: a token bucket per key, stored in the key's row so that every app
 * instance on the database draws from one budget.
 *
 * Updating that row on every request would make all requests of a busy key wait on its
 * row lock, one commit at a time. Instead each instance reserves tokens in batches of
 * about a tenth of a second's rate and admits requests from its reservation without a
 * query. This trades precision. An instance may hold up to one batch it has not used yet,
 * taken from the bucket earlier, so across N instances a key can be admitted up to N
 * batches beyond the bucket's level at one moment. And one instance can be rejected while
 * tokens sit unused in another's reservation. A key with a limit below 10 a second
 * reserves one token at a time and is exact.
 */

export type KeyLimitFields = Pick<
  ApiKey,
  "id" | "kind" | "displayStart" | "rateLimitPerSecond" | "rateLimitBurst"
>;

/** The maximum rate and burst a key can be given. */
export const MAX_RATE_PER_SECOND = 100_000;
export const MAX_BURST = 1_000_000;

/** Returns the key's own limit, or the server's default for the parts it does not set. */
export function effectiveRateLimit(
  key: Pick<ApiKey, "rateLimitPerSecond" | "rateLimitBurst">,
): RateLimit {
  const fallback = defaultRateLimit();
  return {
    perSecond: key.rateLimitPerSecond ?? fallback.perSecond,
    burst: key.rateLimitBurst ?? fallback.burst,
  };
}

/** Returns how many tokens an instance reserves at once for this limit. */
export function reservationBatch(limit: RateLimit): number {
  return Math.max(1, Math.min(limit.burst, Math.ceil(limit.perSecond / 10)));
}

/**
 * Throws the 422 for a rate or burst that is not a whole number in range. The field names
 * are `rateLimitPerSecond` and `rateLimitBurst`.
 */
export function checkRateLimit(limit: RateLimit): void {
  const problems = [
    rangeProblem("rateLimitPerSecond", "rate", limit.perSecond, MAX_RATE_PER_SECOND),
    rangeProblem("rateLimitBurst", "burst", limit.burst, MAX_BURST),
  ].filter((problem) => problem !== undefined);
  if (problems.length > 0) {
    throw new ApiError(
      "invalid_fields",
      problems.map((problem) => problem.sentence).join(" "),
      problems.map(({ field, message }) => ({ field, message })),
    );
  }
}

function rangeProblem(field: string, label: string, value: number, max: number) {
  if (Number.isSafeInteger(value) && value >= 1 && value <= max) return undefined;
  const message = `must be a whole number from 1 to ${max.toLocaleString("en-US")}`;
  return {
    field,
    message,
    sentence: `The ${label} ${Number.isNaN(value) ? "(not a number)" : value} is invalid: it ${message}.`,
  };
}

/** The outcome of one request against its key's limit, with the values of the headers. */
export interface RateLimitDecision {
  allowed: boolean;
  limit: RateLimit;
  /** Whole tokens left: this instance's reservation plus the shared bucket at its last reservation. */
  remaining: number;
  /** Unix time in seconds when the bucket is full again if no request comes. */
  resetAt: number;
  /** Whole seconds until one token is available, set when the request is rejected. */
  retryAfterSeconds?: number;
}

/**
 * Returns the rate limit headers of a decision. `X-RateLimit-Limit` is the burst, the most
 * requests a full bucket admits at once; the sustained rate is in the 429 message.
 */
export function rateLimitHeaders(decision: RateLimitDecision): Record<string, string> {
  const headers: Record<string, string> = {
    "X-RateLimit-Limit": String(decision.limit.burst),
    "X-RateLimit-Remaining": String(decision.remaining),
    "X-RateLimit-Reset": String(decision.resetAt),
  };
  if (decision.retryAfterSeconds !== undefined) {
    headers["Retry-After"] = String(decision.retryAfterSeconds);
  }
  return headers;
}

interface Reservation {
  granted: number;
  requested: number;
  /** Tokens left in the shared bucket after the grant, fractional. */
  remaining: number;
}

interface Pool {
  limit: RateLimit;
  /** Reserved tokens not used yet. */
  tokens: number;
  /** The shared bucket after this instance's last reservation, and when that was. */
  sharedRemaining: number;
  sharedAt: number;
  waiting: number;
  reserving?: Promise<Reservation>;
}

/**
 * Admits or rejects requests per key. One instance per process serves the routes, and tests
 * create several to stand for several app instances.
 */
export class RateLimiter {
  private readonly pools = new Map<string, Pool>();

  constructor(
    private readonly database: () => Promise<Executor> = getDb,
    /** The time to refill the bucket to; undefined uses the database's clock. */
    private readonly clock: () => Date | undefined = () => undefined,
  ) {}

  async take(key: KeyLimitFields): Promise<RateLimitDecision> {
    const limit = effectiveRateLimit(key);
    let pool = this.pools.get(key.id);
    // A changed limit drops the old reservation, so the new limit applies at once.
    if (!pool || pool.limit.perSecond !== limit.perSecond || pool.limit.burst !== limit.burst) {
      pool = { limit, tokens: 0, sharedRemaining: limit.burst, sharedAt: Date.now(), waiting: 0 };
      this.pools.set(key.id, pool);
    }

    // Requests that find the reservation empty wait for one shared reservation. A request
    // that finds it spent by the others when its turn comes tries again while the last
    // reservation got all it asked for, so only an empty bucket rejects it.
    for (let round = 0; round < 3; round++) {
      if (pool.tokens >= 1) return this.admit(pool);
      pool.waiting++;
      const current = pool;
      current.reserving ??= this.reserve(key.id, current).finally(() => {
        current.reserving = undefined;
      });
      let reservation: Reservation;
      try {
        reservation = await current.reserving;
      } finally {
        current.waiting--;
      }
      if (pool.tokens >= 1) return this.admit(pool);
      if (reservation.granted < reservation.requested) return this.reject(pool);
    }
    return this.reject(pool);
  }

  private admit(pool: Pool): RateLimitDecision {
    pool.tokens -= 1;
    const remaining = Math.min(
      pool.limit.burst,
      Math.floor(pool.tokens + Math.max(0, pool.sharedRemaining)),
    );
    return {
      allowed: true,
      limit: pool.limit,
      remaining,
      resetAt: this.resetAt(pool.limit, remaining),
    };
  }

  private reject(pool: Pool): RateLimitDecision {
    const shared = Math.max(0, pool.sharedRemaining);
    const elapsedSeconds = (Date.now() - pool.sharedAt) / 1000;
    const available = shared + elapsedSeconds * pool.limit.perSecond;
    const retryAfterSeconds = Math.max(1, Math.ceil((1 - available) / pool.limit.perSecond));
    return {
      allowed: false,
      limit: pool.limit,
      remaining: 0,
      resetAt: this.resetAt(pool.limit, 0),
      retryAfterSeconds,
    };
  }

  private resetAt(limit: RateLimit, remaining: number): number {
    const secondsToFull = (limit.burst - remaining) / limit.perSecond;
    return Math.ceil(Date.now() / 1000 + secondsToFull);
  }

  /**
   * Takes up to a batch of tokens from the key's shared bucket in one statement: the row
   * lock orders concurrent reservations, and the bucket is refilled for the time since the
   * last one before the grant is taken.
   */
  private async reserve(keyId: string, pool: Pool): Promise<Reservation> {
    const { perSecond, burst } = pool.limit;
    const requested = Math.min(burst, Math.max(reservationBatch(pool.limit), pool.waiting));
    const at = this.clock();
    const now = at ? sql`${at.toISOString()}::timestamptz` : sql`now()`;

    const db = await this.database();
    const result = (await db.execute(sql`
      with bucket as (
        select id, least(
          ${burst}::float8,
          coalesce(rate_limit_tokens, ${burst}::float8)
            + ${perSecond}::float8 * greatest(0, extract(epoch from ${now} - coalesce(rate_limit_refilled_at, ${now})))::float8
        ) as tokens
        from api_keys
        where id = ${keyId}
        for update
      ),
      grant_size as (
        select id, tokens, least(${requested}::float8, greatest(0, floor(tokens))) as granted
        from bucket
      )
      update api_keys
      set rate_limit_tokens = grant_size.tokens - grant_size.granted,
          rate_limit_refilled_at = ${now}
      from grant_size
      where api_keys.id = grant_size.id
      returning grant_size.granted as granted, grant_size.tokens - grant_size.granted as remaining`)) as unknown as {
      rows: { granted: number | string; remaining: number | string }[];
    };

    const row = result.rows[0];
    // A key deleted since it was authenticated has no bucket, so the request is rejected.
    const granted = row ? Number(row.granted) : 0;
    const remaining = row ? Number(row.remaining) : 0;

    pool.tokens += granted;
    pool.sharedRemaining = remaining;
    pool.sharedAt = Date.now();
    return { granted, requested, remaining };
  }
}

const globalStore = globalThis as typeof globalThis & { chirpRateLimiter?: RateLimiter };

function processLimiter(): RateLimiter {
  globalStore.chirpRateLimiter ??= new RateLimiter();
  return globalStore.chirpRateLimiter;
}

function plural(count: number, noun: string): string {
  return `${count} ${count === 1 ? noun : `${noun}s`}`;
}

/** The 429 for a key over its limit, with the rate limit headers and `Retry-After`. */
export class RateLimitedError extends ApiError {
  constructor(key: KeyLimitFields, decision: RateLimitDecision) {
    const { perSecond, burst } = decision.limit;
    const seconds = decision.retryAfterSeconds ?? 1;
    super(
      "rate_limited",
      `The ${kindLabel(key.kind)} ${key.displayStart} is over its rate limit of ${plural(perSecond, "request")} per second with bursts of ${burst}; retry in ${plural(seconds, "second")}, or raise the key's limit on the keys page.`,
    );
    this.headers = rateLimitHeaders(decision);
  }
}

/**
 * Counts one request against the key's limit and returns the decision, or throws a
 * RateLimitedError when the key is over its limit.
 */
export async function enforceRateLimit(
  key: KeyLimitFields,
  limiter: RateLimiter = processLimiter(),
): Promise<RateLimitDecision> {
  const decision = await limiter.take(key);
  if (!decision.allowed) throw new RateLimitedError(key, decision);
  return decision;
}

/**
 * Runs the rest of a request that the limit admitted and adds the rate limit headers to
 * the ApiError it throws, so that error responses carry them like successful ones.
 */
export async function withRateLimitHeaders<T>(
  decision: RateLimitDecision,
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ApiError) {
      error.headers = { ...rateLimitHeaders(decision), ...error.headers };
    }
    throw error;
  }
}
