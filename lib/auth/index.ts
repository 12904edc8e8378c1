import NextAuth from "next-auth";
import { accountForGitHubProfile } from "@/lib/accounts/github";
import { authSecret } from "@/lib/config";
import { ApiError } from "@/lib/http/errors";
import { logger } from "@/lib/log";
import { authConfig } from "./config";
import type { GitHubProfile } from "./github";
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
     * takes its subject from `user.id`, so it is set to the account id here.
     */
    async signIn({ user, account, profile }) {
      if (account?.provider !== "github") return true;
      const result = await accountForGitHubProfile((profile ?? {}) as GitHubProfile);
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

/** Returns the signed-in account's id, or throws an ApiError that becomes a 401. */
export async function requireAccountId(): Promise<string> {
  const session = await auth();
  const id = session?.user?.id;
  if (!id) throw new ApiError("unauthorized", "Sign in to use the dashboard API.");
  return id;
}
