import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * A GitHub link intent: the signed-in account's request to connect a GitHub user to it,
 * made by "Connect GitHub" in Settings and read by the GitHub sign-in callback. It is kept
 * in an HttpOnly cookie as `v1.<payload>.<signature>`, where the payload is base64url JSON
 * `{ accountId, nonce, expiresAt }` and the signature is HMAC-SHA256 of the payload with a
 * key derived from AUTH_SECRET. Without a valid intent, a GitHub sign-in never attaches to
 * an existing account.
 */

/** The cookie that carries the intent. Only the GitHub callback route receives it. */
export const GITHUB_LINK_COOKIE = "chirp-github-link";
export const GITHUB_LINK_COOKIE_PATH = "/api/auth/callback/github";

/** How long the user has to finish GitHub's authorization after choosing "Connect GitHub". */
export const GITHUB_LINK_LIFETIME_SECONDS = 300;

const VERSION = "v1";

export interface GitHubLinkIntent {
  accountId: string;
  nonce: string;
  /** Unix time in seconds after which the intent is rejected. */
  expiresAt: number;
}

/** The reason an intent cookie is rejected. For each one, the fix is to choose "Connect GitHub" again. */
export type GitHubLinkIntentProblem =
  | "malformed"
  | "invalid_signature"
  | "expired"
  | "other_account"
  | "reused";

export type GitHubLinkIntentResult =
  | { intent: GitHubLinkIntent }
  | { problem: GitHubLinkIntentProblem };

// Derived so that the intent's signature can never be confused with an Auth.js token or
// anything else signed with AUTH_SECRET.
function signingKey(secret: string): Buffer {
  return Buffer.from(hkdfSync("sha256", secret, "", "chirp github link intent", 32));
}

function signature(secret: string, payload: string): Buffer {
  return createHmac("sha256", signingKey(secret)).update(payload).digest();
}

/** Creates the cookie value of a new intent for `accountId`, valid for a few minutes. */
export function createGitHubLinkIntent({
  accountId,
  secret,
  now = Date.now(),
}: {
  accountId: string;
  secret: string;
  now?: number;
}): string {
  const intent: GitHubLinkIntent = {
    accountId,
    nonce: randomBytes(16).toString("base64url"),
    expiresAt: Math.floor(now / 1000) + GITHUB_LINK_LIFETIME_SECONDS,
  };
  const payload = Buffer.from(JSON.stringify(intent)).toString("base64url");
  return `${VERSION}.${payload}.${signature(secret, payload).toString("base64url")}`;
}

function parseIntent(payload: string): GitHubLinkIntent | undefined {
  try {
    const value = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as unknown;
    if (typeof value !== "object" || value === null) return undefined;
    const { accountId, nonce, expiresAt } = value as Record<string, unknown>;
    if (typeof accountId !== "string" || typeof nonce !== "string") return undefined;
    if (typeof expiresAt !== "number" || !Number.isSafeInteger(expiresAt)) return undefined;
    return { accountId, nonce, expiresAt };
  } catch {
    return undefined;
  }
}

// Nonces of intents already used, with their expiry in Unix seconds. An entry is dropped
// once its intent has expired, because the expiry check rejects the intent from then on.
// NOTE: the set lives in one server process. With several app instances, an intent could
// be used once on each. That can still only connect a GitHub user to the intent's own
// account, and only while that account has none.
const usedNonces = new Map<string, number>();

function forgetExpiredNonces(nowSeconds: number): void {
  for (const [nonce, expiresAt] of usedNonces) {
    if (expiresAt < nowSeconds) usedNonces.delete(nonce);
  }
}

/**
 * Checks an intent cookie value for the account the browser is signed in as, and marks
 * it used, so each intent connects GitHub at most once in this process. Returns the
 * intent or why it was rejected: an unsigned or altered value, an expired one, one made
 * for another account (`accountId` undefined when no one is signed in), or one used
 * before.
 */
export function consumeGitHubLinkIntent(
  value: string,
  {
    accountId,
    secret,
    now = Date.now(),
  }: { accountId: string | undefined; secret: string; now?: number },
): GitHubLinkIntentResult {
  const parts = value.split(".");
  if (parts.length !== 3 || parts[0] !== VERSION) return { problem: "malformed" };
  const [, payload = "", presented = ""] = parts;

  const expected = signature(secret, payload);
  const presentedSignature = Buffer.from(presented, "base64url");
  if (
    presentedSignature.length !== expected.length ||
    !timingSafeEqual(presentedSignature, expected)
  ) {
    return { problem: "invalid_signature" };
  }

  const intent = parseIntent(payload);
  if (!intent) return { problem: "malformed" };
  const nowSeconds = Math.floor(now / 1000);
  if (intent.expiresAt < nowSeconds) return { problem: "expired" };
  if (intent.accountId !== accountId) return { problem: "other_account" };

  forgetExpiredNonces(nowSeconds);
  if (usedNonces.has(intent.nonce)) return { problem: "reused" };
  usedNonces.set(intent.nonce, intent.expiresAt);
  return { intent };
}
