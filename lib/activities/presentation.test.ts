import { describe, expect, it } from "vitest";
import { activityViewFixture } from "@/lib/testing/activity-view";
import {
  actionLine,
  cardClock,
  cardColor,
  cardTitle,
  elapsedMs,
  formatDuration,
  formatTimer,
  sortBoard,
  staleSince,
  totalMs,
  upsertActivity,
} from "./presentation";

const view = activityViewFixture;

describe("formatDuration", () => {
  it.each([
    [0, "0 ms"],
    [850, "850 ms"],
    [999.6, "1.0 s"],
    [1000, "1.0 s"],
    [4_260, "4.2 s"],
    [9_999, "9.9 s"],
    [10_000, "10 s"],
    [42_900, "42 s"],
    [60_000, "1m 00s"],
    [185_000, "3m 05s"],
    [3_600_000, "1h 00m"],
    [3_725_000, "1h 02m"],
    [86_400_000, "1d 00h"],
    [2 * 86_400_000 + 3 * 3_600_000, "2d 03h"],
  ])("formats %d ms as %s", (ms, expected) => {
    expect(formatDuration(ms)).toBe(expected);
  });

  it("treats negative and non-finite input as zero", () => {
    expect(formatDuration(-5)).toBe("0 ms");
    expect(formatDuration(Number.NaN)).toBe("0 ms");
    expect(formatDuration(Number.POSITIVE_INFINITY)).toBe("0 ms");
  });
});

describe("formatTimer", () => {
  it.each([
    [0, "0:00"],
    [999, "0:00"],
    [7_000, "0:07"],
    [754_000, "12:34"],
    [3_725_000, "1:02:05"],
    [2 * 86_400_000 + 3 * 3_600_000 + 4 * 60_000 + 5_000, "2d 3:04:05"],
  ])("formats %d ms as %s", (ms, expected) => {
    expect(formatTimer(ms)).toBe(expected);
  });

  it("shows zero for a clock that runs behind", () => {
    expect(formatTimer(-3_000)).toBe("0:00");
  });
});

describe("cardTitle", () => {
  it("uses the job name", () => {
    expect(cardTitle(view({ jobName: "resize 🖼️" }))).toBe("resize 🖼️");
  });

  it("falls back to the job id without a name", () => {
    expect(cardTitle(view({ jobName: null, key: "sync-abc-e2" }))).toBe("sync-abc-e2");
  });
});

describe("actionLine", () => {
  it("shows the queue position while queued", () => {
    expect(actionLine(view({ queuePosition: 3 }))).toBe("Queue position 3");
  });

  it("waits for a GPU without a queue position", () => {
    expect(actionLine(view())).toBe("Waiting for a GPU");
  });

  it("shows the endpoint's queue count from the watchdog", () => {
    expect(actionLine(view({ queueCount: 4 }))).toBe("Waiting for a GPU, 4 in queue");
  });

  it("explains a merged card", () => {
    expect(actionLine(view({ state: "merged" }))).toBe("Merged into another card of the same job");
  });

  it("explains an expired card", () => {
    expect(actionLine(view({ state: "expired" }))).toBe("RunPod no longer knows this job");
  });

  it("shows the GPU type while running", () => {
    expect(actionLine(view({ state: "running", gpuType: "NVIDIA A100 80GB" }))).toBe(
      "NVIDIA A100 80GB",
    );
  });

  it("says running without a GPU type", () => {
    expect(actionLine(view({ state: "running" }))).toBe("Running");
  });

  it("appends progress to open cards", () => {
    expect(actionLine(view({ state: "running", gpuType: "RTX 4090", progress: "step 3/10" }))).toBe(
      "RTX 4090 · step 3/10",
    );
    expect(actionLine(view({ queuePosition: 1, progress: "uploading" }))).toBe(
      "Queue position 1 · uploading",
    );
  });

  it("shows the execution time when completed", () => {
    expect(actionLine(view({ state: "completed", hasOutput: true, executionMs: 185_000 }))).toBe(
      "Completed in 3m 05s",
    );
  });

  it("calls out a completed job without output", () => {
    expect(actionLine(view({ state: "completed", hasOutput: false, executionMs: 1_200 }))).toBe(
      "Completed with no output",
    );
  });

  it("says completed without an execution time", () => {
    expect(actionLine(view({ state: "completed", hasOutput: true }))).toBe("Completed");
  });

  it("hides progress once closed", () => {
    expect(actionLine(view({ state: "completed", hasOutput: true, progress: "step 9/10" }))).toBe(
      "Completed",
    );
  });

  it.each([
    ["failed", "Failed"],
    ["timed_out", "Timed out"],
    ["cancelled", "Cancelled"],
  ] as const)("shows the error message or a default when %s", (state, fallback) => {
    expect(actionLine(view({ state, errorMessage: "CUDA out of memory" }))).toBe(
      "CUDA out of memory",
    );
    expect(actionLine(view({ state }))).toBe(fallback);
  });
});

describe("elapsedMs", () => {
  it("counts from the card's creation", () => {
    expect(elapsedMs(view(), Date.parse("2025-01-01T10:01:30.000Z"))).toBe(90_000);
  });

  it("never goes below zero when the browser clock is behind", () => {
    expect(elapsedMs(view(), Date.parse("2025-01-01T09:59:00.000Z"))).toBe(0);
  });
});

describe("totalMs", () => {
  it("adds RunPod's delay and execution times", () => {
    const closed = view({
      state: "completed",
      delayMs: 2_000,
      executionMs: 5_500,
      closedAt: "2025-01-01T10:05:00.000Z",
    });
    expect(totalMs(closed)).toBe(7_500);
  });

  it("uses the card's open time when RunPod's times are missing", () => {
    const closed = view({
      state: "failed",
      executionMs: 5_500,
      closedAt: "2025-01-01T10:05:00.000Z",
    });
    expect(totalMs(closed)).toBe(300_000);
  });

  it("is null while open", () => {
    expect(totalMs(view())).toBeNull();
  });
});

describe("cardColor", () => {
  it.each([
    ["queued", "purple"],
    ["running", "purple"],
    ["completed", "green"],
    ["failed", "red"],
    ["timed_out", "red"],
    ["cancelled", "orange"],
    ["expired", "grey"],
    ["merged", "grey"],
  ] as const)("colours %s %s", (state, color) => {
    expect(cardColor(state)).toBe(color);
  });
});

describe("cardClock", () => {
  it("ticks the timer of an open card", () => {
    expect(cardClock(view(), Date.parse("2025-01-01T10:01:30.000Z"))).toBe("1:30");
  });

  it("shows the total time of a closed card", () => {
    const closed = view({ state: "completed", delayMs: 1_200, executionMs: 45_000 });
    expect(cardClock(closed, Date.parse("2025-01-02T00:00:00.000Z"))).toBe("46 s");
  });

  it("is empty for a closed card without a total", () => {
    const closed = view({ state: "failed", delayMs: null, executionMs: null, closedAt: null });
    expect(cardClock(closed, Date.parse("2025-01-02T00:00:00.000Z"))).toBe("");
  });
});

describe("sortBoard", () => {
  it("puts open cards first, newest first, then recently closed", () => {
    const board = sortBoard([
      view({ id: "closed-old", state: "completed", closedAt: "2025-01-01T10:01:00.000Z" }),
      view({ id: "open-old", createdAt: "2025-01-01T09:00:00.000Z" }),
      view({ id: "closed-new", state: "failed", closedAt: "2025-01-01T10:09:00.000Z" }),
      view({ id: "open-new", state: "running", createdAt: "2025-01-01T10:08:00.000Z" }),
    ]);
    expect(board.map((a) => a.id)).toEqual(["open-new", "open-old", "closed-new", "closed-old"]);
  });
});

describe("upsertActivity", () => {
  it("adds a new card in board order", () => {
    const board = [view({ id: "a", state: "completed", closedAt: "2025-01-01T10:01:00.000Z" })];
    const next = upsertActivity(board, view({ id: "b" }));
    expect(next.map((a) => a.id)).toEqual(["b", "a"]);
  });

  it("replaces a card and moves it when it closes", () => {
    const board = [
      view({ id: "a", createdAt: "2025-01-01T10:02:00.000Z" }),
      view({ id: "b", createdAt: "2025-01-01T10:01:00.000Z" }),
    ];
    const closed = view({
      id: "a",
      state: "completed",
      createdAt: "2025-01-01T10:02:00.000Z",
      updatedAt: "2025-01-01T10:03:00.000Z",
      closedAt: "2025-01-01T10:03:00.000Z",
    });
    const next = upsertActivity(board, closed);
    expect(next.map((a) => [a.id, a.state])).toEqual([
      ["b", "queued"],
      ["a", "completed"],
    ]);
  });

  it("ignores a version older than the one shown", () => {
    const current = view({ id: "a", state: "running", updatedAt: "2025-01-01T10:05:00.000Z" });
    const stale = view({ id: "a", state: "queued", updatedAt: "2025-01-01T10:04:00.000Z" });
    expect(upsertActivity([current], stale)).toEqual([current]);
  });

  it("drops the oldest closed cards past the limit", () => {
    const board = [
      view({ id: "open" }),
      view({ id: "closed", state: "completed", closedAt: "2025-01-01T10:01:00.000Z" }),
    ];
    const next = upsertActivity(
      board,
      view({ id: "newer", createdAt: "2025-01-01T10:02:00.000Z" }),
      2,
    );
    expect(next.map((a) => a.id)).toEqual(["newer", "open"]);
  });
});

describe("staleSince", () => {
  const updatedAt = "2026-12-04T12:00:00.000Z";
  const fifteenMinutes = 15 * 60_000;
  const changed = Date.parse(updatedAt);

  it("is null before the limit", () => {
    expect(
      staleSince({ state: "running", updatedAt }, changed + fifteenMinutes - 1, fifteenMinutes),
    ).toBeNull();
  });

  it("is the last change plus the limit once passed", () => {
    const since = staleSince(
      { state: "queued", updatedAt },
      changed + fifteenMinutes,
      fifteenMinutes,
    );
    expect(since?.toISOString()).toBe("2026-12-04T12:15:00.000Z");
  });

  it("is null for a closed card", () => {
    expect(
      staleSince({ state: "completed", updatedAt }, changed + 10 * fifteenMinutes, fifteenMinutes),
    ).toBeNull();
  });
});
