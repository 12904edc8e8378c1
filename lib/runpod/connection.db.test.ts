import { randomBytes } from "node:crypto";
import { and, eq, isNotNull, sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { DELETE, GET, PUT } from "@/app/v1/runpod-connection/route";
import { getDb } from "@/lib/db/client";
import { apiKeys, runpodConnections } from "@/lib/db/schema";
import { ApiError } from "@/lib/http/errors";
import { listKeyAudit } from "@/lib/keys/audit";
import { createTestAccount } from "@/lib/testing/fixtures";
import { encryptionKeyId } from "./api-key-encryption";
import {
  getConnectionSummary,
  readApiKey,
  reencryptStoredValues,
  removeConnection,
  saveConnection,
} from "./connection";
import { INSPECTOR_KEY_NAME, inspectorWebhookUrl } from "./inspector-key";
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
    const result = await reencryptStoredValues();

    expect(result.reencrypted).toBeGreaterThanOrEqual(1);
    delete process.env.CHIRP_RUNPOD_ENCRYPTION_KEY_PREVIOUS;
    expect(await readApiKey(account.id)).toBe(RUNPOD_API_KEY);
  });

  it("re-encryption command keeps the inspector webhook key working", async () => {
    const { account } = await createTestAccount();
    const oldKey = newEncryptionKey();
    process.env.CHIRP_RUNPOD_ENCRYPTION_KEY = oldKey;
    await saveConnection({ accountId: account.id, apiKey: RUNPOD_API_KEY, endpointId: ENDPOINT });
    const webhookUrl = await inspectorWebhookUrl(account.id);

    process.env.CHIRP_RUNPOD_ENCRYPTION_KEY = newEncryptionKey();
    process.env.CHIRP_RUNPOD_ENCRYPTION_KEY_PREVIOUS = oldKey;
    await reencryptStoredValues();
    delete process.env.CHIRP_RUNPOD_ENCRYPTION_KEY_PREVIOUS;

    // Without the re-encryption, the old value would be unreadable and a new key minted.
    expect(await inspectorWebhookUrl(account.id)).toBe(webhookUrl);
    const db = await getDb();
    const inspectorKeys = await db
      .select({ id: apiKeys.id })
      .from(apiKeys)
      .where(and(eq(apiKeys.accountId, account.id), isNotNull(apiKeys.encryptedSecret)));
    expect(inspectorKeys).toHaveLength(1);
  });

  it("inspector key history names the proxy", async () => {
    const { account } = await createTestAccount();
    await saveConnection({ accountId: account.id, apiKey: RUNPOD_API_KEY, endpointId: ENDPOINT });
    await inspectorWebhookUrl(account.id);
    const db = await getDb();
    const [key] = await db
      .select({ id: apiKeys.id })
      .from(apiKeys)
      .where(and(eq(apiKeys.accountId, account.id), eq(apiKeys.name, INSPECTOR_KEY_NAME)));

    const trail = await listKeyAudit({ accountId: account.id, keyId: key!.id });
    expect(trail.map(({ action, actor, actorName }) => ({ action, actor, actorName }))).toEqual([
      { action: "create", actor: "runpod-proxy", actorName: "Chirp's RunPod proxy" },
    ]);
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

  it("console URL is read as its endpoint id", async () => {
    const { account } = await createTestAccount();

    const summary = await saveConnection({
      accountId: account.id,
      apiKey: RUNPOD_API_KEY,
      endpointId: ` https://console.runpod.io/serverless/user/endpoint/${ENDPOINT}?tab=requests `,
    });

    expect(summary.endpointId).toBe(ENDPOINT);
  });

  it("empty endpoint id asks for one", async () => {
    const { account } = await createTestAccount();

    const error = await saveConnection({
      accountId: account.id,
      apiKey: RUNPOD_API_KEY,
      endpointId: "  ",
    }).catch((caught: unknown) => caught);

    expect((error as ApiError).fields).toEqual([
      {
        field: "endpointId",
        message:
          "enter your RunPod endpoint id: the 14 letters and digits in the endpoint's console URL",
      },
    ]);
  });

  it("remove deletes the connection", async () => {
    const { account } = await createTestAccount();
    await saveConnection({ accountId: account.id, apiKey: RUNPOD_API_KEY, endpointId: ENDPOINT });

    expect(await removeConnection(account.id)).toBe(true);

    expect(await getConnectionSummary(account.id)).toBeNull();
    expect(await readApiKey(account.id)).toBeNull();
  });
});

async function callConnectionRoute(
  handler: typeof PUT,
  apiKey: string,
  body?: unknown,
): Promise<{ status: number; text: string }> {
  const response = await handler(
    new Request("http://chirp.test/v1/runpod-connection", {
      method: body === undefined ? "GET" : "PUT",
      headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    }),
    undefined,
  );
  return { status: response.status, text: await response.text() };
}

describe("PUT /v1/runpod-connection", () => {
  it("saves a working key and never returns it", async () => {
    const { account, apiKey } = await createTestAccount();

    const saved = await callConnectionRoute(PUT, apiKey, {
      apiKey: RUNPOD_API_KEY,
      endpointId: ENDPOINT,
    });
    const read = await callConnectionRoute(GET, apiKey);

    expect(saved.status).toBe(200);
    expect(JSON.parse(saved.text).connection.apiKeyLast4).toBe(RUNPOD_API_KEY.slice(-4));
    expect(saved.text).not.toContain(RUNPOD_API_KEY);
    expect(read.status).toBe(200);
    expect(read.text).not.toContain(RUNPOD_API_KEY);
    expect(await readApiKey(account.id)).toBe(RUNPOD_API_KEY);
  });

  it("rejects a key RunPod refuses with 422", async () => {
    const { account, apiKey } = await createTestAccount();

    const rejected = await callConnectionRoute(PUT, apiKey, {
      apiKey: "rpa_WRONGKEY0000",
      endpointId: ENDPOINT,
    });

    expect(rejected.status).toBe(422);
    expect(JSON.parse(rejected.text).error.fields[0].field).toBe("apiKey");
    expect(await getConnectionSummary(account.id)).toBeNull();
  });

  it("names missing fields", async () => {
    const { apiKey } = await createTestAccount();

    const rejected = await callConnectionRoute(PUT, apiKey, { endpointId: ENDPOINT });

    expect(rejected.status).toBe(422);
    expect(JSON.parse(rejected.text).error.fields).toEqual([
      { field: "apiKey", message: "required: a string" },
    ]);
  });

  it("DELETE removes the connection", async () => {
    const { account, apiKey } = await createTestAccount();
    await saveConnection({ accountId: account.id, apiKey: RUNPOD_API_KEY, endpointId: ENDPOINT });

    const response = await DELETE(
      new Request("http://chirp.test/v1/runpod-connection", {
        method: "DELETE",
        headers: { authorization: `Bearer ${apiKey}` },
      }),
      undefined,
    );

    expect(await response.json()).toEqual({ removed: true });
    expect((await callConnectionRoute(GET, apiKey)).status).toBe(404);
  });
});
