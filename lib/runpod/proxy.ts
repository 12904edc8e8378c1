import { jobName as jobNameSchema, policy as policySchema } from "@/lib/activities/api";
import {
  type ActivityChange,
  type ChangeResult,
  changeActivity,
  getActivityByKey,
} from "@/lib/activities/store";
import { runpodRequestTimeoutMs } from "@/lib/config";
import { attachToOtherSourceCard } from "@/lib/duplicates/attach";
import { getDuplicateSettings } from "@/lib/duplicates/settings";
import { ApiError } from "@/lib/http/errors";
import { parseJsonObject } from "@/lib/http/handler";
import { logger } from "@/lib/log";
import { ApiKeyDecryptionError } from "./api-key-encryption";
import { type ForwardedResponse, RunpodClient } from "./client";
import { markConnectionFailing, readApiKey } from "./connection";
import { inspectorWebhookUrl } from "./inspector-key";
import { proxyErrorFor } from "./proxy-errors";
import { ENDPOINT_ID_PATTERN, stateForStatus } from "./status";
import { applyStatusObject, toStatusObject } from "./status-object";
import { CONTROL_CHARACTER, MAX_JOB_ID_LENGTH } from "./webhook";

/**
 * The RunPod submit proxy. `POST /v1/runpod/<endpoint_id>/run` and `/runsync` forward a
 * job to RunPod with the account's RunPod API key and put the account's webhook URL in
 * the job. They also open the job's card, so a script needs no Chirp calls of its own.
 */

export const proxyActions = ["run", "runsync"] as const;
export type ProxyAction = (typeof proxyActions)[number];

export function isProxyAction(value: string): value is ProxyAction {
  return (proxyActions as readonly string[]).includes(value);
}

// The body limits the RunPod simulator applies, which names their sources.
export const MAX_BODY_BYTES: Record<ProxyAction, number> = {
  run: 10 * 1024 * 1024,
  runsync: 20 * 1000 * 1000,
};

// Bounds and default of RunPod's `?wait=` on /runsync in ms, as the RunPod simulator applies them.
const MIN_RUNSYNC_WAIT_MS = 1000;
const MAX_RUNSYNC_WAIT_MS = 300_000;
const DEFAULT_RUNSYNC_WAIT_MS = 90_000;

export const JOB_NAME_HEADER = "X-Chirp-Job-Name";
const BODY_EXAMPLE = '{"input": {"prompt": "..."}}';

export interface ProxySubmit {
  accountId: string;
  action: ProxyAction;
  endpointId: string;
  query: URLSearchParams;
  /** The `X-Chirp-Job-Name` header, or null when absent. */
  jobName: string | null;
  body: string;
  /** True when the body was cut off at MAX_BODY_BYTES. */
  tooLarge: boolean;
}

export interface ProxyResult {
  /** RunPod's response, to return unchanged. */
  response: ForwardedResponse;
  /** The job's card, or null when RunPod's body had no job id or the card could not be saved. */
  activityId: string | null;
}

interface ValidSubmit {
  waitMs: number | undefined;
  jobName: string | undefined;
  executionTimeoutMs: number | undefined;
  body: Record<string, unknown>;
}

function invalidField(field: string, message: string): ApiError {
  return new ApiError("invalid_fields", `Invalid fields: ${field}: ${message}.`, [
    { field, message },
  ]);
}

function validate(submit: ProxySubmit): ValidSubmit {
  if (!ENDPOINT_ID_PATTERN.test(submit.endpointId)) {
    throw invalidField(
      "endpointId",
      `"${submit.endpointId}" is not a RunPod endpoint id; use the 14 lowercase letters and digits from the endpoint's console URL, as in /v1/runpod/isxbq1e254mbjz/run`,
    );
  }
  const waitMs = readWait(submit);
  const jobName = readJobName(submit.jobName);
  if (submit.tooLarge) {
    throw new ApiError(
      "body_too_large",
      `The body is larger than ${MAX_BODY_BYTES[submit.action]} bytes, the most RunPod accepts for /${submit.action}; send large inputs as URLs.`,
    );
  }
  const body = parseJsonObject(submit.body, BODY_EXAMPLE);
  if (body.input === undefined || body.input === null) {
    throw invalidField(
      "input",
      `required: the job's input for your handler, as in ${BODY_EXAMPLE}`,
    );
  }
  if (body.webhook !== undefined && !isHttpUrl(body.webhook)) {
    throw invalidField(
      "webhook",
      `${JSON.stringify(body.webhook)} is not an http or https URL; leave webhook out and Chirp fills in its own`,
    );
  }
  let executionTimeoutMs: number | undefined;
  if (body.policy !== undefined) {
    const parsed = policySchema.safeParse(body.policy);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const path = ["policy", ...issue.path.map(String)].join(".");
      throw invalidField(path, issue.message);
    }
    executionTimeoutMs = parsed.data.executionTimeout;
  }
  return { waitMs, jobName, executionTimeoutMs, body };
}

function readWait({ action, query }: ProxySubmit): number | undefined {
  for (const name of query.keys()) {
    if (action === "runsync" && name === "wait") continue;
    throw invalidField(
      name,
      action === "runsync"
        ? `unknown query parameter; /runsync takes only ?wait=<milliseconds>`
        : `unknown query parameter; /run takes none`,
    );
  }
  const raw = query.get("wait");
  if (raw === null) return undefined;
  const waitMs = Number(raw);
  if (!/^\d+$/.test(raw) || waitMs < MIN_RUNSYNC_WAIT_MS || waitMs > MAX_RUNSYNC_WAIT_MS) {
    throw invalidField(
      "wait",
      `"${raw}" is not a valid wait; use whole milliseconds from ${MIN_RUNSYNC_WAIT_MS} to ${MAX_RUNSYNC_WAIT_MS}`,
    );
  }
  return waitMs;
}

function readJobName(header: string | null): string | undefined {
  if (header === null) return undefined;
  const parsed = jobNameSchema.safeParse(decodeUtf8Header(header));
  if (!parsed.success) {
    throw invalidField(JOB_NAME_HEADER, parsed.error.issues[0]!.message);
  }
  return parsed.data;
}

/**
 * Reads a header value as UTF-8. Fetch's Headers return each byte as one character
 * (Latin-1), so a job name such as "café" sent as UTF-8 arrives as "cafÃ©". A value that
 * is not valid UTF-8 is kept as received.
 */
function decodeUtf8Header(value: string): string {
  if (!/[\u0080-\u00ff]/.test(value)) return value;
  const decoded = Buffer.from(value, "latin1").toString("utf8");
  return decoded.includes("\ufffd") ? value : decoded;
}

function isHttpUrl(value: unknown): boolean {
  return (
    typeof value === "string" && URL.canParse(value) && /^https?:$/.test(new URL(value).protocol)
  );
}

/** Reads the account's RunPod API key, or throws an error that explains how to add one. */
async function requireApiKey(accountId: string): Promise<string> {
  let apiKey: string | null;
  try {
    apiKey = await readApiKey(accountId);
  } catch (error) {
    if (!(error instanceof ApiKeyDecryptionError)) throw error;
    throw new ApiError("runpod_key_unreadable", error.message);
  }
  if (apiKey === null) {
    throw new ApiError(
      "runpod_not_connected",
      "This account has no RunPod connection, so Chirp has no RunPod API key to submit with. Add your RunPod API key in Settings, then submit again.",
    );
  }
  return apiKey;
}

/**
 * Forwards one job to RunPod and opens its card. Throws an ApiError for invalid input or
 * a missing connection (nothing is sent then), and a RunpodProxyError when RunPod
 * rejected the job or did not respond (no card is opened then).
 */
export async function submitThroughProxy(submit: ProxySubmit): Promise<ProxyResult> {
  const started = performance.now();
  const { accountId, action, endpointId } = submit;
  const valid = validate(submit);
  const apiKey = await requireApiKey(accountId);

  const webhookFilled = valid.body.webhook === undefined;
  const forwardedBody = webhookFilled
    ? JSON.stringify({ ...valid.body, webhook: await inspectorWebhookUrl(accountId) })
    : submit.body;

  const client = new RunpodClient({
    apiKey,
    // RunPod keeps a /runsync request open until the job ends or the wait passes, so the
    // timeout is the wait plus the usual request timeout.
    timeoutMs:
      action === "runsync"
        ? (valid.waitMs ?? DEFAULT_RUNSYNC_WAIT_MS) + runpodRequestTimeoutMs()
        : undefined,
  });
  const result =
    action === "run"
      ? await client.run(endpointId, forwardedBody)
      : await client.runsync(endpointId, forwardedBody, { waitMs: valid.waitMs });
  const logContext = { accountId, endpointId, action, webhookFilled };

  if (!result.ok) {
    const error = proxyErrorFor(result);
    if (result.kind === "unauthorized") await markConnectionFailing(accountId, error.message);
    logger.info(
      {
        ...logContext,
        outcome: result.kind,
        runpodHttpStatus: "status" in result ? result.status : null,
        ms: Math.round(performance.now() - started),
      },
      "runpod submit rejected",
    );
    throw error;
  }

  const activityId = await openCard(submit, valid, result.body);
  logger.info(
    {
      ...logContext,
      outcome: "submitted",
      runpodHttpStatus: result.status,
      activityId,
      ms: Math.round(performance.now() - started),
    },
    "runpod submit",
  );
  return { response: result.body, activityId };
}

/**
 * Opens the card of a job RunPod accepted, or attaches to the card that activity/start or
 * a webhook already opened. A /runsync status object is then applied like a webhook's.
 * Failures are logged and return null, because RunPod already has the job and the
 * caller must still get RunPod's response with the job id.
 */
async function openCard(
  submit: ProxySubmit,
  valid: ValidSubmit,
  response: ForwardedResponse,
): Promise<string | null> {
  const { accountId, action, endpointId } = submit;
  const job = readJob(response.body);
  if (job === null) {
    logger.warn(
      { accountId, endpointId, action, runpodHttpStatus: response.status },
      "RunPod accepted a submit without a job id in its body; no card was opened",
    );
    return null;
  }
  try {
    const change: ActivityChange = {
      accountId,
      key: job.id,
      type: "start",
      source: "inspector",
      state: null,
      identity: {
        jobName: valid.jobName,
        endpoint: endpointId,
        executionTimeoutMs: valid.executionTimeoutMs,
      },
      createIfMissing: true,
      detail: { action, endpoint: endpointId, runpodStatus: job.status },
    };
    const opened = await openOrAttach(change);
    if (opened === null) {
      logger.info(
        { accountId, endpointId, action, jobId: job.id },
        "only the client opens this account's cards and no client card matched; the job was passed through without a card",
      );
      return null;
    }
    if (action === "runsync" && job.status !== null && stateForStatus(job.status) !== null) {
      await applyStatusObject({
        accountId,
        source: "inspector",
        statusObject: toStatusObject(job.id, job.status, job.object),
      });
    }
    return opened.activity.id;
  } catch (error) {
    logger.error(
      { err: error, accountId, endpointId, action, jobId: job.id },
      "RunPod accepted the job but its card could not be saved",
    );
    return null;
  }
}

/**
 * Opens the job's card, or, when the account lets only the client open cards, attaches
 * to the client's card for the job. Returns null when only the client opens cards and
 * none matched: the webhook then opens the job's card, and the Duplicates page pairs it.
 */
async function openOrAttach(change: ActivityChange): Promise<ChangeResult | null> {
  const { cardOpener } = await getDuplicateSettings(change.accountId);
  if (cardOpener !== "client") return changeActivity(change);
  const existing = await getActivityByKey({ accountId: change.accountId, key: change.key });
  if (existing) return changeActivity(change);
  const attached = await attachToOtherSourceCard(change, "api");
  return attached?.result ?? null;
}

function readJob(
  text: string,
): { id: string; status: string | null; object: Record<string, unknown> } | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return null;
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) return null;
  const object = parsed as Record<string, unknown>;
  const id = object.id;
  if (typeof id !== "string" || id === "" || id.length > MAX_JOB_ID_LENGTH) return null;
  if (CONTROL_CHARACTER.test(id)) return null;
  return { id, status: typeof object.status === "string" ? object.status : null, object };
}
