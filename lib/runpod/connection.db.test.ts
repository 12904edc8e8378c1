import { randomBytes } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/lib/db/client";
import { runpodConnections } from "@/lib/db/schema";
import { ApiError } from "@/lib/http/errors";
import { createTestAccount } from "@/lib/testing/fixtures";
import { encryptionKeyId } from "./api-key-encryption";
import {
  getConnectionSummary,
  readApiKey,
  reencryptAllApiKeys,
  removeConnection,
  saveConnection,
} from "./connection";
import { type RunpodSimulator, startRunpodSimulator } from "./simulator";

const ENDPOINT = "abcdefgh012345";
const RUNPOD_API_KEY = `rpa_${randomBytes(24).toString("hex").toUpperCase()}`;

let simulator: RunpodSimulator;
const originalEnv = { ...process.env };

beforeAll(async () => {
  simulator = await startRunpodSimulator({ apiKey: RUNPOD_API_KEY });
  process.env.CHIRP_RUNPOD_BASE_URL = simulator.url;
});

afterEach(() => {
  process.env.CHIRP_RUNPOD_ENCRYPTION_KEY = originalEnv.CHIRP_RUNPOD_ENCRYPTION_KEY;
  delete process.env.CHIRP_RUNPOD_ENCRYPTION_KEY_PREVIOUS;
});

afterAll(async () => {
  delete process.env.CHIRP_RUNPOD_BASE_URL;
  await simulator.close();
});

async function storedRow(accountId: string) {
  const db = await getDb();
  const [row] = await db
    .select()
    .from(runpodConnections)
    .where(eq(runpodConnections.accountId, accountId));
  return row!;
}

function newEncryptionKey(): string {
  return randomBytes(32).toString("base64");
}

describe("RunPod connection", () => {
  it("round trip returns the saved key", async () => {
    const { account } = await createTestAccount();

    const summary = await saveConnection({
      accountId: account.id,
      apiKey: RUNPOD_API_KEY,
      endpointId: ENDPOINT,
    });

    expect(summary.apiKeyLast4).toBe(RUNPOD_API_KEY.slice(-4));
    expect(summary.endpointId).toBe(ENDPOINT);
    expect(await readApiKey(account.id)).toBe(RUNPOD_API_KEY);
  });

  it("key is not readable in the database row", async () => {
    const { account } = await createTestAccount();
    await saveConnection({ accountId: account.id, apiKey: RUNPOD_API_KEY, endpointId: ENDPOINT });

    const db = await getDb();
    const rows = await db.execute(
      sql`select row_to_json(c)::text as row from runpod_connections c where account_id = ${account.id}`,
    );
    const text = JSON.stringify(rows);
    expect(text).toContain(account.id);
    expect(text).not.toContain(RUNPOD_API_KEY);
    expect(text).not.toContain(RUNPOD_API_KEY.slice(0, 12));
    expect(text).not.toContain(Buffer.from(RUNPOD_API_KEY).toString("base64url").slice(0, 16));
    expect(text).not.toContain(Buffer.from(RUNPOD_API_KEY).toString("hex").slice(0, 16));
  });

  it("stored value names its encryption key", async () => {
    const { account } = await createTestAccount();
    await saveConnection({ accountId: account.id, apiKey: RUNPOD_API_KEY, endpointId: ENDPOINT });

    const row = await storedRow(account.id);
    const currentKey = Buffer.from(process.env.CHIRP_RUNPOD_ENCRYPTION_KEY!, "base64");
    expect(row.encryptedApiKey.split(":").slice(0, 2)).toEqual(["v1", encryptionKeyId(currentKey)]);
  });

  it("rotation keeps old values readable and re-encrypts them", async () => {
    const { account } = await createTestAccount();
    const oldKey = newEncryptionKey();
    const newKey = newEncryptionKey();
    process.env.CHIRP_RUNPOD_ENCRYPTION_KEY = oldKey;
    await saveConnection({ accountId: account.id, apiKey: RUNPOD_API_KEY, endpointId: ENDPOINT });
    const before = await storedRow(account.id);

    process.env.CHIRP_RUNPOD_ENCRYPTION_KEY = newKey;
    process.env.CHIRP_RUNPOD_ENCRYPTION_KEY_PREVIOUS = oldKey;
    expect(await readApiKey(account.id)).toBe(RUNPOD_API_KEY);

    const after = await storedRow(account.id);
    expect(after.encryptedApiKey).not.toBe(before.encryptedApiKey);
    expect(after.encryptedApiKey.split(":")[1]).toBe(
      encryptionKeyId(Buffer.from(newKey, "base64")),
    );
    delete process.env.CHIRP_RUNPOD_ENCRYPTION_KEY_PREVIOUS;
    expect(await readApiKey(account.id)).toBe(RUNPOD_API_KEY);
  });

  it("re-encryption command moves every old value to the current key", async () => {
    const { account } = await createTestAccount();
    const oldKey = newEncryptionKey();
    process.env.CHIRP_RUNPOD_ENCRYPTION_KEY = oldKey;
    await saveConnection({ accountId: account.id, apiKey: RUNPOD_API_KEY, endpointId: ENDPOINT });

    process.env.CHIRP_RUNPOD_ENCRYPTION_KEY = newEncryptionKey();
    process.env.CHIRP_RUNPOD_ENCRYPTION_KEY_PREVIOUS = oldKey;
    const result = await reencryptAllApiKeys();

    expect(result.reencrypted).toBeGreaterThanOrEqual(1);
    delete process.env.CHIRP_RUNPOD_ENCRYPTION_KEY_PREVIOUS;
    expect(await readApiKey(account.id)).toBe(RUNPOD_API_KEY);
  });

  it("value without its encryption key fails with the fix", async () => {
    const { account } = await createTestAccount();
    await saveConnection({ accountId: account.id, apiKey: RUNPOD_API_KEY, endpointId: ENDPOINT });

    process.env.CHIRP_RUNPOD_ENCRYPTION_KEY = newEncryptionKey();

    await expect(readApiKey(account.id)).rejects.toThrow(/CHIRP_RUNPOD_ENCRYPTION_KEY_PREVIOUS/);
  });

  it("bad key from RunPod's 401 is rejected and nothing saved", async () => {
    const { account } = await createTestAccount();

    const error = await saveConnection({
      accountId: account.id,
      apiKey: "rpa_WRONGKEY0000",
      endpointId: ENDPOINT,
    }).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ApiError);
    const apiError = error as ApiError;
    expect(apiError.code).toBe("invalid_fields");
    expect(apiError.fields?.[0]?.field).toBe("apiKey");
    expect(apiError.message).toContain("RunPod rejected the API key (401)");
    expect(apiError.message).toContain("Nothing was saved");
    expect(apiError.message).not.toContain("rpa_WRONGKEY0000");
    expect(await getConnectionSummary(account.id)).toBeNull();
  });

  it("malformed endpoint id is rejected before calling RunPod", async () => {
    const { account } = await createTestAccount();

    const error = await saveConnection({
      accountId: account.id,
      apiKey: RUNPOD_API_KEY,
      endpointId: "My-Endpoint",
    }).catch((caught: unknown) => caught);

    expect((error as ApiError).fields).toEqual([expect.objectContaining({ field: "endpointId" })]);
    expect(await getConnectionSummary(account.id)).toBeNull();
  });

  it("remove deletes the connection", async () => {
    const { account } = await createTestAccount();
    await saveConnection({ accountId: account.id, apiKey: RUNPOD_API_KEY, endpointId: ENDPOINT });

    expect(await removeConnection(account.id)).toBe(true);

    expect(await getConnectionSummary(account.id)).toBeNull();
    expect(await readApiKey(account.id)).toBeNull();
  });
});
