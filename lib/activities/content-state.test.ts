import { describe, expect, it } from "vitest";
import type { Activity, ActivityState } from "@/lib/db/schema";
import { activityViewFixture } from "@/lib/testing/activity-view";
import {
  APS_FIELDS,
  activityContentState,
  activityPushPayload,
  CONTENT_STATE_FIELDS,
  DEFAULT_DISMISS_AFTER_SECONDS,
  DEFAULT_STALE_AFTER_SECONDS,
  jsonByteLength,
  MAX_PAYLOAD_BYTES,
  truncateText,
} from "./content-state";
import { actionLine } from "./presentation";
import { type ActivityView, toActivityView } from "./view";

const OPENED = "2025-01-01T10:00:00.000Z";
const CHANGED = "2025-01-01T10:02:05.000Z";
const OPENED_SECONDS = Date.parse(OPENED) / 1000;
const CHANGED_SECONDS = Date.parse(CHANGED) / 1000;

const view = activityViewFixture;

const STATUS_WORDS: Record<ActivityState, string> = {
  queued: "QUEUED",
  running: "RUNNING",
  completed: "COMPLETED",
  failed: "FAILED",
  timed_out: "TIMED_OUT",
  cancelled: "CANCELLED",
  expired: "EXPIRED",
  merged: "MERGED",
};

function closed(state: ActivityState, overrides: Partial<ActivityView> = {}): ActivityView {
  return view({
    state,
    statusWord: STATUS_WORDS[state],
    updatedAt: CHANGED,
    closedAt: CHANGED,
    ...overrides,
  });
}

/** One card in each state, after a change that moved it there. */
const CARDS_BY_STATE: Array<[ActivityState, ActivityView, "start" | "update" | "end", string]> = [
  ["queued", view({ queuePosition: 3 }), "start", "purple"],
  [
    "running",
    view({ state: "running", statusWord: "RUNNING", gpuType: "NVIDIA A100", updatedAt: CHANGED }),
    "update",
    "purple",
  ],
  ["completed", closed("completed", { hasOutput: true, executionMs: 4210 }), "end", "green"],
  ["failed", closed("failed", { errorMessage: "CUDA out of memory" }), "end", "red"],
  ["timed_out", closed("timed_out"), "end", "red"],
  ["cancelled", closed("cancelled"), "end", "orange"],
  ["expired", closed("expired"), "end", "grey"],
  ["merged", closed("merged"), "end", "grey"],
];

/** A card with every text at or past its limit, in several scripts. */
function oversizedCard(): ActivityView {
  return closed("failed", {
    jobName: "🧑‍🚀".repeat(400) + "x".repeat(2000),
    errorMessage: `${"خطأ في الذاكرة ".repeat(400)}👨‍👩‍👧‍👦${"\u0001".repeat(2000)}`,
    progress: `"${"\\".repeat(3000)}`,
    gpuType: "🇯🇵".repeat(200),
    endpoint: "e".repeat(500),
    queuePosition: 2_147_483_647,
    delayMs: Number.MAX_SAFE_INTEGER,
    executionMs: 1,
  });
}

describe("activityContentState", () => {
  it.each(CARDS_BY_STATE)("%s card has every field", (state, card, _event, color) => {
    const contentState = activityContentState(card);

    expect(Object.keys(contentState).sort()).toEqual([...CONTENT_STATE_FIELDS].sort());
    expect(contentState.state).toBe(state);
    expect(contentState.statusWord).toBe(STATUS_WORDS[state]);
    expect(contentState.color).toBe(color);
    expect(contentState.actionLine).toBe(actionLine(card));
    expect(contentState.jobName).toBe("sdxl-batch");
    expect(contentState.endpoint).toBe("isxbq1e254mbjz");
    expect(contentState.openedAt).toBe(OPENED_SECONDS);
  });

  it("open card counts elapsed seconds to its last change", () => {
    const contentState = activityContentState(
      view({ state: "running", statusWord: "RUNNING", updatedAt: CHANGED }),
    );

    expect(contentState.elapsedSeconds).toBe(125);
    expect(contentState.totalSeconds).toBeNull();
  });

  it("closed card uses RunPod's delay plus execution as total", () => {
    const contentState = activityContentState(
      closed("completed", { delayMs: 812, executionMs: 4210, hasOutput: true }),
    );

    expect(contentState.totalSeconds).toBe(5);
    expect(contentState.elapsedSeconds).toBe(125);
  });

  it("nameless card carries the job id as its name", () => {
    const card = view({ jobName: null });

    expect(activityContentState(card).jobName).toBe(card.key);
  });

  it("database row and its view give one content state", () => {
    const row: Activity = {
      id: "act_row",
      accountId: "acc_1",
      schemaId: "@runpod",
      key: "job-1",
      jobName: "render",
      endpoint: "isxbq1e254mbjz",
      state: "running",
      runpodStatus: "IN_PROGRESS",
      queuePosition: null,
      queueCount: null,
      gpuType: "NVIDIA L4",
      progress: "step 12/50",
      errorMessage: null,
      hasOutput: null,
      delayMs: null,
      executionMs: null,
      workerId: null,
      openedBy: "api",
      createdAt: new Date(OPENED),
      updatedAt: new Date(CHANGED),
      closedAt: null,
      executionTimeoutMs: null,
      nextPollAt: new Date(CHANGED),
      pollCount: 0,
      mergedInto: null,
      attachedKey: null,
    };

    expect(activityContentState(row)).toEqual(activityContentState(toActivityView(row)));
    expect(activityContentState(row).actionLine).toBe("NVIDIA L4 · step 12/50");
  });
});

describe("activityPushPayload", () => {
  it.each(CARDS_BY_STATE)("%s card payload has its event", (_state, card, event) => {
    const payload = activityPushPayload(card);

    expect(Object.keys(payload)).toEqual(["aps"]);
    for (const field of Object.keys(payload.aps)) {
      expect(APS_FIELDS, `aps.${field} is an ActivityKit field`).toContain(field);
    }
    expect(payload.aps.event).toBe(event);
    expect(payload.aps.timestamp).toBe(Date.parse(card.updatedAt) / 1000);
    expect(payload.aps["content-state"]).toEqual(activityContentState(card));
    expect(jsonByteLength(payload)).toBeLessThanOrEqual(MAX_PAYLOAD_BYTES);
  });

  it("open card goes stale after the default time", () => {
    const payload = activityPushPayload(
      view({ state: "running", statusWord: "RUNNING", updatedAt: CHANGED }),
    );

    expect(payload.aps["stale-date"]).toBe(CHANGED_SECONDS + DEFAULT_STALE_AFTER_SECONDS);
    expect(payload.aps["dismissal-date"]).toBeUndefined();
    expect(payload.aps.alert).toBeUndefined();
  });

  it("ended card is dismissed after the default time", () => {
    const payload = activityPushPayload(closed("cancelled"));

    expect(payload.aps["dismissal-date"]).toBe(CHANGED_SECONDS + DEFAULT_DISMISS_AFTER_SECONDS);
    expect(payload.aps["stale-date"]).toBeUndefined();
    expect(payload.aps.alert).toEqual({ title: "RunPod · CANCELLED", body: "sdxl-batch" });
  });

  it("stale and dismissal times are configurable", () => {
    const timing = { staleAfterSeconds: 60, dismissAfterSeconds: 600 };

    const open = activityPushPayload(view({ updatedAt: CHANGED }), timing);
    const ended = activityPushPayload(closed("completed"), timing);

    expect(open.aps["stale-date"]).toBe(CHANGED_SECONDS + 60);
    expect(ended.aps["dismissal-date"]).toBe(CHANGED_SECONDS + 600);
  });

  it("late change to a closed card still sends end", () => {
    const payload = activityPushPayload(
      closed("completed", { updatedAt: "2025-01-01T11:00:00.000Z" }),
    );

    expect(payload.aps.event).toBe("end");
    expect(payload.aps.timestamp).toBe(Date.parse("2025-01-01T11:00:00.000Z") / 1000);
    expect(payload.aps["dismissal-date"]).toBe(CHANGED_SECONDS + DEFAULT_DISMISS_AFTER_SECONDS);
  });

  it("oversized texts stay under 4 KB", () => {
    const payload = activityPushPayload(oversizedCard());
    const contentState = payload.aps["content-state"];

    expect(jsonByteLength(payload)).toBeLessThanOrEqual(MAX_PAYLOAD_BYTES);
    expect(jsonByteLength(contentState)).toBeLessThanOrEqual(MAX_PAYLOAD_BYTES);
    expect(contentState.jobName.endsWith("…")).toBe(true);
    expect(contentState.errorMessage?.endsWith("…")).toBe(true);
    expect(contentState.actionLine.endsWith("…")).toBe(true);
    expect(contentState.progress?.endsWith("…")).toBe(true);
    expect(contentState.jobName.startsWith("🧑‍🚀🧑‍🚀")).toBe(true);
    expect(contentState.errorMessage?.startsWith("خطأ في الذاكرة")).toBe(true);
  });

  it.each(CARDS_BY_STATE)("%s card with 4 KB name and 10 KB error fits", (_state, card) => {
    const payload = activityPushPayload({
      ...card,
      jobName: "🚀".repeat(1024),
      errorMessage: "שגיאה ".repeat(1700),
      progress: "ü".repeat(5000),
      gpuType: "G".repeat(4096),
    });

    expect(jsonByteLength(payload)).toBeLessThanOrEqual(MAX_PAYLOAD_BYTES);
  });

  it("same card always gives the same payload", () => {
    expect(JSON.stringify(activityPushPayload(oversizedCard()))).toBe(
      JSON.stringify(activityPushPayload(oversizedCard())),
    );
  });
});

function graphemesOf(text: string): string[] {
  const segmenter = new Intl.Segmenter("en", { granularity: "grapheme" });
  return Array.from(segmenter.segment(text), ({ segment }) => segment);
}

describe("truncateText", () => {
  it("keeps text within the limit unchanged", () => {
    expect(truncateText("sdxl-batch", 10)).toBe("sdxl-batch");
  });

  it("cuts long text and adds an ellipsis", () => {
    const text = truncateText("a".repeat(100), 10);

    expect(text).toBe(`${"a".repeat(7)}…`);
    expect(jsonByteLength(text) - 2).toBeLessThanOrEqual(10);
  });

  it("counts JSON escapes toward the limit", () => {
    const text = truncateText("\u0001".repeat(10), 15);

    // Each control character becomes the six bytes "\u0001" in JSON.
    expect(text).toBe(`${"\u0001".repeat(2)}…`);
  });

  it.each([
    ["astronaut emoji (ZWJ sequence)", "🧑‍🚀", 6],
    ["family emoji", "👨‍👩‍👧‍👦", 9],
    ["flag", "🇯🇵", 5],
    ["accented letter with combining mark", "e\u0301", 30],
    ["Hebrew", "שלום ", 17],
    ["Arabic", "مرحبا ", 23],
    ["CJK", "漢字", 31],
  ])("never splits %s", (_name, unit, maxBytes) => {
    const source = unit.repeat(50);
    const sourceGraphemes = graphemesOf(source);
    for (let limit = 3; limit <= maxBytes * 4; limit += 1) {
      const text = truncateText(source, limit);
      const kept = graphemesOf(text.slice(0, -1));

      expect(text.endsWith("…")).toBe(true);
      expect(kept, `limit ${limit} keeps whole graphemes`).toEqual(
        sourceGraphemes.slice(0, kept.length),
      );
      expect(jsonByteLength(text) - 2).toBeLessThanOrEqual(limit);
    }
  });

  it("never leaves a lone surrogate", () => {
    const text = truncateText("🚀".repeat(100), 37);

    expect(text).toBe(`${"🚀".repeat(8)}…`);
    expect(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/.test(text)).toBe(false);
  });
});
