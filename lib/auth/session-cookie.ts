/**
 * The session cookie's name and lifetime, as Auth.js (next-auth 5.0.0-beta.32, @auth/core
 * 0.41) sets them. The request proxy reads the cookie and the settings page re-issues it,
 * so both must agree with Auth.js on every value here. This module needs no database and
 * runs in the proxy.
 */

/** The session cookie's lifetime in seconds: Auth.js's default of 30 days. */
export const SESSION_MAX_AGE_SECONDS = 30 * 24 * 60 * 60;

const SESSION_COOKIE = "authjs.session-token";
const SECURE_PREFIX = "__Secure-";

/**
 * Returns whether the browser has the `__Secure-` session cookie. Auth.js adds the prefix
 * when it set the cookie over HTTPS, which a TLS proxy in front of Chirp may hide from the
 * request URL, so the cookie itself is the reliable sign. Cookies longer than 4 KB are
 * split into `.0`, `.1`, ... and match too.
 */
export function hasSecureSessionCookie(cookieNames: Iterable<string>): boolean {
  for (const name of cookieNames) {
    if (name.startsWith(`${SECURE_PREFIX}${SESSION_COOKIE}`)) return true;
  }
  return false;
}

/** Returns the session cookie's name, which Auth.js also uses as the JWT encryption salt. */
export function sessionCookieName(secure: boolean): string {
  return secure ? `${SECURE_PREFIX}${SESSION_COOKIE}` : SESSION_COOKIE;
}
