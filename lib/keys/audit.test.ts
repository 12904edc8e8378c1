import { describe, expect, it } from "vitest";
import { describeActor } from "./audit";

describe("describeActor", () => {
  it("names a dashboard change by the account's email", () => {
    expect(describeActor("account:acc_0123456789abcdefghij", "ada@example.com")).toBe(
      "ada@example.com",
    );
  });

  it("names a deleted account", () => {
    expect(describeActor("account:acc_0123456789abcdefghij", null)).toBe("deleted account");
  });

  it("names the command line and rejected uses", () => {
    expect(describeActor("cli", null)).toBe("command line");
    expect(describeActor("request", null)).toBe("request with the key");
    expect(describeActor("runpod-proxy", null)).toBe("Chirp's RunPod proxy");
  });

  it("returns another actor as stored", () => {
    expect(describeActor("watchdog", null)).toBe("watchdog");
  });
});
