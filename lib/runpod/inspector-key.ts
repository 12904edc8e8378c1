import { and, desc, eq, isNotNull, isNull } from "drizzle-orm";
import { publicBaseUrl } from "@/lib/config";
import { getDb, type Transaction } from "@/lib/db/client";
import { type ApiKey, apiKeys, runpodConnections } from "@/lib/db/schema";
import { webhookUrl } from "@/lib/keys/examples";
import { keyMatchesHash } from "@/lib/keys/format";
import { createKey } from "@/lib/keys/store";
import { logger } from "@/lib/log";
import { ApiKeyDecryptionError, decryptApiKey } from "./api-key-encryption";

/**
 * The webhook key that the RunPod submit proxy puts in the jobs it forwards. Chirp stores
 * only hashes of keys, so this one key per account also keeps its value, encrypted like
 * the RunPod API key. It is listed on the keys page like any key. Once it is revoked or
 * expired, or its stored value no longer matches, the next submit mints a new one.
 */

export const INSPECTOR_KEY_NAME = "RunPod inspector";

/** Returns the webhook URL for jobs submitted through the proxy, minting its key when needed. */
export async function inspectorWebhookUrl(accountId: string): Promise<string> {
  const db = await getDb();
  const key = await db.transaction(async (tx) => {
    // Locking the connection row orders concurrent first submits of one account, so only
    // one of them mints a key. The proxy submits only for accounts with a connection.
    await tx
      .select({ accountId: runpodConnections.accountId })
      .from(runpodConnections)
      .where(eq(runpodConnections.accountId, accountId))
      .for("update");
    const current = await readWorkingKey(tx, accountId);
    if (current) return current;

    const created = await createKey({
      accountId,
      kind: "webhook",
      name: INSPECTOR_KEY_NAME,
      readable: true,
      executor: tx,
      actor: "runpod-proxy",
    });
    logger.info({ accountId, keyId: created.record.id }, "minted the RunPod inspector webhook key");
    return created.key;
  });
  return webhookUrl(publicBaseUrl(), key);
}

/** Returns the value of the account's newest usable inspector key, or null when it has none. */
async function readWorkingKey(tx: Transaction, accountId: string): Promise<string | null> {
  const rows = await tx
    .select()
    .from(apiKeys)
    .where(
      and(
        eq(apiKeys.accountId, accountId),
        eq(apiKeys.kind, "webhook"),
        isNotNull(apiKeys.encryptedSecret),
        isNull(apiKeys.revokedAt),
      ),
    )
    .orderBy(desc(apiKeys.createdAt));
  const now = Date.now();
  for (const row of rows) {
    if (row.expiresAt && row.expiresAt.getTime() <= now) continue;
    const value = decryptSecret(row);
    if (value !== null && keyMatchesHash(value, row.secretHash)) return value;
  }
  return null;
}

function decryptSecret(row: ApiKey): string | null {
  try {
    return decryptApiKey(row.encryptedSecret!, row.accountId).apiKey;
  } catch (error) {
    if (!(error instanceof ApiKeyDecryptionError)) throw error;
    // A value under a retired encryption key cannot be used, so a new key replaces it.
    logger.warn(
      { accountId: row.accountId, keyId: row.id, reason: error.message },
      "cannot decrypt the stored RunPod inspector webhook key; minting a new one",
    );
    return null;
  }
}
