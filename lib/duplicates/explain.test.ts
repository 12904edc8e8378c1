import { describe, expect, it } from "vitest";
import { explainGroup } from "./explain";

const BASE_URL = "https://chirp.example";

function sameNameGroup(keys: [string, string]) {
  const summary = `Two cards on endpoint isxbq1e254mbjz named "render" were open at once, started 4 s apart under keys "${keys[0]}" and "${keys[1]}".`;
  return explainGroup(
    { rule: "same_name_within_window", evidence: { summary, secondsApart: 4 } },
    keys.map((key) => ({
      key,
      openedBy: "api" as const,
      jobName: "render",
      endpoint: "isxbq1e254mbjz",
    })),
    BASE_URL,
  );
}

describe("same name explanation", () => {
  it("run-name keys: use the job id", () => {
    const explanation = sameNameGroup(["retry-a", "retry-b"]);

    expect(explanation.fix).toContain("Use RunPod's job id as key");
    expect(explanation.snippet).toContain(`${BASE_URL}/v1/activity/start`);
  });

  it("job id keys: two jobs, no corrected call", () => {
    const explanation = sameNameGroup([
      "7647cf37-2f0e-4f0a-9d55-0d6e2b7f1a93-u1",
      "b9bdffbe-8b1d-4e7a-9c55-0d6e2b7f1a93-u1",
    ]);

    expect(explanation.cause).toContain("RunPod ran two jobs");
    expect(explanation.fix).not.toContain("Use RunPod's job id as key");
    expect(explanation.fix).toContain("Not a duplicate");
    expect(explanation.snippet).toBeUndefined();
  });
});
