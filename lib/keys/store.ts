import { and, desc, eq, isNull, sql } from "drizzle-orm";
import { type Executor, getDb } from "@/lib/db/client";
import { type ApiKey, apiKeys, type KeyKind } from "@/lib/db/schema";
import { ApiError } from "@/lib/http/errors";
import { generateKey, keyMatchesHash, kindLabel, verifyKeySignature } from "./format";

/** A rejection of a key that exists: the caller knows whose key it was. */
export class RejectedKeyError extends ApiError {
  constructor(
    code: "revoked_key" | "expired_key",
    message: string,
    readonly key: ApiKey,
  ) {
    super(code, message);
  }
}

/** A key as lists show it: never the secret or its hash. */
export type KeySummary = Omit<ApiKey, "secretHash" | "previousSecretHash">;

function summarize({
  secretHash: _hash,
  previousSecretHash: _previous,
  ...rest
}: ApiKey): KeySummary {
  return rest;
}

export const MAX_KEY_NAME_LENGTH = 100;

/** Creates a key and returns it with the plaintext, which is never available again. */
export async function createKey({
  accountId,
  kind,
  name,
}: {
  accountId: string;
  kind: KeyKind;
  name?: string;
}): Promise<{ key: string; record: KeySummary }> {
  const trimmed = name?.trim() || `${kindLabel(kind)} ${new Date().toISOString().slice(0, 10)}`;
  if (trimmed.length > MAX_KEY_NAME_LENGTH) {
    throw new ApiError(
      "invalid_fields",
      `The key name is ${trimmed.length} characters long; use at most ${MAX_KEY_NAME_LENGTH}.`,
      [{ field: "name", message: `at most ${MAX_KEY_NAME_LENGTH} characters` }],
    );
  }
  const generated = generateKey(kind);
  const db = await getDb();
  const [record] = await db
    .insert(apiKeys)
    .values({
      id: generated.keyId,
      accountId,
      kind,
      name: trimmed,
      secretHash: generated.hash,
      displayStart: generated.displayStart,
    })
    .returning();
  return { key: generated.key, record: summarize(record!) };
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

/**
 * Revokes a key of the account. Revoking twice is not an error; a key of another account
 * is "not found", like one that does not exist.
 */
export async function revokeKey({
  accountId,
  keyId,
}: {
  accountId: string;
  keyId: string;
}): Promise<KeySummary> {
  const db = await getDb();
  await db
    .update(apiKeys)
    .set({ revokedAt: sql`now()` })
    .where(and(eq(apiKeys.id, keyId), eq(apiKeys.accountId, accountId), isNull(apiKeys.revokedAt)));
  const [record] = await db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.id, keyId), eq(apiKeys.accountId, accountId)));
  if (!record) throw new ApiError("not_found", `No key ${keyId} in this account.`);
  return summarize(record);
}

/** Revokes a key by id alone, for the admin command line. */
export async function revokeKeyById(keyId: string): Promise<KeySummary> {
  const db = await getDb();
  const [record] = await db.select().from(apiKeys).where(eq(apiKeys.id, keyId));
  if (!record)
    throw new ApiError(
      "not_found",
      `No key ${keyId}; list keys with: npm run chirp -- key list --user EMAIL`,
    );
  return revokeKey({ accountId: record.accountId, keyId });
}

/**
 * Resolves a presented key to its record. The signature is checked first, without a
 * query, so forged and mistyped keys cost no database work.
 */
export async function authenticateKey(
  presented: string,
  kind: KeyKind,
  executor?: Executor,
): Promise<ApiKey> {
  const { keyId } = verifyKeySignature(presented, kind);
  const db = executor ?? (await getDb());
  const [record] = await db.select().from(apiKeys).where(eq(apiKeys.id, keyId));
  if (!record || !keyMatchesHash(presented, record.secretHash)) {
    throw new ApiError(
      "invalid_key",
      `The ${kindLabel(kind)} ${keyId} does not exist; it may have been deleted. Create a new key.`,
    );
  }
  if (record.revokedAt) {
    throw new RejectedKeyError(
      "revoked_key",
      `The ${kindLabel(kind)} ${keyId} was revoked on ${record.revokedAt.toISOString()}. Create a new key and update the URL or secret that uses it.`,
      record,
    );
  }
  if (record.expiresAt && record.expiresAt.getTime() <= Date.now()) {
    throw new RejectedKeyError(
      "expired_key",
      `The ${kindLabel(kind)} ${keyId} expired on ${record.expiresAt.toISOString()}. Create a new key.`,
      record,
    );
  }
  return record;
}
