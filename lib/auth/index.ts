import { cookies, headers } from "next/headers";
import NextAuth, { type Session, type User } from "next-auth";
import { getToken } from "next-auth/jwt";
import { accountForGitHubProfile, linkGitHubWithIntent } from "@/lib/accounts/github";
import { authSecret } from "@/lib/config";
import { ApiError } from "@/lib/http/errors";
import { logger } from "@/lib/log";
import { authConfig } from "./config";
import type { GitHubProfile } from "./github";
import { GITHUB_LINK_COOKIE, GITHUB_LINK_COOKIE_PATH } from "./github-link";
import { authProviders } from "./providers";
import { hasSecureSessionCookie } from "./session-cookie";
import {
  checkSessionToken,
  tokenSessionVersion,
  wasSignedOutByNewerVersion,
} from "./session-token";
import { SESSION_ENDED_MESSAGE } from "./sign-in-reasons";

// Lazy so that `next build`, which imports every route, reads no secret.
export const { handlers, auth, signIn, signOut } = NextAuth(() => ({
  ...authConfig,
  // Auth.js sends failed OAuth sign-ins to its error page; the sign-in page explains them.
  pages: { ...authConfig.pages, error: "/sign-in" },
  secret: authSecret(),
  // Auth.js prints every failed sign-in as an error with a stack. A wrong password is an
  // ordinary outcome, so it is dropped, and other errors go to the structured log.
  logger: {
    error(error) {
      // The production build shortens class names, so the error is recognized by its type.
      if ((error as { type?: string }).type === "CredentialsSignin") return;
      logger.error({ err: error }, "authentication failed");
    },
    warn(code) {
      logger.warn({ code }, "authentication warning");
    },
    debug() {},
  },
  providers: authProviders(),
  callbacks: {
    /**
     * Writes the account and its session version into the token at sign-in, and checks
     * both against the database on every later read of the session (`auth()` in pages,
     * server actions and route handlers, and /api/auth/session). Returning null signs the
     * session out.
     */
    async jwt({ token, user }) {
      if (user) {
        if (user.id) token.sub = user.id;
        token.sessionVersion = user.sessionVersion;
        return token;
      }
      return checkSessionToken(token);
    },
    session({ session, token }) {
      if (token.sessionUnverified) {
        session.unverified = true;
        return session;
      }
      if (token.sub) session.user.id = token.sub;
      session.sessionVersion = tokenSessionVersion(token);
      return session;
    },
    /**
     * Maps a GitHub user to a Chirp account before the session is made. The session
     * takes its subject from `user.id`, so it is set to the account id here. With a link
     * intent cookie from "Connect GitHub" in Settings, the GitHub user is connected to
     * the intent's account instead of being looked up.
     */
    async signIn({ user, account, profile }) {
      if (account?.provider !== "github") return true;
      const githubProfile = (profile ?? {}) as GitHubProfile;
      const cookieStore = await cookies();
      const intent = cookieStore.get(GITHUB_LINK_COOKIE)?.value;
      if (intent !== undefined) {
        cookieStore.delete({ name: GITHUB_LINK_COOKIE, path: GITHUB_LINK_COOKIE_PATH });
        return connectGitHub({ user, profile: githubProfile, intent });
      }

      const result = await accountForGitHubProfile(githubProfile);
      if ("error" in result) {
        logger.info({ reason: result.error }, "GitHub sign-in rejected");
        return `/sign-in?error=${result.error}`;
      }
      user.id = result.account.id;
      user.email = result.account.email;
      user.sessionVersion = result.account.sessionVersion;
      return true;
    },
  },
}));

/**
 * Finishes "Connect GitHub" from Settings for the account the browser is signed in as and
 * keeps the session on it. Returns true, or the settings URL that shows why it failed.
 */
async function connectGitHub({
  user,
  profile,
  intent,
}: {
  user: User;
  profile: GitHubProfile;
  intent: string;
}): Promise<true | string> {
  const session = await auth();
  const result = await linkGitHubWithIntent({
    intent,
    signedInAccountId: session?.user?.id,
    profile,
    secret: authSecret(),
  });
  if ("error" in result) return `/settings?github_error=${result.error}`;
  user.id = result.account.id;
  user.email = result.account.email;
  user.sessionVersion = result.account.sessionVersion;
  return true;
}

// next-auth 5.0.0-beta.32's `auth(request, response)` form, made for the Pages Router,
// which reads the session from the given headers and appends refreshed cookies to the
// response's headers.
const authFromHeaders = auth as unknown as (
  request: { headers: Headers },
  response: { headers: Headers },
) => Promise<Session | null>;

/**
 * Returns the current session, like `auth()`, but read from `cookies()` instead of the
 * request's Cookie header. After a server action sets a cookie, Next renders the page in
 * the same response with `cookies()` updated and the headers unchanged. A page rendered
 * after the settings page re-issued the session must see the new cookie, or it would
 * find the old session signed out.
 */
export async function currentSession(): Promise<Session | null> {
  const requestHeaders = new Headers(await headers());
  requestHeaders.set("cookie", (await cookies()).toString());
  // Server components cannot set cookies, so a refreshed session cookie is dropped, as
  // `auth()` drops it too.
  return authFromHeaders({ headers: requestHeaders }, { headers: new Headers() });
}

/**
 * Returns whether the request carries a session cookie that was signed out because its
 * account's session version was raised: by a password change, a GitHub disconnect or
 * "Sign out other sessions". Call it after `currentSession()` returned no session, to
 * tell the browser why. It reads the cookie from `cookies()`, as `currentSession` does.
 */
export async function sessionEndedElsewhere(): Promise<boolean> {
  const cookieStore = await cookies();
  const token = await getToken({
    req: { headers: new Headers({ cookie: cookieStore.toString() }) },
    secret: authSecret(),
    secureCookie: hasSecureSessionCookie(cookieStore.getAll().map(({ name }) => name)),
  });
  return token !== null && (await wasSignedOutByNewerVersion(token));
}

/**
 * Returns the signed-in account's id and the session version its session carries, or
 * throws an ApiError: `session_ended` (401) for a session signed out by a raised session
 * version, `unauthorized` (401) without a current session for another reason, and
 * `database_unavailable` (503) when the session could not be checked.
 */
export async function requireSignedInAccount(): Promise<{
  accountId: string;
  sessionVersion: number;
}> {
  const session = await currentSession();
  if (session?.unverified) {
    throw new ApiError(
      "database_unavailable",
      "The database is unreachable, so the session could not be checked; retry in a few seconds.",
    );
  }
  const accountId = session?.user?.id;
  if (!accountId || session.sessionVersion === undefined) {
    if (await sessionEndedElsewhere()) throw new ApiError("session_ended", SESSION_ENDED_MESSAGE);
    throw new ApiError("unauthorized", "Sign in to use the dashboard API.");
  }
  return { accountId, sessionVersion: session.sessionVersion };
}

/** Returns the signed-in account's id, or throws an ApiError as `requireSignedInAccount` does. */
export async function requireAccountId(): Promise<string> {
  return (await requireSignedInAccount()).accountId;
}
