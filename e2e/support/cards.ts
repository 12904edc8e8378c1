import { type ActivityState, activityStates } from "@/lib/db/schema";
import {
  completedStatusObject,
  ENDPOINT_ID,
  newJobId,
  postActivity,
  postWebhook,
} from "./chirp-api";

/** The RunPod status that closes a card in each terminal state. */
export const TERMINAL_STATUSES = {
  completed: "COMPLETED",
  failed: "FAILED",
  timed_out: "TIMED_OUT",
  cancelled: "CANCELLED",
} as const satisfies Partial<Record<ActivityState, string>>;

/**
 * The states a user's script and RunPod's webhook can put a card in. `expired` comes only
 * from the watchdog, when RunPod returns 404 for the job, and `merged` only from merging
 * duplicate cards.
 */
export type CardState = Exclude<ActivityState, "expired" | "merged">;

export const CARD_STATES = activityStates.filter(
  (state): state is CardState => state !== "expired" && state !== "merged",
);

function expectStatus(response: { status: number; json: unknown }, expected: number[]): void {
  if (!expected.includes(response.status)) {
    throw new Error(
      `Expected HTTP ${expected.join(" or ")}, got ${response.status}: ${JSON.stringify(response.json)}`,
    );
  }
}

/**
 * Opens one card in `state` the way users' scripts and RunPod do: start, then an update
 * for a running card or RunPod's webhook for a closed one. Returns the job id.
 */
export async function openCard(
  keys: { apiKey: string; webhookUrl: string },
  state: CardState,
  jobName = `e2e-${state}`,
): Promise<string> {
  const jobId = newJobId();
  expectStatus(
    await postActivity("start", keys.apiKey, { key: jobId, jobName, endpoint: ENDPOINT_ID }),
    [201],
  );

  if (state === "queued") {
    expectStatus(
      await postActivity("update", keys.apiKey, { key: jobId, queuePosition: 3 }),
      [200],
    );
  } else if (state === "running") {
    expectStatus(
      await postActivity("update", keys.apiKey, { key: jobId, gpuType: "NVIDIA A100 80GB" }),
      [200],
    );
  } else {
    const status = TERMINAL_STATUSES[state];
    const body = {
      id: jobId,
      status,
      delayTime: 812,
      executionTime: 4210,
      workerId: "e2eworker00001",
      ...(status === "COMPLETED" ? { output: { images: 1 } } : {}),
      ...(status === "FAILED" ? { error: "CUDA out of memory. Tried to allocate 2.00 GiB" } : {}),
    };
    expectStatus(await postWebhook(keys.webhookUrl, body), [200]);
  }
  return jobId;
}

/** Opens one card in each state, oldest first, and returns their job ids by state. */
export async function openCardsOfEveryState(keys: {
  apiKey: string;
  webhookUrl: string;
}): Promise<Record<CardState, string>> {
  const jobIds = {} as Record<CardState, string>;
  for (const state of CARD_STATES) jobIds[state] = await openCard(keys, state);
  return jobIds;
}

/**
 * Gives one job two cards the way a script that starts under its own run name does: the
 * start opens a card under the run name, and RunPod's webhook opens another under the job
 * id. Returns both keys.
 */
export async function openDuplicateCards(
  keys: { apiKey: string; webhookUrl: string },
  runName = `e2e-run-${Date.now()}`,
): Promise<{ runName: string; jobId: string }> {
  expectStatus(
    await postActivity("start", keys.apiKey, {
      key: runName,
      jobName: "e2e-nightly-render",
      endpoint: ENDPOINT_ID,
    }),
    [201],
  );
  const jobId = newJobId();
  expectStatus(await postWebhook(keys.webhookUrl, completedStatusObject(jobId)), [200]);
  return { runName, jobId };
}
