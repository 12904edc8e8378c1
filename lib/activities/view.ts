import type { Activity, ActivityState } from "@/lib/db/schema";
import { consoleUrl, statusWord } from "@/lib/runpod/status";

/** A card as the API returns it and the board renders it. */
export interface ActivityView {
  id: string;
  schemaId: string;
  key: string;
  jobName: string | null;
  endpoint: string | null;
  state: ActivityState;
  statusWord: string;
  runpodStatus: string | null;
  queuePosition: number | null;
  /** Jobs in the endpoint's queue, as the watchdog last read it from RunPod's /health. */
  queueCount: number | null;
  gpuType: string | null;
  progress: string | null;
  errorMessage: string | null;
  hasOutput: boolean | null;
  delayMs: number | null;
  executionMs: number | null;
  workerId: string | null;
  openedBy: string;
  consoleUrl: string | null;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  /** The card a merged duplicate was merged into. */
  mergedInto: string | null;
}

export function toActivityView(activity: Activity): ActivityView {
  return {
    id: activity.id,
    schemaId: activity.schemaId,
    key: activity.key,
    jobName: activity.jobName,
    endpoint: activity.endpoint,
    state: activity.state,
    statusWord: statusWord(activity.state),
    runpodStatus: activity.runpodStatus,
    queuePosition: activity.queuePosition,
    queueCount: activity.queueCount,
    gpuType: activity.gpuType,
    progress: activity.progress,
    errorMessage: activity.errorMessage,
    hasOutput: activity.hasOutput,
    delayMs: activity.delayMs,
    executionMs: activity.executionMs,
    workerId: activity.workerId,
    openedBy: activity.openedBy,
    consoleUrl: activity.endpoint ? consoleUrl(activity.endpoint) : null,
    createdAt: activity.createdAt.toISOString(),
    updatedAt: activity.updatedAt.toISOString(),
    closedAt: activity.closedAt?.toISOString() ?? null,
    mergedInto: activity.mergedInto,
  };
}
