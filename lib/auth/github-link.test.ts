import { describe, expect, it } from "vitest";
import {
  consumeGitHubLinkIntent,
  createGitHubLinkIntent,
  GITHUB_LINK_LIFETIME_SECONDS,
} from "./github-link";

const SECRET = "test-auth-secret-0123456789abcdefghijklmno";
const ACCOUNT = "acc_owner0000000000000";
const NOW = Date.parse("2026-03-01T12:00:00Z");

function intentFor(accountId = ACCOUNT): string {
  return createGitHubLinkIntent({ accountId, secret: SECRET, now: NOW });
}

/** Decodes the payload, applies `change`, and re-encodes it without re-signing. */
function withPayload(value: string, change: (payload: Record<string, unknown>) => void): string {
  const [version, payload = "", signature] = value.split(".");
  const decoded = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
  change(decoded);
  return [version, Buffer.from(JSON.stringify(decoded)).toString("base64url"), signature].join(".");
}

describe("GitHub link intent", () => {
  it("valid intent: returns its account", () => {
    const result = consumeGitHubLinkIntent(intentFor(), {
      accountId: ACCOUNT,
      secret: SECRET,
      now: NOW + 60_000,
    });

    if (!("intent" in result)) throw new Error(`expected an intent, got ${result.problem}`);
    expect(result.intent.accountId).toBe(ACCOUNT);
  });

  it("accepted until its lifetime ends", () => {
    const lastSecond = NOW + GITHUB_LINK_LIFETIME_SECONDS * 1000;

    const result = consumeGitHubLinkIntent(intentFor(), {
      accountId: ACCOUNT,
      secret: SECRET,
      now: lastSecond,
    });

    expect(result).toHaveProperty("intent");
  });

  it("expired intent: rejected", () => {
    const afterLifetime = NOW + (GITHUB_LINK_LIFETIME_SECONDS + 1) * 1000;

    const result = consumeGitHubLinkIntent(intentFor(), {
      accountId: ACCOUNT,
      secret: SECRET,
      now: afterLifetime,
    });

    expect(result).toEqual({ problem: "expired" });
  });

  it("altered account id: rejected", () => {
    const tampered = withPayload(intentFor(), (payload) => {
      payload.accountId = "acc_attacker000000000";
    });

    const result = consumeGitHubLinkIntent(tampered, {
      accountId: "acc_attacker000000000",
      secret: SECRET,
      now: NOW,
    });

    expect(result).toEqual({ problem: "invalid_signature" });
  });

  it("extended expiry: rejected", () => {
    const tampered = withPayload(intentFor(), (payload) => {
      payload.expiresAt = Number(payload.expiresAt) + 86_400;
    });

    const result = consumeGitHubLinkIntent(tampered, {
      accountId: ACCOUNT,
      secret: SECRET,
      now: NOW,
    });

    expect(result).toEqual({ problem: "invalid_signature" });
  });

  it("signed with another secret: rejected", () => {
    const foreign = createGitHubLinkIntent({
      accountId: ACCOUNT,
      secret: "another-secret-0123456789abcdefghijklmnop",
      now: NOW,
    });

    const result = consumeGitHubLinkIntent(foreign, {
      accountId: ACCOUNT,
      secret: SECRET,
      now: NOW,
    });

    expect(result).toEqual({ problem: "invalid_signature" });
  });

  it("malformed values: rejected", () => {
    for (const value of ["", "v1", "v1.abc", "v2.abc.def", "not.a.cookie.at.all"]) {
      const result = consumeGitHubLinkIntent(value, {
        accountId: ACCOUNT,
        secret: SECRET,
        now: NOW,
      });
      expect(result, value).toEqual({ problem: "malformed" });
    }
  });

  it("intent of another account: rejected", () => {
    const result = consumeGitHubLinkIntent(intentFor(), {
      accountId: "acc_someoneelse0000000",
      secret: SECRET,
      now: NOW,
    });

    expect(result).toEqual({ problem: "other_account" });
  });

  it("nobody signed in: rejected", () => {
    const result = consumeGitHubLinkIntent(intentFor(), {
      accountId: undefined,
      secret: SECRET,
      now: NOW,
    });

    expect(result).toEqual({ problem: "other_account" });
  });

  it("second use: rejected", () => {
    const value = intentFor();
    const first = consumeGitHubLinkIntent(value, { accountId: ACCOUNT, secret: SECRET, now: NOW });

    const second = consumeGitHubLinkIntent(value, { accountId: ACCOUNT, secret: SECRET, now: NOW });

    expect(first).toHaveProperty("intent");
    expect(second).toEqual({ problem: "reused" });
  });

  it("rejected attempt leaves intent usable", () => {
    const value = intentFor();
    const wrongAccount = consumeGitHubLinkIntent(value, {
      accountId: "acc_someoneelse0000000",
      secret: SECRET,
      now: NOW,
    });

    const owner = consumeGitHubLinkIntent(value, { accountId: ACCOUNT, secret: SECRET, now: NOW });

    expect(wrongAccount).toEqual({ problem: "other_account" });
    expect(owner).toHaveProperty("intent");
  });

  it("each intent has its own nonce", () => {
    const first = consumeGitHubLinkIntent(intentFor(), {
      accountId: ACCOUNT,
      secret: SECRET,
      now: NOW,
    });
    const second = consumeGitHubLinkIntent(intentFor(), {
      accountId: ACCOUNT,
      secret: SECRET,
      now: NOW,
    });

    expect(first).toHaveProperty("intent");
    expect(second).toHaveProperty("intent");
  });
});
