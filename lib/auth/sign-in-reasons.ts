/**
 * The `reason` query value of /sign-in for a browser whose session was signed out because
 * its account's session version was raised elsewhere.
 */
export const SESSION_ENDED_REASON = "session-ended";

/** The notice the sign-in page and the dashboard APIs give a browser whose session ended that way. */
export const SESSION_ENDED_MESSAGE =
  "You were signed out because this account's password or GitHub connection changed, or all its other sessions were signed out. Sign in again to continue.";

// A Map, because the reason comes from the URL and must not reach Object.prototype
// properties such as `constructor`.
const noticesByReason = new Map<string, string>([[SESSION_ENDED_REASON, SESSION_ENDED_MESSAGE]]);

/** Returns the sign-in page's notice for a `reason` query value, or undefined for an unknown one. */
export function signInNotice(reason: string | string[] | undefined): string | undefined {
  return typeof reason === "string" ? noticesByReason.get(reason) : undefined;
}
