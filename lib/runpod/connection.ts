import { and, eq, isNotNull } from "drizzle-orm";
import { getDb } from "@/lib/db/client";
import { apiKeys, type RunpodConnection, runpodConnections } from "@/lib/db/schema";
import { ApiError, type FieldProblem } from "@/lib/http/errors";
import { logger } from "@/lib/log";
import { ApiKeyDecryptionError, decryptApiKey, encryptApiKey } from "./api-key-encryption";
import { describeFailure, RunpodClient } from "./client";
import { ENDPOINT_ID_PATTERN, endpointIdFromInput } from "./status";

/**
 * An account's RunPod connection: the RunPod API key the watchdog polls with, stored
 * encrypted and never returned to the dashboard. Only its last four characters and the
 * time it was saved are shown.
 */

/** The parts of a connection that the settings page may show. */
export interface ConnectionSummary {
  endpointId: string;
  apiKeyLast4: string;
  savedAt: Date;
  failingSince: Date | null;
  failureMessage: string | null;
}

const MAX_API_KEY_LENGTH = 512;

function toSummary(row: RunpodConnection): ConnectionSummary {
  return {
    endpointId: row.endpointId,
    apiKeyLast4: row.apiKeyLast4,
    savedAt: row.savedAt,
    failingSince: row.failingSince,
    failureMessage: row.failureMessage,
  };
}

function invalid(fields: FieldProblem[]): ApiError {
  return new ApiError(
    "invalid_fields",
    fields.map((problem) => `${problem.field}: ${problem.message}`).join("; "),
    fields,
  );
}

export async function getConnectionSummary(accountId: string): Promise<ConnectionSummary | null> {
  const db = await getDb();
  const [row] = await db
    .select()
    .from(runpodConnections)
    .where(eq(runpodConnections.accountId, accountId));
  return row ? toSummary(row) : null;
}

/**
 * Tests `apiKey` against RunPod's `/health` of `endpointId` and saves it for the account,
 * replacing any earlier key and clearing a failing mark. Throws an `invalid_fields`
 * ApiError that explains RunPod's response when the test fails, and saves nothing then.
 */
export async function saveConnection({
  accountId,
  apiKey,
  endpointId,
}: {
  accountId: string;
  apiKey: string;
  endpointId: string;
}): Promise<ConnectionSummary> {
  const key = apiKey.trim();
  const endpoint = endpointIdFromInput(endpointId);
  const problems: FieldProblem[] = [];
  if (key === "") problems.push({ field: "apiKey", message: "enter your RunPod API key" });
  else if (key.length > MAX_API_KEY_LENGTH || /\s/.test(key)) {
    problems.push({
      field: "apiKey",
      message: "is not a RunPod API key; copy it again from RunPod's Settings > API Keys",
    });
  }
  if (endpoint === "") {
    problems.push({
      field: "endpointId",
      message:
        "enter your RunPod endpoint id: the 14 letters and digits in the endpoint's console URL",
    });
  } else if (!ENDPOINT_ID_PATTERN.test(endpoint)) {
    problems.push({
      field: "endpointId",
      message: `"${endpoint}" is not a RunPod endpoint id: 14 lowercase letters and digits, as in the endpoint's console URL`,
    });
  }
  if (problems.length > 0) throw invalid(problems);

  const check = await new RunpodClient({ apiKey: key }).health(endpoint);
  if (!check.ok) {
    logger.info(
      { accountId, endpointId: endpoint, outcome: check.kind },
      "runpod connection test failed",
    );
    const field = check.kind === "not_found" ? "endpointId" : "apiKey";
    const explanation =
      check.kind === "not_found"
        ? `RunPod returned 404 Not Found for endpoint ${endpoint}: check the endpoint id. Nothing was saved.`
        : `${describeFailure(check)} Nothing was saved.`;
    throw invalid([{ field, message: explanation }]);
  }

  const values = {
    accountId,
    endpointId: endpoint,
    encryptedApiKey: encryptApiKey(key, accountId),
    apiKeyLast4: key.slice(-4),
    savedAt: new Date(),
    failingSince: null,
    failureMessage: null,
    rateLimitedUntil: null,
  };
  const db = await getDb();
  const [row] = await db
    .insert(runpodConnections)
    .values(values)
    .onConflictDoUpdate({ target: runpodConnections.accountId, set: values })
    .returning();
  logger.info({ accountId, endpointId: endpoint }, "runpod connection saved");
  return toSummary(row!);
}

/** Removes the account's RunPod connection; the watchdog stops polling for it. */
export async function removeConnection(accountId: string): Promise<boolean> {
  const db = await getDb();
  const removed = await db
    .delete(runpodConnections)
    .where(eq(runpodConnections.accountId, accountId))
    .returning({ accountId: runpodConnections.accountId });
  if (removed.length > 0) logger.info({ accountId }, "runpod connection removed");
  return removed.length > 0;
}

/**
 * Returns the account's RunPod API key, or null without a connection. A value encrypted
 * under the previous encryption key is re-encrypted under the current one on the way.
 */
export async function readApiKey(accountId: string): Promise<string | null> {
  const db = await getDb();
  const [row] = await db
    .select()
    .from(runpodConnections)
    .where(eq(runpodConnections.accountId, accountId));
  if (!row) return null;
  const { apiKey, stale } = decryptApiKey(row.encryptedApiKey, accountId);
  if (stale) await reencrypt(row, apiKey);
  return apiKey;
}

/** Replaces the stored value unless the key was saved again in the meantime. */
async function reencrypt(row: RunpodConnection, apiKey: string): Promise<boolean> {
  const db = await getDb();
  const updated = await db
    .update(runpodConnections)
    .set({ encryptedApiKey: encryptApiKey(apiKey, row.accountId) })
    .where(
      and(
        eq(runpodConnections.accountId, row.accountId),
        eq(runpodConnections.encryptedApiKey, row.encryptedApiKey),
      ),
    )
    .returning({ accountId: runpodConnections.accountId });
  return updated.length > 0;
}

/** One stored encrypted value, and how to replace it unless it changed in the meantime. */
interface EncryptedValue {
  accountId: string;
  stored: string;
  replace: (value: string) => Promise<boolean>;
}

/**
 * Re-encrypts every stored value that the previous encryption key encrypted: the RunPod
 * API keys of connections and the inspector webhook keys the submit proxy reads, so that
 * CHIRP_RUNPOD_ENCRYPTION_KEY_PREVIOUS can be unset afterwards. A value that neither key
 * decrypts is left as it is and its account listed, so one bad row does not stop the rest.
 */
export async function reencryptStoredValues(): Promise<{
  reencrypted: number;
  current: number;
  unreadable: number;
  unreadableAccountIds: string[];
}> {
  const db = await getDb();
  const connections = await db.select().from(runpodConnections);
  const inspectorKeys = await db
    .select({ id: apiKeys.id, accountId: apiKeys.accountId, stored: apiKeys.encryptedSecret })
    .from(apiKeys)
    .where(isNotNull(apiKeys.encryptedSecret));
  const values: EncryptedValue[] = [
    ...connections.map((row) => ({
      accountId: row.accountId,
      stored: row.encryptedApiKey,
      replace: (value: string) => reencrypt(row, value),
    })),
    ...inspectorKeys.map(({ id, accountId, stored }) => ({
      accountId,
      stored: stored!,
      replace: async (value: string) => {
        const updated = await db
          .update(apiKeys)
          .set({ encryptedSecret: encryptApiKey(value, accountId) })
          .where(and(eq(apiKeys.id, id), eq(apiKeys.encryptedSecret, stored!)))
          .returning({ id: apiKeys.id });
        return updated.length > 0;
      },
    })),
  ];

  let reencrypted = 0;
  let unreadable = 0;
  const unreadableAccountIds = new Set<string>();
  for (const value of values) {
    let decrypted: { apiKey: string; stale: boolean };
    try {
      decrypted = decryptApiKey(value.stored, value.accountId);
    } catch (error) {
      if (!(error instanceof ApiKeyDecryptionError)) throw error;
      unreadable++;
      unreadableAccountIds.add(value.accountId);
      continue;
    }
    if (decrypted.stale && (await value.replace(decrypted.apiKey))) reencrypted++;
  }
  return {
    reencrypted,
    current: values.length - reencrypted - unreadable,
    unreadable,
    unreadableAccountIds: [...unreadableAccountIds],
  };
}

/** Marks the connection as failing after RunPod rejected its key. */
export async function markConnectionFailing(accountId: string, message: string): Promise<void> {
  const db = await getDb();
  await db
    .update(runpodConnections)
    .set({ failingSince: new Date(), failureMessage: message })
    .where(eq(runpodConnections.accountId, accountId));
}

/** Stops polling for the account until `until`, after RunPod returned 429. */
export async function setRateLimitedUntil(accountId: string, until: Date): Promise<void> {
  const db = await getDb();
  await db
    .update(runpodConnections)
    .set({ rateLimitedUntil: until })
    .where(eq(runpodConnections.accountId, accountId));
}
