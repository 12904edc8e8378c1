import { randomUUID } from "node:crypto";
import { BASE_URL } from "./environment";

/** Calls to Chirp's public HTTP API, made the way a user's submission script makes them. */

export const ENDPOINT_ID = "e2etestendpt01";

export interface ApiResponse {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: tests read fields of several response shapes.
  json: Record<string, any>;
}

async function readResponse(response: Response): Promise<ApiResponse> {
  const text = await response.text();
  try {
    return { status: response.status, json: JSON.parse(text) as Record<string, unknown> };
  } catch {
    throw new Error(
      `${response.url} answered ${response.status} with a body that is not JSON: ${text.slice(0, 500)}`,
    );
  }
}

/** A RunPod-style job id: a UUID with a `-u1` suffix, as RunPod's /run returns. */
export function newJobId(): string {
  return `${randomUUID()}-u1`;
}

/** `POST /v1/activity/<action>` with the API key as a bearer token. */
export async function postActivity(
  action: "start" | "update" | "end",
  apiKey: string,
  data: Record<string, unknown>,
): Promise<ApiResponse> {
  const response = await fetch(`${BASE_URL}/v1/activity/${action}`, {
    method: "POST",
    headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
    body: JSON.stringify({ schema_id: "@runpod", data }),
  });
  return readResponse(response);
}

/** Opens the card for a job, as a submission script does right after RunPod's /run. */
export function startActivity(apiKey: string, jobId: string): Promise<ApiResponse> {
  return postActivity("start", apiKey, {
    key: jobId,
    jobName: "e2e-render",
    endpoint: ENDPOINT_ID,
  });
}

/** Submits a job through Chirp's RunPod proxy, `POST /v1/runpod/<endpoint_id>/run`. */
export async function submitThroughProxy(
  apiKey: string,
  body: Record<string, unknown>,
  jobName?: string,
): Promise<ApiResponse> {
  const response = await fetch(`${BASE_URL}/v1/runpod/${ENDPOINT_ID}/run`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${apiKey}`,
      "content-type": "application/json",
      ...(jobName ? { "x-chirp-job-name": jobName } : {}),
    },
    body: JSON.stringify(body),
  });
  return readResponse(response);
}

export function webhookUrl(webhookKey: string): string {
  return `${BASE_URL}/v1/webhooks/runpod?key=${encodeURIComponent(webhookKey)}`;
}

/** Posts a body to a webhook URL as RunPod does: JSON, no other credential than the key. */
export async function postWebhook(url: string, body: string | object): Promise<ApiResponse> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return readResponse(response);
}

/** Builds the RunPod status object of a COMPLETED job, as a completion webhook sends it. */
export function completedStatusObject(
  jobId: string,
  output: unknown = { results: [{ success: true }] },
) {
  return {
    id: jobId,
    status: "COMPLETED",
    delayTime: 812,
    executionTime: 4210,
    workerId: "e2eworker00001",
    output,
  };
}
