import { createHash } from "node:crypto";
import { getActivityByKey } from "@/lib/activities/store";
import { storedBodyBytes } from "@/lib/config";
import { getDb } from "@/lib/db/client";
import { type Activity, type ApiKey, deliveries } from "@/lib/db/schema";
import { ApiError } from "@/lib/http/errors";
import { decodeJsonText } from "@/lib/http/handler";
import { newId } from "@/lib/ids";
import { clientIp } from "@/lib/keys/audit";
import { describeEndpoints } from "@/lib/keys/endpoints";
import { verifyKeySignature } from "@/lib/keys/format";
import { enforceRateLimit, rateLimitHeaders, withRateLimitHeaders } from "@/lib/keys/rate-limit";
import { authenticateKey, RejectedKeyError } from "@/lib/keys/store";
import { countKeyUse } from "@/lib/keys/usage";
import { REDACTED, redactSecrets } from "./redact";
import { jsonText, replaceNul } from "./status";
import { applyStatusObject, toStatusObject } from "./status-object";

export const MAX_JOB_ID_LENGTH = 256;

export interface WebhookRequest {
  /** The `key` query parameter, or null when absent. */
  key: string | null;
  headers: Headers;
  body: Uint8Array;
  /** True when the body was cut off at the size limit. */
  tooLarge: boolean;
  maxBytes: number;
}

export interface WebhookResult {
  status: number;
  body: Record<string, unknown>;
  /** The key's rate limit headers. */
  headers: Record<string, string>;
  deliveryId?: string;
}

// Headers worth keeping for a user inspecting a delivery; credentials are never stored.
const DROPPED_HEADERS = new Set(["authorization", "cookie", "proxy-authorization", "x-api-key"]);

function storableHeaders(headers: Headers): Record<string, string> {
  const kept: Record<string, string> = {};
  headers.forEach((value, name) => {
    if (!DROPPED_HEADERS.has(name)) kept[name] = redactSecrets(value);
  });
  return kept;
}

interface ParsedDelivery {
  jobId: string;
  status: string | null;
  object: Record<string, unknown>;
}

// RunPod job ids are opaque but printable, so a control character means a damaged body.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
export const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;

/** Parses the body RunPod sent, or throws a 400 that names what is wrong with it. */
export function parseStatusObject(text: string): ParsedDelivery {
  if (text.trim() === "") {
    throw new ApiError(
      "empty_body",
      "The request body is empty; RunPod sends the job's status object as JSON.",
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ApiError(
      "invalid_json",
      `The request body is not valid JSON (${(error as Error).message}); send the job's status object.`,
    );
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    const kind = Array.isArray(parsed)
      ? "an array"
      : parsed === null
        ? "null"
        : `a ${typeof parsed}`;
    throw new ApiError(
      "invalid_body",
      `The request body is ${kind}; expected a JSON object with the job's "id" and "status".`,
    );
  }
  const object = parsed as Record<string, unknown>;
  if (object.id === undefined || object.id === null) {
    throw new ApiError(
      "missing_job_id",
      'The body has no "id"; RunPod status objects carry the job id in "id".',
    );
  }
  if (typeof object.id !== "string" || object.id === "") {
    throw new ApiError(
      "invalid_job_id",
      `The body's "id" is ${describeValue(object.id)}; expected the RunPod job id as a non-empty string.`,
    );
  }
  if (object.id.length > MAX_JOB_ID_LENGTH) {
    throw new ApiError(
      "invalid_job_id",
      `The body's "id" is ${object.id.length} characters long; job ids are at most ${MAX_JOB_ID_LENGTH}.`,
    );
  }
  if (CONTROL_CHARACTER.test(object.id)) {
    throw new ApiError(
      "invalid_job_id",
      `The body's "id" ${JSON.stringify(object.id)} contains a control character; send the job id exactly as RunPod returned it.`,
    );
  }
  return {
    jobId: object.id,
    status: typeof object.status === "string" ? replaceNul(object.status) : null,
    object,
  };
}

/** Quotes a value from the body for an error message, cut to a readable length. */
function describeValue(value: unknown): string {
  const text = jsonText(value);
  if (text === null) return "nested too deeply to show";
  return text.length > 100 ? `${text.slice(0, 100)}…` : text;
}

/**
 * Returns the webhook key of a webhook URL, or null when it has none. Rejects a URL with
 * two different keys, because either choice could post to an account the sender did
 * not mean.
 */
export function webhookKeyOf(url: URL): string | null {
  const keys = new Set(url.searchParams.getAll("key"));
  if (keys.size > 1) {
    throw new ApiError(
      "invalid_key",
      `The webhook URL has ${keys.size} different "key" parameters; keep only the key shown on the keys page.`,
    );
  }
  return url.searchParams.get("key");
}

/**
 * Rejects a missing, malformed, forged or wrong-kind key without a database query, so
 * callers can do it before reading the body.
 */
export function checkWebhookKey(key: string | null, misplaced?: string): asserts key is string {
  if (key === null || key === "") {
    throw new ApiError(
      "missing_key",
      `The webhook URL has no key${misplaced ? `: ${misplaced}` : ""}. Use the URL shown on the keys page: /v1/webhooks/runpod?key=chirp_wh_…`,
    );
  }
  verifyKeySignature(key, "webhook");
}

/**
 * Describes where a request without a `key` parameter put its Chirp key instead: a query
 * parameter of another name or case, or the Authorization header, which RunPod's webhook
 * calls cannot carry. Names the place only, never the key. Returns undefined when the
 * request contains no Chirp key.
 */
export function misplacedKeyHint(url: URL, headers: Headers): string | undefined {
  for (const [name, value] of url.searchParams) {
    if (value.startsWith("chirp_")) {
      return `the key is in the "${name}" parameter, and Chirp reads it only from "key" in lowercase`;
    }
  }
  if (headers.get("authorization")?.includes("chirp_")) {
    return "the key is in the Authorization header, but RunPod calls the webhook URL without your headers, so the key goes in the URL";
  }
  return undefined;
}

/** The columns of a delivery row that every outcome of one request shares. */
type DeliveryRecord = Pick<
  typeof deliveries.$inferInsert,
  | "id"
  | "accountId"
  | "keyId"
  | "contentType"
  | "headers"
  | "body"
  | "bodyBytes"
  | "bodySha256"
  | "bodyTruncated"
>;

/**
 * Handles one request to a webhook URL: authenticates the key, records the delivery and
 * applies RunPod's status to the card. Every request whose key belongs to an account is
 * recorded with the response given, so users can see why a delivery failed.
 */
export async function receiveWebhook(request: WebhookRequest): Promise<WebhookResult> {
  checkWebhookKey(request.key);
  const rawText = Buffer.from(request.body).toString("utf8");
  const deliveryId = newId("dlv");
  const recordFor = (key: ApiKey): DeliveryRecord => ({
    id: deliveryId,
    accountId: key.accountId,
    keyId: key.id,
    contentType: request.headers.get("content-type"),
    headers: storableHeaders(request.headers),
    ...storedBody(rawText, request.body, request.key),
  });

  let key: ApiKey;
  try {
    key = await authenticateKey(request.key, "webhook", { ip: clientIp(request.headers) });
  } catch (error) {
    // A revoked, expired or rerolled key still names its account: record the attempt there so the
    // user can see why RunPod's calls fail. Forged keys name no account and are only logged.
    if (error instanceof RejectedKeyError) {
      await saveDelivery({
        ...recordFor(error.key),
        ...jobOfRejectedBody(request.body),
        responseStatus: error.status,
        errorCode: error.code,
      });
    }
    throw error;
  }
  // NOTE: a request over the key's rate limit is not recorded as a delivery: a flood of
  // requests with a leaked key must not turn into a flood of inserts. The 429 is logged.
  const decision = await enforceRateLimit(key);
  countKeyUse(key.id);
  const result = await withRateLimitHeaders(decision, () =>
    acceptDelivery(request, key, recordFor(key), deliveryId),
  );
  return { ...result, headers: rateLimitHeaders(decision) };
}

/**
 * Reads the job id and status of a body whose key was rejected, so the delivery log shows
 * which job the delivery was for. Both are null when the body is not a status object.
 */
function jobOfRejectedBody(body: Uint8Array): {
  jobId: string | null;
  runpodStatus: string | null;
} {
  try {
    const { jobId, status } = parseStatusObject(decodeJsonText(body));
    return { jobId, runpodStatus: status };
  } catch (error) {
    if (error instanceof ApiError) return { jobId: null, runpodStatus: null };
    throw error;
  }
}

/** Records and applies a delivery whose key was authenticated and admitted by its limit. */
async function acceptDelivery(
  request: WebhookRequest,
  key: ApiKey,
  record: DeliveryRecord,
  deliveryId: string,
): Promise<Omit<WebhookResult, "headers">> {
  if (request.tooLarge) {
    const error = new ApiError(
      "body_too_large",
      `The body is larger than ${request.maxBytes} bytes, the most Chirp accepts; the first part is kept in the delivery log.`,
    );
    await saveDelivery({ ...record, responseStatus: error.status, errorCode: error.code });
    throw error;
  }

  let parsed: ParsedDelivery;
  try {
    parsed = parseStatusObject(decodeJsonText(request.body));
  } catch (error) {
    if (error instanceof ApiError) {
      await saveDelivery({ ...record, responseStatus: error.status, errorCode: error.code });
    }
    throw error;
  }

  const statusObject = toStatusObject(parsed.jobId, parsed.status, parsed.object);
  const accepted = {
    ...record,
    jobId: parsed.jobId,
    runpodStatus: parsed.status,
    responseStatus: 200,
    errorCode: null,
    statusObject: { ...statusObject },
  };

  if (key.endpointIds !== null) {
    const card = await getActivityByKey({ accountId: key.accountId, key: parsed.jobId });
    const note = endpointScopeNote(key, key.endpointIds, parsed.jobId, card);
    if (note) {
      // The response is 200 like an accepted delivery, because RunPod would only repeat it.
      await saveDelivery({ ...accepted, activityId: card?.id ?? null, note });
      const body = {
        received: true,
        deliveryId,
        activityId: card?.id ?? null,
        state: card?.state ?? null,
        changed: false,
        note,
      };
      return { status: 200, body, deliveryId };
    }
  }

  const applied = await applyStatusObject({
    accountId: key.accountId,
    statusObject,
    deliveryId,
    alsoWrite: (tx, activityId) => tx.insert(deliveries).values({ ...accepted, activityId }),
  });

  const body = {
    received: true,
    deliveryId,
    activityId: applied.activityId,
    state: applied.state,
    changed: applied.changed,
    ...(applied.note ? { note: applied.note } : {}),
  };
  return { status: 200, body, deliveryId };
}

/**
 * Returns why a key limited to some endpoints may not change the job's card, or undefined
 * when the card is on one of them. A card's endpoint is written once and never changed, so
 * a card read before the change cannot move into the scope afterwards. A job without a
 * card is outside every scope: RunPod's webhook body does not name the endpoint, so a card
 * it opened could belong to any endpoint.
 */
export function endpointScopeNote(
  key: Pick<ApiKey, "displayStart">,
  endpointIds: readonly string[],
  jobId: string,
  card: Pick<Activity, "endpoint"> | undefined,
): string | undefined {
  if (card?.endpoint && endpointIds.includes(card.endpoint)) return undefined;
  const limited = `The webhook key ${key.displayStart} is limited to endpoints ${describeEndpoints(endpointIds)}`;
  if (!card) {
    return `${limited}; job ${jobId} has no card yet, and RunPod's webhook body does not name the endpoint, so the delivery opened no card. Open the card with its endpoint (POST /v1/activity/start), then replay this delivery.`;
  }
  if (!card.endpoint) {
    return `${limited}; this job's card has no endpoint, so the delivery left it as it was. Replay this delivery to apply it.`;
  }
  return `${limited}; this job's card is on endpoint ${card.endpoint}, so the delivery left it as it was.`;
}

function storedBody(text: string, bytes: Uint8Array, presentedKey: string | null) {
  const cap = storedBodyBytes();
  let redacted = replaceNul(redactSecrets(text));
  if (presentedKey) redacted = redacted.split(presentedKey).join(REDACTED);
  const encoded = Buffer.from(redacted);
  const truncated = encoded.byteLength > cap;
  return {
    body: truncated ? truncateUtf8(encoded, cap) : redacted,
    bodyBytes: bytes.byteLength,
    bodySha256: createHash("sha256").update(bytes).digest("hex"),
    bodyTruncated: truncated,
  };
}

/** Cuts UTF-8 text to at most `maxBytes` bytes without splitting a character. */
function truncateUtf8(encoded: Buffer, maxBytes: number): string {
  let end = maxBytes;
  // Bytes 10xxxxxx continue a character: back up to the first byte of the one the cap cuts.
  while (end > 0 && (encoded[end]! & 0xc0) === 0x80) end--;
  return encoded.subarray(0, end).toString("utf8");
}

async function saveDelivery(values: typeof deliveries.$inferInsert): Promise<void> {
  const db = await getDb();
  await db.insert(deliveries).values(values);
}
