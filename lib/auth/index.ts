import { cookies } from "next/headers";
import NextAuth, { type User } from "next-auth";
import { accountForGitHubProfile, linkGitHubWithIntent } from "@/lib/accounts/github";
import { authSecret } from "@/lib/config";
import { ApiError } from "@/lib/http/errors";
import { logger } from "@/lib/log";
import { authConfig } from "./config";
import type { GitHubProfile } from "./github";
import { GITHUB_LINK_COOKIE, GITHUB_LINK_COOKIE_PATH } from "./github-link";
import { authProviders } from "./providers";

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
    ...authConfig.callbacks,
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
  return true;
}

/** Returns the signed-in account's id, or throws an ApiError that becomes a 401. */
export async function requireAccountId(): Promise<string> {
  const session = await auth();
  const id = session?.user?.id;
  if (!id) throw new ApiError("unauthorized", "Sign in to use the dashboard API.");
  return id;
}
