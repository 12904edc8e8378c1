import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { generateKey } from "./format";

// Keys carry a signature so that forged and mistyped keys are rejected before any
// database query. Here the database is unreachable: a query would turn the response into
// 503 database_unavailable, so a 401 proves that no query was made. Reads of the
// process's connection slot are counted as a second witness.

const savedEnvironment = {
  DATABASE_URL: process.env.DATABASE_URL,
  CHIRP_DB_DRIVER: process.env.CHIRP_DB_DRIVER,
};
const slot = globalThis as typeof globalThis & { chirpConnection?: unknown };
let connectionReads = 0;
let connection: unknown;

type Route = (request: Request, context: unknown) => Promise<Response>;
let webhookRoute: Route;
let activityRoute: Route;

beforeAll(async () => {
  process.env.DATABASE_URL = "postgres://nobody@127.0.0.1:9/none";
  process.env.CHIRP_DB_DRIVER = "postgres";
  Object.defineProperty(globalThis, "chirpConnection", {
    configurable: true,
    get() {
      connectionReads++;
      return connection;
    },
    set(value: unknown) {
      connection = value;
    },
  });
  webhookRoute = (await import("@/app/v1/webhooks/runpod/route")).POST as Route;
  activityRoute = (await import("@/app/v1/activity/[action]/route")).POST as Route;
});

afterAll(() => {
  delete slot.chirpConnection;
  for (const [name, value] of Object.entries(savedEnvironment)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

beforeEach(() => {
  connectionReads = 0;
});

function forge(key: string): string {
  const signature = key.slice(-32);
  return key.slice(0, -32) + (signature.startsWith("0") ? "1" : "0") + signature.slice(1);
}

async function callWebhook(key: string) {
  const response = await webhookRoute(
    new Request(`http://chirp.test/v1/webhooks/runpod?key=${key}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ id: `${randomUUID()}-u1`, status: "COMPLETED" }),
    }),
    undefined,
  );
  return {
    status: response.status,
    json: (await response.json()) as { error: { code: string; message: string } },
  };
}

async function callActivityStart(apiKey: string) {
  const response = await activityRoute(
    new Request("http://chirp.test/v1/activity/start", {
      method: "POST",
      headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
      body: JSON.stringify({ schema_id: "@runpod", data: { key: `${randomUUID()}-u1` } }),
    }),
    { params: Promise.resolve({ action: "start" }) },
  );
  return {
    status: response.status,
    json: (await response.json()) as { error: { code: string; message: string } },
  };
}

describe("key rejected before any query", () => {
  it("forged webhook key: 401 invalid_key", async () => {
    const response = await callWebhook(forge(generateKey("webhook").key));

    expect(response.status).toBe(401);
    expect(response.json.error.code).toBe("invalid_key");
    expect(connectionReads).toBe(0);
    expect(slot.chirpConnection).toBeUndefined();
  });

  it("truncated webhook key: 401 invalid_key", async () => {
    const response = await callWebhook(generateKey("webhook").key.slice(0, -1));

    expect(response.status).toBe(401);
    expect(response.json.error.code).toBe("invalid_key");
    expect(connectionReads).toBe(0);
  });

  it("API key on the webhook URL: 401 wrong_key_kind", async () => {
    const response = await callWebhook(generateKey("api").key);

    expect(response.status).toBe(401);
    expect(response.json.error.code).toBe("wrong_key_kind");
    expect(connectionReads).toBe(0);
  });

  it("forged API key: 401 invalid_key", async () => {
    const response = await callActivityStart(forge(generateKey("api").key));

    expect(response.status).toBe(401);
    expect(response.json.error.code).toBe("invalid_key");
    expect(connectionReads).toBe(0);
    expect(slot.chirpConnection).toBeUndefined();
  });

  it("key from another server secret: 401 invalid_key", async () => {
    const current = process.env.CHIRP_KEY_SECRET;
    process.env.CHIRP_KEY_SECRET = "another-server-secret-0123456789abcdef";
    const foreign = generateKey("webhook").key;
    process.env.CHIRP_KEY_SECRET = current;

    const response = await callWebhook(foreign);

    expect(response.status).toBe(401);
    expect(response.json.error.code).toBe("invalid_key");
    expect(connectionReads).toBe(0);
  });

  // Shows that this setup can detect a query: a correctly signed key must be looked up.
  it("validly signed key is looked up: 503", async () => {
    const response = await callWebhook(generateKey("webhook").key);

    expect(response.status).toBe(503);
    expect(response.json.error.code).toBe("database_unavailable");
    expect(connectionReads).toBeGreaterThan(0);
  });
});
