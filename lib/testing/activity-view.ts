import { type ActivityView, toActivityView } from "@/lib/activities/view";
import type { Activity } from "@/lib/db/schema";

/** Builds a queued card row, opened at 2025-01-01T10:00:00Z, with `overrides` applied. */
export function activityRowFixture(overrides: Partial<Activity> = {}): Activity {
  return {
    id: "act_1",
    accountId: "acc_1",
    schemaId: "@runpod",
    key: "2f1e6c1a-8a55-4a2b-9b55-0d6f3b0c1e2a-u1",
    jobName: "sdxl-batch",
    endpoint: "isxbq1e254mbjz",
    state: "queued",
    runpodStatus: null,
    queuePosition: null,
    queueCount: null,
    gpuType: null,
    progress: null,
    errorMessage: null,
    hasOutput: null,
    delayMs: null,
    executionMs: null,
    workerId: null,
    openedBy: "api",
    createdAt: new Date("2025-01-01T10:00:00.000Z"),
    updatedAt: new Date("2025-01-01T10:00:00.000Z"),
    closedAt: null,
    executionTimeoutMs: null,
    nextPollAt: new Date("2025-01-01T10:10:00.000Z"),
    pollCount: 0,
    mergedInto: null,
    attachedKey: null,
    ...overrides,
  };
}

/** Builds a queued card as the API returns it, opened at 2025-01-01T10:00:00Z, with `overrides` applied. */
export function activityViewFixture(overrides: Partial<ActivityView> = {}): ActivityView {
  return { ...toActivityView(activityRowFixture()), ...overrides };
}
