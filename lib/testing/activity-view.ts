import type { ActivityView } from "@/lib/activities/view";

/** Builds a queued card as the API returns it, opened at 2025-01-01T10:00:00Z, with `overrides` applied. */
export function activityViewFixture(overrides: Partial<ActivityView> = {}): ActivityView {
  return {
    id: "act_1",
    schemaId: "@runpod",
    key: "2f1e6c1a-8a55-4a2b-9b55-0d6f3b0c1e2a-u1",
    jobName: "sdxl-batch",
    endpoint: "isxbq1e254mbjz",
    state: "queued",
    statusWord: "QUEUED",
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
    consoleUrl: "https://console.runpod.io/serverless/user/endpoint/isxbq1e254mbjz",
    createdAt: "2025-01-01T10:00:00.000Z",
    updatedAt: "2025-01-01T10:00:00.000Z",
    closedAt: null,
    mergedInto: null,
    ...overrides,
  };
}
