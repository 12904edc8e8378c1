import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import {
  curlCommand,
  describeReplay,
  formatBytes,
  prettyJson,
  responseLabel,
  stateLabel,
} from "./format";

describe("curlCommand", () => {
  it("passes the body to curl unchanged through a shell", () => {
    const body = `{"output": "it's $HOME \`date\` \\n done"}`;
    const command = curlCommand({ body, contentType: "application/json" }, "http://127.0.0.1:3000");
    // A shell function named curl prints the arguments the shell would pass to curl.
    const printArguments = `curl() { for argument in "$@"; do printf '%s\\0' "$argument"; done; }\n`;
    const output = execFileSync("sh", ["-c", printArguments + command]).toString();
    expect(output.split("\0").slice(0, -1)).toEqual([
      "-X",
      "POST",
      "http://127.0.0.1:3000/v1/webhooks/runpod?key=YOUR_WEBHOOK_KEY",
      "-H",
      "content-type: application/json",
      "--data-binary",
      body,
    ]);
  });

  it("leaves out the header when no content type was sent", () => {
    const command = curlCommand({ body: "{}", contentType: null }, "http://127.0.0.1:3000");
    expect(command).not.toContain("content-type");
    expect(command).toContain("?key=YOUR_WEBHOOK_KEY'");
  });
});

describe("formatBytes", () => {
  it.each([
    [0, "0 B"],
    [812, "812 B"],
    [1536, "1.5 KB"],
    [20 * 1024 * 1024, "20.0 MB"],
  ])("%i bytes is %s", (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });
});

describe("prettyJson", () => {
  it("indents complete JSON", () => {
    expect(prettyJson({ body: '{"id":"a"}', bodyTruncated: false })).toBe('{\n  "id": "a"\n}');
  });

  it("returns null for a truncated body", () => {
    expect(prettyJson({ body: '{"id":"a"}', bodyTruncated: true })).toBeNull();
  });

  it("returns null for text that is not JSON", () => {
    expect(prettyJson({ body: "id=a", bodyTruncated: false })).toBeNull();
  });
});

describe("responseLabel", () => {
  it("adds the error code to the status", () => {
    expect(responseLabel({ responseStatus: 401, errorCode: "revoked_key" })).toBe(
      "401 revoked_key",
    );
    expect(responseLabel({ responseStatus: 200, errorCode: null })).toBe("200");
  });
});

describe("describeReplay", () => {
  it("applies to an open card", () => {
    expect(
      describeReplay({ stateBefore: "queued", stateAfter: "completed", runpodStatus: "COMPLETED" }),
    ).toEqual({ applied: true, summary: "card queued → completed" });
    expect(
      describeReplay({
        stateBefore: "running",
        stateAfter: "running",
        runpodStatus: "IN_PROGRESS",
      }),
    ).toEqual({ applied: true, summary: "card stayed running" });
  });

  it("applies when it opened the card", () => {
    expect(
      describeReplay({ stateBefore: null, stateAfter: "timed_out", runpodStatus: "TIMED_OUT" }),
    ).toEqual({ applied: true, summary: "card opened timed out" });
  });

  it("is not applied to a closed card", () => {
    expect(
      describeReplay({ stateBefore: "failed", stateAfter: "failed", runpodStatus: "COMPLETED" }),
    ).toEqual({ applied: false, summary: "card was already failed" });
  });

  it("is not applied with an unknown status", () => {
    expect(
      describeReplay({ stateBefore: "running", stateAfter: "running", runpodStatus: "PAUSED" }),
    ).toEqual({ applied: false, summary: 'unknown status "PAUSED", card stayed running' });
    expect(
      describeReplay({ stateBefore: "queued", stateAfter: "queued", runpodStatus: null }),
    ).toEqual({ applied: false, summary: "no status, card stayed queued" });
  });
});

describe("stateLabel", () => {
  it("writes underscores as spaces", () => {
    expect(stateLabel("timed_out")).toBe("timed out");
    expect(stateLabel("completed")).toBe("completed");
  });
});
