import type { JWT } from "next-auth/jwt";
import { currentSessionVersion } from "@/lib/accounts/store";
import { isDatabaseUnreachable } from "@/lib/http/errors";
import { logger } from "@/lib/log";

declare module "@auth/core/types" {
  interface User {
    /** The account's session version when the sign-in was checked. */
    sessionVersion?: number;
  }
  interface Session {
    /** Set when the database was unreachable, so the session could not be checked. */
    unverified?: boolean;
    /** The session version the session was issued with. */
    sessionVersion?: number;
  }
}

// Every account had session version 1 until sessions carried one, so a token without the
// claim was issued at version 1.
const VERSION_OF_TOKENS_WITHOUT_ONE = 1;

/** Returns the session version a token was issued with. */
export function tokenSessionVersion(token: JWT): number {
  const version = token.sessionVersion;
  return typeof version === "number" ? version : VERSION_OF_TOKENS_WITHOUT_ONE;
}

/**
 * Checks a decoded session token against its account, for Auth.js's `jwt` callback on every
 * session read, and returns the token to keep or null to sign the session out. Auth.js
 * (@auth/core 0.41, `lib/actions/session.js`) treats a null as no session and clears the
 * cookie in the responses that can set cookies. A token whose account is gone, or whose
 * session version differs from the account's, is signed out.
 *
 * When the database is unreachable the token is kept but marked `sessionUnverified`, so
 * that `requireAccountId` returns 503 and a short outage does not sign everyone out.
 *
 * Nothing in the token comes from the browser: Auth.js's `update()` (POST
 * /api/auth/session) passes the browser's data as `session`, which this check never reads.
 */
export async function checkSessionToken(token: JWT): Promise<JWT | null> {
  const { sessionUnverified: _previous, ...checked } = token;
  const accountId = token.sub;
  if (!accountId) return null;

  let current: number | undefined;
  try {
    current = await currentSessionVersion(accountId);
  } catch (error) {
    if (!isDatabaseUnreachable(error)) throw error;
    logger.error({ err: error, accountId }, "session check failed: database unreachable");
    return { ...checked, sessionUnverified: true };
  }

  if (current === undefined) {
    logger.info({ accountId }, "session signed out: account no longer exists");
    return null;
  }
  if (isOutdated(token, current)) {
    logger.info(
      { accountId, tokenVersion: tokenSessionVersion(token), accountVersion: current },
      "session signed out: session version changed",
    );
    return null;
  }
  return checked;
}

/**
 * Returns whether the token's session was signed out by a raised session version: its
 * account exists, and the account's version differs from the one the token carries.
 */
export async function wasSignedOutByNewerVersion(token: JWT): Promise<boolean> {
  if (!token.sub) return false;
  const current = await currentSessionVersion(token.sub);
  return current !== undefined && isOutdated(token, current);
}

function isOutdated(token: JWT, accountVersion: number): boolean {
  return tokenSessionVersion(token) !== accountVersion;
}
