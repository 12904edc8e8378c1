import type { RateLimit } from "@/lib/config";
import { getDb } from "@/lib/db/client";
import type { ChangeOrigin } from "./audit";
import { checkEndpointIds, checkScopeKind, describeEndpoints } from "./endpoints";
import { checkRateLimit } from "./rate-limit";
import { type KeySummary, lockKey, summarize, updateKeySettings } from "./store";

/**
 * Sets the rate limit of a key of the account, or with `limit: null` returns it to the
 * server's default. A changed limit starts with a full bucket. Raises `invalid_fields`
 * for a rate or burst out of range, and `not_found` for a key of another account.
 */
export async function setKeyRateLimit({
  accountId,
  keyId,
  limit,
  actor,
  ip,
}: {
  accountId: string;
  keyId: string;
  limit: RateLimit | null;
} & ChangeOrigin): Promise<KeySummary> {
  if (limit) checkRateLimit(limit);
  const db = await getDb();
  return db.transaction(async (tx) => {
    const record = await lockKey(tx, accountId, keyId);
    const from = ownLimit(record.rateLimitPerSecond, record.rateLimitBurst);
    if (from?.perSecond === limit?.perSecond && from?.burst === limit?.burst) {
      return summarize(record);
    }
    return updateKeySettings(
      tx,
      record,
      {
        rateLimitPerSecond: limit?.perSecond ?? null,
        rateLimitBurst: limit?.burst ?? null,
        rateLimitTokens: null,
        rateLimitRefilledAt: null,
      },
      {
        action: "limit_change",
        actor,
        ip,
        detail: { from: describeRateLimit(from), to: describeRateLimit(limit) },
      },
    );
  });
}

/** Describes a key's own limit for people, or "default" for the server's. */
export function describeRateLimit(limit: RateLimit | null): string {
  return limit ? `${limit.perSecond}/s burst ${limit.burst}` : "default";
}

function ownLimit(perSecond: number | null, burst: number | null): RateLimit | null {
  return perSecond === null || burst === null ? null : { perSecond, burst };
}

/**
 * Limits a webhook key of the account to a list of RunPod endpoint ids, or with
 * `endpointIds: null` allows every endpoint again. Raises `invalid_fields` for an id that
 * is not an endpoint id or for an API key, and `not_found` for a key of another account.
 */
export async function setKeyEndpoints({
  accountId,
  keyId,
  endpointIds,
  actor,
  ip,
}: {
  accountId: string;
  keyId: string;
  endpointIds: readonly string[] | null;
} & ChangeOrigin): Promise<KeySummary> {
  const scope = endpointIds === null ? null : checkEndpointIds(endpointIds);
  const db = await getDb();
  return db.transaction(async (tx) => {
    const record = await lockKey(tx, accountId, keyId);
    checkScopeKind(record.kind, scope);
    const from = describeEndpoints(record.endpointIds);
    const to = describeEndpoints(scope);
    if (from === to) return summarize(record);
    return updateKeySettings(
      tx,
      record,
      { endpointIds: scope },
      { action: "scope_change", actor, ip, detail: { from, to } },
    );
  });
}
