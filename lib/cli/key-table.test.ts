import { describe, expect, it } from "vitest";
import type { KeySummary } from "@/lib/keys/store";
import { formatAuditTable, formatKeyTable, keyStatus } from "./key-table";

const now = new Date("2025-06-01T12:00:00Z");

function summary(overrides: Partial<KeySummary> = {}): KeySummary {
  return {
    id: "key_k7m2q9x4v1b8n3pq",
    accountId: "acc_0123456789abcdefghij",
    kind: "webhook",
    name: "sdxl",
    displayStart: "chirp_wh_3f9a_k7m2q9x4v1b8n3pq_AbCd…",
    createdAt: new Date("2025-05-30T08:15:42.123Z"),
    lastUsedAt: null,
    useCount: 0,
    revokedAt: null,
    expiresAt: null,
    previousValidUntil: null,
    rerolledAt: null,
    rateLimitPerSecond: null,
    rateLimitBurst: null,
    endpointIds: null,
    ...overrides,
  };
}

describe("keyStatus", () => {
  it("is active without revocation or expiry", () => {
    expect(keyStatus(summary(), now)).toBe("active");
  });

  it("is revoked once revoked, even when also expired", () => {
    const key = summary({ revokedAt: new Date("2025-05-31T00:00:00Z"), expiresAt: now });
    expect(keyStatus(key, now)).toBe("revoked");
  });

  it("is expired at the expiry time", () => {
    expect(keyStatus(summary({ expiresAt: now }), now)).toBe("expired");
    expect(keyStatus(summary({ expiresAt: new Date(now.getTime() + 1) }), now)).toBe("active");
  });
});

describe("formatKeyTable", () => {
  it("aligns columns under the header", () => {
    const table = formatKeyTable(
      [
        summary(),
        summary({
          id: "key_aaaaaaaaaaaaaaaa",
          kind: "api",
          name: "ci runner",
          displayStart: "chirp_api_3f9a_aaaaaaaaaaaaaaaa_WxYz…",
          lastUsedAt: new Date("2025-06-01T11:59:59Z"),
          useCount: 1234,
          revokedAt: new Date("2025-06-01T11:59:59Z"),
        }),
      ],
      now,
    );
    const lines = table.split("\n");
    expect(lines).toHaveLength(4);
    expect(lines[3]).toBe("");
    expect(lines[0]).toBe(
      "ID                    KIND     NAME       DISPLAY START                          CREATED               LAST USED             USES  STATUS",
    );
    expect(lines[1]).toBe(
      "key_k7m2q9x4v1b8n3pq  webhook  sdxl       chirp_wh_3f9a_k7m2q9x4v1b8n3pq_AbCd…   2025-05-30T08:15:42Z  never                 0     active",
    );
    expect(lines[2]).toBe(
      "key_aaaaaaaaaaaaaaaa  api      ci runner  chirp_api_3f9a_aaaaaaaaaaaaaaaa_WxYz…  2025-05-30T08:15:42Z  2025-06-01T11:59:59Z  1234  revoked",
    );
  });

  it("replaces control characters in names", () => {
    const table = formatKeyTable([summary({ name: "two\nlines\x1b[31m" })], now);
    expect(table.split("\n")).toHaveLength(3);
    expect(table).toContain("two lines [31m");
  });
});

describe("formatAuditTable", () => {
  it("aligns events, names actors and writes details as pairs", () => {
    const table = formatAuditTable([
      {
        id: 1,
        keyId: "key_k7m2q9x4v1b8n3pq",
        displayStart: "chirp_wh_3f9a_k7m2q9x4v1b8n3pq_AbCd…",
        action: "create",
        actor: "cli",
        actorName: "command line",
        ip: null,
        detail: { kind: "webhook", expiresAt: null },
        createdAt: new Date("2025-05-30T08:15:42.123Z"),
      },
      {
        id: 2,
        keyId: "key_k7m2q9x4v1b8n3pq",
        displayStart: "chirp_wh_3f9a_k7m2q9x4v1b8n3pq_WxYz…",
        action: "reroll",
        actor: "account:acc_0123456789abcdefghij",
        actorName: "ada@example.com",
        ip: "203.0.113.9",
        detail: { grace: "1h", previousValidUntil: "2025-05-30T09:15:42.123Z" },
        createdAt: new Date("2025-05-30T08:15:42.999Z"),
      },
    ]);

    const lines = table.split("\n");
    expect(lines[0]).toBe(
      "TIME                  ACTION  ACTOR            ACTOR ID                          IP           DISPLAY START                         DETAIL",
    );
    expect(lines[1]).toBe(
      "2025-05-30T08:15:42Z  create  command line     cli                               -            chirp_wh_3f9a_k7m2q9x4v1b8n3pq_AbCd…  kind=webhook expiresAt=none",
    );
    expect(lines[2]).toBe(
      "2025-05-30T08:15:42Z  reroll  ada@example.com  account:acc_0123456789abcdefghij  203.0.113.9  chirp_wh_3f9a_k7m2q9x4v1b8n3pq_WxYz…  grace=1h previousValidUntil=2025-05-30T09:15:42.123Z",
    );
  });
});
