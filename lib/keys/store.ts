import { and, desc, eq, isNull } from "drizzle-orm";
import { type Executor, getDb, type Transaction } from "@/lib/db/client";
import { type ApiKey, apiKeys, type KeyAuditAction, type KeyKind } from "@/lib/db/schema";
import { ApiError } from "@/lib/http/errors";
import { logger } from "@/lib/log";
import { encryptApiKey as encryptSecret } from "@/lib/runpod/api-key-encryption";
import { accountOfDeletedKey, type ChangeOrigin, recordRejectedUse, writeKeyAudit } from "./audit";
import { checkEndpointIds, checkScopeKind, describeEndpoints } from "./endpoints";
import { generateKey, keyMatchesHash, kindLabel, verifyKeySignature } from "./format";

/** A rejection of a key that exists: the caller knows whose key it was. */
export class RejectedKeyError extends ApiError {
  constructor(
    code: "revoked_key" | "expired_key" | "rerolled_key",
    message: string,
    readonly key: ApiKey,
  ) {
    super(code, message);
  }
}

/** A change rejected because the key was revoked or has expired, with which of the two. */
export class KeyNotActiveError extends ApiError {
  constructor(
    message: string,
    readonly state: "revoked" | "expired",
  ) {
    super("key_not_active", message);
  }
}

/** A key as lists show it: never the secret, its hash or its encrypted value, nor its rate limit bucket. */
export type KeySummary = Omit<
  ApiKey,
  | "secretHash"
  | "previousSecretHash"
  | "encryptedSecret"
  | "rateLimitTokens"
  | "rateLimitRefilledAt"
>;

export function summarize({
  secretHash: _hash,
  previousSecretHash: _previous,
  rateLimitTokens: _tokens,
  rateLimitRefilledAt: _refilledAt,
  encryptedSecret: _encrypted,
  ...rest
}: ApiKey): KeySummary {
  return rest;
}

export const MAX_KEY_NAME_LENGTH = 100;

/** How long the old value of a rerolled key keeps working. */
export const rerollGracePeriods = ["none", "1h", "24h"] as const;
export type RerollGracePeriod = (typeof rerollGracePeriods)[number];

const GRACE_PERIOD_MS: Record<RerollGracePeriod, number> = {
  none: 0,
  "1h": 60 * 60 * 1000,
  "24h": 24 * 60 * 60 * 1000,
};

/** Throws the 422 for an expiry time that is invalid or not in the future. */
function checkExpiry(expiresAt: Date, now: Date): void {
  if (Number.isNaN(expiresAt.getTime())) {
    throw new ApiError(
      "invalid_fields",
      "The expiry time is not a valid date; give a date and time such as 2030-01-31T12:00:00Z.",
      [{ field: "expiresAt", message: "must be a valid date and time" }],
    );
  }
  if (expiresAt.getTime() <= now.getTime()) {
    throw new ApiError(
      "invalid_fields",
      `The expiry time ${expiresAt.toISOString()} is in the past; choose a time after ${now.toISOString()}, or no expiry.`,
      [{ field: "expiresAt", message: "must be in the future" }],
    );
  }
}

/**
 * Creates a key and returns it with the plaintext. The plaintext is never available
 * again, unless `readable` stores it encrypted for the server's own use.
 */
export async function createKey({
  accountId,
  kind,
  name,
  expiresAt = null,
  endpointIds = null,
  readable = false,
  executor,
  actor,
  ip,
}: {
  accountId: string;
  kind: KeyKind;
  name?: string;
  expiresAt?: Date | null;
  /** The RunPod endpoints a webhook key may change cards of; null for any endpoint. */
  endpointIds?: readonly string[] | null;
  readable?: boolean;
  /** A transaction to create the key in; by default the key gets a transaction of its own. */
  executor?: Executor;
} & ChangeOrigin): Promise<{ key: string; record: KeySummary }> {
  const trimmed = name?.trim() || `${kindLabel(kind)} ${new Date().toISOString().slice(0, 10)}`;
  if (trimmed.length > MAX_KEY_NAME_LENGTH) {
    throw new ApiError(
      "invalid_fields",
      `The key name is ${trimmed.length} characters long; use at most ${MAX_KEY_NAME_LENGTH}.`,
      [{ field: "name", message: `at most ${MAX_KEY_NAME_LENGTH} characters` }],
    );
  }
  if (expiresAt) checkExpiry(expiresAt, new Date());
  checkScopeKind(kind, endpointIds);
  const scope = endpointIds === null ? null : checkEndpointIds(endpointIds);

  const generated = generateKey(kind);
  const db = executor ?? (await getDb());
  const record = await db.transaction(async (tx) => {
    const [inserted] = await tx
      .insert(apiKeys)
      .values({
        id: generated.keyId,
        accountId,
        kind,
        name: trimmed,
        secretHash: generated.hash,
        displayStart: generated.displayStart,
        expiresAt,
        endpointIds: scope,
        encryptedSecret: readable ? encryptSecret(generated.key, accountId) : null,
      })
      .returning();
    await writeKeyAudit(tx, {
      accountId,
      keyId: generated.keyId,
      displayStart: generated.displayStart,
      action: "create",
      actor,
      ip,
      detail: {
        kind,
        name: trimmed,
        expiresAt: expiresAt?.toISOString() ?? null,
        ...(scope ? { endpoints: describeEndpoints(scope) } : {}),
      },
    });
    return inserted!;
  });
  return { key: generated.key, record: summarize(record) };
}

export async function listKeys({ accountId }: { accountId: string }): Promise<KeySummary[]> {
  const db = await getDb();
  const rows = await db
    .select()
    .from(apiKeys)
    .where(eq(apiKeys.accountId, accountId))
    .orderBy(desc(apiKeys.createdAt));
  return rows.map(summarize);
}

/** Loads a key of the account and locks its row until the transaction ends. */
export async function lockKey(tx: Executor, accountId: string, keyId: string): Promise<ApiKey> {
  const [record] = await tx
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.id, keyId), eq(apiKeys.accountId, accountId)))
    .for("update");
  if (!record) throw new ApiError("not_found", `No key ${keyId} in this account.`);
  return record;
}

/**
 * Revokes a key of the account. Revoking twice is not an error and writes no second
 * audit row; a key of another account is "not found", like one that does not exist.
 */
export async function revokeKey({
  accountId,
  keyId,
  actor,
  ip,
}: { accountId: string; keyId: string } & ChangeOrigin): Promise<KeySummary> {
  const db = await getDb();
  return db.transaction(async (tx) => {
    const record = await lockKey(tx, accountId, keyId);
    if (record.revokedAt) return summarize(record);
    const [revoked] = await tx
      .update(apiKeys)
      .set({ revokedAt: new Date() })
      .where(and(eq(apiKeys.id, keyId), isNull(apiKeys.revokedAt)))
      .returning();
    await writeKeyAudit(tx, {
      accountId,
      keyId,
      displayStart: record.displayStart,
      action: "revoke",
      actor,
      ip,
    });
    return summarize(revoked!);
  });
}

/** Finds the account of a key by id alone, for the admin command line. */
export async function accountOfKey(keyId: string): Promise<string> {
  const db = await getDb();
  const [record] = await db
    .select({ accountId: apiKeys.accountId })
    .from(apiKeys)
    .where(eq(apiKeys.id, keyId));
  if (!record) {
    throw new ApiError(
      "not_found",
      `No key ${keyId}; list keys with: npm run chirp -- key list --user EMAIL`,
    );
  }
  return record.accountId;
}

/** Revokes a key by id alone, for the admin command line. */
export async function revokeKeyById(keyId: string): Promise<KeySummary> {
  return revokeKey({ accountId: await accountOfKey(keyId), keyId, actor: "cli" });
}

/**
 * Gives a key a new secret and returns the new plaintext, which is never available again.
 * The key keeps its id, kind and name. With a grace period the old value keeps working
 * until `previousValidUntil`; with "none" it stops at once. Only the latest old value is
 * kept, so a second reroll ends the first one's grace period.
 */
export async function rerollKey({
  accountId,
  keyId,
  grace,
  actor,
  ip,
}: {
  accountId: string;
  keyId: string;
  grace: RerollGracePeriod;
} & ChangeOrigin): Promise<{ key: string; record: KeySummary }> {
  const db = await getDb();
  return db.transaction(async (tx) => {
    const record = await lockKey(tx, accountId, keyId);
    const now = new Date();
    if (record.revokedAt) {
      throw new KeyNotActiveError(
        `The ${kindLabel(record.kind)} ${keyId} was revoked on ${record.revokedAt.toISOString()}, so it cannot be rerolled; create a new key instead.`,
        "revoked",
      );
    }
    if (record.expiresAt && record.expiresAt.getTime() <= now.getTime()) {
      throw new KeyNotActiveError(
        `The ${kindLabel(record.kind)} ${keyId} expired on ${record.expiresAt.toISOString()}, so a new value would not work either; set a later expiry or none first, then reroll.`,
        "expired",
      );
    }

    const generated = generateKey(record.kind, record.id);
    const previousValidUntil =
      grace === "none" ? null : new Date(now.getTime() + GRACE_PERIOD_MS[grace]);
    const [updated] = await tx
      .update(apiKeys)
      .set({
        secretHash: generated.hash,
        displayStart: generated.displayStart,
        previousSecretHash: previousValidUntil ? record.secretHash : null,
        previousValidUntil,
        rerolledAt: now,
        // A key the server reads back must hold its new value, or its users send a dead one.
        encryptedSecret:
          record.encryptedSecret === null ? null : encryptSecret(generated.key, accountId),
      })
      .where(eq(apiKeys.id, keyId))
      .returning();
    await writeKeyAudit(tx, {
      accountId,
      keyId,
      displayStart: generated.displayStart,
      action: "reroll",
      actor,
      ip,
      detail: {
        grace,
        previousDisplayStart: record.displayStart,
        previousValidUntil: previousValidUntil?.toISOString() ?? null,
      },
    });
    return { key: generated.key, record: summarize(updated!) };
  });
}

/** Sets or clears (null) the expiry of a key of the account. Past times are rejected. */
export async function setKeyExpiry({
  accountId,
  keyId,
  expiresAt,
  actor,
  ip,
}: {
  accountId: string;
  keyId: string;
  expiresAt: Date | null;
} & ChangeOrigin): Promise<KeySummary> {
  const now = new Date();
  if (expiresAt) checkExpiry(expiresAt, now);
  const db = await getDb();
  return db.transaction(async (tx) => {
    const record = await lockKey(tx, accountId, keyId);
    if (record.revokedAt) {
      throw new KeyNotActiveError(
        `The ${kindLabel(record.kind)} ${keyId} was revoked on ${record.revokedAt.toISOString()}; a revoked key never works again, so it has no expiry to change.`,
        "revoked",
      );
    }
    const previous = record.expiresAt?.toISOString() ?? null;
    const next = expiresAt?.toISOString() ?? null;
    if (previous === next) return summarize(record);

    return updateKeySettings(
      tx,
      record,
      { expiresAt },
      {
        action: "expiry_change",
        actor,
        ip,
        detail: { from: previous, to: next },
      },
    );
  });
}

/**
 * Updates settings of a locked key and writes the audit row of the change in the same
 * transaction.
 */
export async function updateKeySettings(
  tx: Transaction,
  record: ApiKey,
  values: Partial<typeof apiKeys.$inferInsert>,
  audit: ChangeOrigin & { action: KeyAuditAction; detail: Record<string, unknown> },
): Promise<KeySummary> {
  const [updated] = await tx
    .update(apiKeys)
    .set(values)
    .where(eq(apiKeys.id, record.id))
    .returning();
  await writeKeyAudit(tx, {
    accountId: record.accountId,
    keyId: record.id,
    displayStart: record.displayStart,
    ...audit,
  });
  return summarize(updated!);
}

/**
 * Resolves a presented key to its record. The signature is checked first, without a
 * query, so forged and mistyped keys cost no database work. Rejected uses of revoked,
 * expired and deleted keys are written to the audit trail with the client address `ip`.
 */
export async function authenticateKey(
  presented: string,
  kind: KeyKind,
  { executor, ip }: { executor?: Executor; ip?: string | null } = {},
): Promise<ApiKey> {
  const { keyId } = verifyKeySignature(presented, kind);
  const db = executor ?? (await getDb());
  const [record] = await db.select().from(apiKeys).where(eq(apiKeys.id, keyId));
  if (!record) {
    await recordDeletedKeyUse(keyId, ip);
    throw new ApiError(
      "invalid_key",
      `The ${kindLabel(kind)} ${keyId} does not exist; it may have been deleted. Create a new key.`,
    );
  }

  // Both comparisons always run, so the time taken does not tell which value matched.
  const matchesCurrent = keyMatchesHash(presented, record.secretHash);
  const matchesPrevious =
    record.previousSecretHash !== null && keyMatchesHash(presented, record.previousSecretHash);
  if (!matchesCurrent && !matchesPrevious && !record.rerolledAt) {
    // A valid signature with an unknown secret: only a server bug or a restored backup
    // produces one, so it is reported like a key that does not exist.
    throw new ApiError(
      "invalid_key",
      `The ${kindLabel(kind)} ${keyId} does not exist; it may have been deleted. Create a new key.`,
    );
  }

  if (record.revokedAt) {
    await recordRejectedUse({ ...auditTarget(record), action: "rejected_revoked", ip });
    throw new RejectedKeyError(
      "revoked_key",
      `The ${describeKey(record)} was revoked on ${record.revokedAt.toISOString()}. Create a new key and update the URL or secret that uses it.`,
      record,
    );
  }
  const now = Date.now();
  if (record.expiresAt && record.expiresAt.getTime() <= now) {
    await recordRejectedUse({ ...auditTarget(record), action: "rejected_expired", ip });
    throw new RejectedKeyError(
      "expired_key",
      `The ${describeKey(record)} expired on ${record.expiresAt.toISOString()}. Create a new key, or set a later expiry on the keys page.`,
      record,
    );
  }
  if (matchesCurrent) return record;
  if (matchesPrevious && record.previousValidUntil && record.previousValidUntil.getTime() > now) {
    return record;
  }
  throw rerolledKeyError(record, matchesPrevious);
}

/** Names a key as the keys page shows it: its kind, name and display start. */
function describeKey(record: ApiKey): string {
  return `${kindLabel(record.kind)} "${record.name}" (${record.displayStart})`;
}

function auditTarget(record: ApiKey) {
  return { accountId: record.accountId, keyId: record.id, displayStart: record.displayStart };
}

function rerolledKeyError(record: ApiKey, matchesPrevious: boolean): ApiError {
  const rerolledAt = record.rerolledAt!.toISOString();
  // The previous value's deadline is exact. An older value, or one rerolled without a
  // grace period, stopped working at the latest reroll or earlier.
  const stopped =
    matchesPrevious && record.previousValidUntil
      ? `its old value stopped working on ${record.previousValidUntil.toISOString()}`
      : `this old value stopped working no later than ${rerolledAt}`;
  return new RejectedKeyError(
    "rerolled_key",
    `The ${describeKey(record)} was rerolled on ${rerolledAt}, and ${stopped}. Use the new value shown when the key was rerolled, or reroll it again on the keys page.`,
    record,
  );
}

/**
 * Records a use of a key whose signature is valid but whose record is gone. The trail
 * needs an account, which the deleted record held, so it is taken from the key's earlier
 * audit rows. A key without them is logged only.
 */
async function recordDeletedKeyUse(keyId: string, ip: string | null | undefined): Promise<void> {
  const accountId = await accountOfDeletedKey(keyId);
  if (accountId) {
    await recordRejectedUse({
      accountId,
      keyId,
      displayStart: null,
      action: "rejected_deleted",
      ip,
    });
    return;
  }
  // NOTE: keys created before the audit trail existed, and keys of deleted accounts,
  // have no rows to name an account, so their uses appear only in the server log.
  logger.warn({ keyId }, "rejected a use of a deleted key with no audit trail");
}
