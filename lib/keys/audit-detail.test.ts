import { describe, expect, it } from "vitest";
import { describeAuditDetail } from "./audit-detail";

/** Writes times in a form a test can spot, independent of the machine's zone. */
const formatTime = (iso: string) => `<${iso}>`;

describe("describeAuditDetail", () => {
  it("describes a webhook key's creation", () => {
    const detail = { kind: "webhook", name: "sdxl", expiresAt: null };
    expect(describeAuditDetail("create", detail, formatTime)).toBe(
      "Webhook key “sdxl”, any endpoint, no expiry",
    );
  });

  it("describes a scoped, expiring creation", () => {
    const detail = {
      kind: "webhook",
      name: "render",
      expiresAt: "2030-06-01T09:00:00.000Z",
      endpoints: "isxbq1e254mbjz, abc123",
    };
    expect(describeAuditDetail("create", detail, formatTime)).toBe(
      "Webhook key “render”, endpoints isxbq1e254mbjz, abc123, expires <2030-06-01T09:00:00.000Z>",
    );
  });

  it("gives API keys no endpoints", () => {
    const detail = { kind: "api", name: "ci", expiresAt: null };
    expect(describeAuditDetail("create", detail, formatTime)).toBe("API key “ci”, no expiry");
  });

  it("leaves out fields an old creation lacks", () => {
    expect(describeAuditDetail("create", { kind: "api", expiresAt: null }, formatTime)).toBe(
      "API key, no expiry",
    );
    expect(describeAuditDetail("create", {}, formatTime)).toBe("");
  });

  it("describes rerolls with and without grace", () => {
    expect(
      describeAuditDetail(
        "reroll",
        { grace: "1h", previousValidUntil: "2025-05-30T09:15:42.123Z" },
        formatTime,
      ),
    ).toBe("old value valid until <2025-05-30T09:15:42.123Z>");
    expect(
      describeAuditDetail("reroll", { grace: "none", previousValidUntil: null }, formatTime),
    ).toBe("old value stopped at once");
  });

  it("describes setting changes as from → to", () => {
    expect(
      describeAuditDetail(
        "expiry_change",
        { from: null, to: "2030-01-01T00:00:00.000Z" },
        formatTime,
      ),
    ).toBe("never → <2030-01-01T00:00:00.000Z>");
    expect(
      describeAuditDetail("scope_change", { from: "any endpoint", to: "abc123" }, formatTime),
    ).toBe("any endpoint → abc123");
  });

  it("has no detail for revocations", () => {
    expect(describeAuditDetail("revoke", {}, formatTime)).toBe("");
  });
});
