import { describe, expect, it } from "vitest";
import { activityRowFixture } from "@/lib/testing/activity-view";
import { jobIdTokens, RUNPOD_JOB_ID_PATTERN } from "./detect";
import { chooseSurvivor, survivorUpdates } from "./merge";

const card = activityRowFixture;

describe("chooseSurvivor", () => {
  it("inspector card wins over an older client card", () => {
    const client = card({ id: "act_client", createdAt: new Date("2026-12-05T09:00:00Z") });
    const inspector = card({
      id: "act_inspector",
      openedBy: "inspector",
      createdAt: new Date("2026-12-05T10:00:00Z"),
    });

    expect(chooseSurvivor([client, inspector]).id).toBe("act_inspector");
  });

  it("client card wins over a webhook card", () => {
    const webhook = card({
      id: "act_webhook",
      openedBy: "webhook",
      createdAt: new Date("2026-12-05T10:00:00Z"),
    });
    const client = card({ id: "act_client", createdAt: new Date("2026-12-05T11:00:00Z") });

    expect(chooseSurvivor([webhook, client]).id).toBe("act_client");
  });

  it("oldest of two client cards wins", () => {
    const older = card({ id: "act_z", createdAt: new Date("2026-12-05T09:00:00Z") });
    const newer = card({ id: "act_a", createdAt: new Date("2026-12-05T10:00:00Z") });

    expect(chooseSurvivor([newer, older]).id).toBe("act_z");
  });
});

describe("survivorUpdates", () => {
  it("open survivor takes the first terminal outcome", () => {
    const survivor = card({ id: "act_s", jobName: "render", endpoint: null });
    const failed = card({
      id: "act_f",
      state: "failed",
      errorMessage: "CUDA out of memory",
      closedAt: new Date("2026-12-05T10:05:00Z"),
    });
    const completed = card({
      id: "act_c",
      state: "completed",
      hasOutput: true,
      executionMs: 4210,
      closedAt: new Date("2026-12-05T10:01:00Z"),
      endpoint: "isxbq1e254mbjz",
    });

    const updates = survivorUpdates(survivor, [failed, completed]);

    expect(updates.state).toBe("completed");
    expect(updates.executionMs).toBe(4210);
    expect(updates.closedAt).toEqual(new Date("2026-12-05T10:01:00Z"));
    expect(updates.endpoint).toBe("isxbq1e254mbjz");
    expect(updates.jobName).toBeUndefined();
  });

  it("survivor closed first keeps its outcome", () => {
    const survivor = card({ state: "failed", closedAt: new Date("2026-12-05T09:00:00Z") });
    const other = card({
      id: "act_o",
      state: "completed",
      closedAt: new Date("2026-12-05T10:00:00Z"),
    });

    expect(survivorUpdates(survivor, [other]).state).toBeUndefined();
  });

  it("closed survivor takes an earlier outcome", () => {
    const survivor = card({
      state: "failed",
      errorMessage: "CUDA out of memory",
      closedAt: new Date("2026-12-05T10:00:00Z"),
    });
    const other = card({
      id: "act_o",
      state: "completed",
      hasOutput: true,
      closedAt: new Date("2026-12-05T09:00:00Z"),
    });

    const updates = survivorUpdates(survivor, [other]);

    expect(updates.state).toBe("completed");
    expect(updates.errorMessage).toBeNull();
    expect(updates.closedAt).toEqual(new Date("2026-12-05T09:00:00Z"));
  });

  it("RunPod outcome wins over expired", () => {
    const survivor = card({
      state: "expired",
      errorMessage: "RunPod no longer knows this job.",
      closedAt: new Date("2026-12-05T09:00:00Z"),
    });
    const other = card({
      id: "act_o",
      state: "completed",
      runpodStatus: "COMPLETED",
      executionMs: 340,
      closedAt: new Date("2026-12-05T09:30:00Z"),
    });

    const updates = survivorUpdates(survivor, [other]);

    expect(updates.state).toBe("completed");
    expect(updates.runpodStatus).toBe("COMPLETED");
    expect(updates.executionMs).toBe(340);
    expect(updates.errorMessage).toBeNull();
  });
});

describe("detection helpers", () => {
  it("job id tokens leave out the card's own key", () => {
    const tokens = jobIdTokens(
      card({
        key: "run-1234567",
        jobName: "render 3f2a9c4e-8b1d-4e7a-9c55-0d6e2b7f1a93-u1 run-1234567",
      }),
    );

    expect(tokens).toEqual(["3f2a9c4e-8b1d-4e7a-9c55-0d6e2b7f1a93-u1"]);
  });

  it.each([
    ["3f2a9c4e-8b1d-4e7a-9c55-0d6e2b7f1a93-u1", true],
    ["sync-3f2a9c4e-8b1d-4e7a-9c55-0d6e2b7f1a93-e2", true],
    ["3F2A9C4E-8B1D-4E7A-9C55-0D6E2B7F1A93", true],
    ["nightly-render-2026-12-05", false],
    ["run-3f2a9c4e-8b1d-4e7a-9c55-0d6e2b7f1a93", false],
  ])("job id pattern on %s is %s", (key, matches) => {
    expect(new RegExp(RUNPOD_JOB_ID_PATTERN, "i").test(key)).toBe(matches);
  });
});
