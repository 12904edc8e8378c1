import { randomUUID } from "node:crypto";
import { POST as activityRoute } from "@/app/v1/activity/[action]/route";
import { POST as proxyRoute } from "@/app/v1/runpod/[endpointId]/[action]/route";
import { POST as webhookRoute } from "@/app/v1/webhooks/runpod/route";
import { createAccount } from "@/lib/accounts/store";
import { createKey } from "@/lib/keys/store";
import { saveConnection } from "@/lib/runpod/connection";

/** Creates a fresh account with one key of each kind, because tests share a database. */
export async function createTestAccount() {
  const account = await createAccount({
    email: `test-${randomUUID()}@example.test`,
    password: "correct horse battery",
  });
  const actor = `account:${account.id}` as const;
  const webhook = await createKey({
    accountId: account.id,
    kind: "webhook",
    name: "test webhook",
    actor,
  });
  const api = await createKey({ accountId: account.id, kind: "api", name: "test api", actor });
  return {
    account,
    webhookKey: webhook.key,
    webhookKeyId: webhook.record.id,
    apiKey: api.key,
    apiKeyId: api.record.id,
  };
}

/** Creates a test account whose RunPod connection uses `apiKey`, checked against `endpointId`. */
export async function createConnectedTestAccount({
  apiKey,
  endpointId,
}: {
  apiKey: string;
  endpointId: string;
}) {
  const keys = await createTestAccount();
  await saveConnection({ accountId: keys.account.id, apiKey, endpointId });
  return keys;
}

export function jobId(suffix = "-u1"): string {
  return `${randomUUID()}${suffix}`;
}

/** Calls the webhook route handler as RunPod would; `body` objects are sent as JSON. */
export async function postWebhook(
  key: string | null,
  body: unknown,
  headers: Record<string, string> = { "content-type": "application/json" },
): Promise<{ status: number; json: Record<string, unknown>; headers: Headers }> {
  const url =
    key === null
      ? "http://chirp.test/v1/webhooks/runpod"
      : `http://chirp.test/v1/webhooks/runpod?key=${encodeURIComponent(key)}`;
  const response = await webhookRoute(
    new Request(url, {
      method: "POST",
      headers,
      body: typeof body === "string" ? body : JSON.stringify(body),
    }),
    undefined,
  );
  return {
    status: response.status,
    json: (await response.json()) as Record<string, unknown>,
    headers: response.headers,
  };
}

// Tests read success and error bodies through one type, so its fields are left untyped.
// biome-ignore lint/suspicious/noExplicitAny: response bodies of several shapes
type ResponseBody = Record<string, any>;

/** Calls `POST /v1/activity/<action>` with a bearer API key and any `extraHeaders`. */
export async function postActivity(
  action: string,
  apiKey: string | null,
  body: unknown,
  extraHeaders: Record<string, string> = {},
): Promise<{ status: number; json: ResponseBody; headers: Headers }> {
  const headers: Record<string, string> = {
    "content-type": "application/json",
    ...extraHeaders,
  };
  if (apiKey !== null) headers.authorization = `Bearer ${apiKey}`;
  const response = await activityRoute(
    new Request(`http://chirp.test/v1/activity/${action}`, {
      method: "POST",
      headers,
      body: typeof body === "string" ? body : JSON.stringify(body),
    }),
    { params: Promise.resolve({ action }) },
  );
  return {
    status: response.status,
    json: (await response.json()) as ResponseBody,
    headers: response.headers,
  };
}

/**
 * Calls the RunPod submit proxy, `POST /v1/runpod/<endpointId>/<action><query>`, with a
 * bearer API key; `body` objects are sent as JSON. Returns the raw response.
 */
export async function postProxy({
  apiKey,
  endpointId,
  action = "run",
  query = "",
  body,
  headers = {},
}: {
  apiKey: string;
  endpointId: string;
  action?: string;
  query?: string;
  body: unknown;
  headers?: Record<string, string>;
}): Promise<Response> {
  return proxyRoute(
    new Request(`http://chirp.test/v1/runpod/${endpointId}/${action}${query}`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${apiKey}`,
        "content-type": "application/json",
        ...headers,
      },
      body: typeof body === "string" ? body : JSON.stringify(body),
    }),
    { params: Promise.resolve({ endpointId, action }) },
  );
}

export function runpodStart(key: string, data: Record<string, unknown> = {}) {
  return {
    schema_id: "@runpod",
    data: { key, jobName: "sdxl-batch", endpoint: "isxbq1e254mbjz", ...data },
  };
}
