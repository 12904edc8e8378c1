import { cookies } from "next/headers";
import { encode } from "next-auth/jwt";
import type { SessionVersionChange } from "@/lib/accounts/store";
import { authConfig } from "@/lib/auth/config";
import { authSecret } from "@/lib/config";
import { hasSecureSessionCookie, sessionCookieName } from "./session-cookie";

/**
 * Replaces the session cookie of the current request with a new session at the account's
 * raised session version, so the browser that raised it stays signed in while every other
 * session is signed out. Call it from a server action or route handler, after the change.
 *
 * The token is built here from the database's values, never from the old token or from
 * anything the browser sent. It is encoded as Auth.js encodes its own: the same secret,
 * and the cookie's name as the salt, with the `__Secure-` prefix when the browser's
 * current cookie has it.
 */
export async function reissueSession(change: SessionVersionChange): Promise<void> {
  const cookieStore = await cookies();
  const secure = hasSecureSessionCookie(cookieStore.getAll().map(({ name }) => name));
  const name = sessionCookieName(secure);
  const maxAge = authConfig.session.maxAge;

  const value = await encode({
    token: { sub: change.accountId, email: change.email, sessionVersion: change.sessionVersion },
    secret: authSecret(),
    salt: name,
    maxAge,
  });

  // Auth.js splits a cookie over 4 KB into chunks named `name.0`, `name.1` and so on.
  // This token is far smaller, so the chunks of an old, larger cookie are removed.
  for (const { name: existing } of cookieStore.getAll()) {
    if (existing.startsWith(`${name}.`)) cookieStore.delete(existing);
  }
  cookieStore.set(name, value, {
    httpOnly: true,
    sameSite: "lax",
    path: "/",
    secure,
    expires: new Date(Date.now() + maxAge * 1000),
  });
}
