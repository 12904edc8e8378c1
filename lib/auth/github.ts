import { ConfigError } from "@/lib/config";
import { GITHUB_LINK_LIFETIME_SECONDS } from "./github-link";

/** The OAuth app credentials GitHub sign-in needs. */
export interface GitHubCredentials {
  clientId: string;
  clientSecret: string;
}

/**
 * Returns the GitHub OAuth app credentials from AUTH_GITHUB_ID and AUTH_GITHUB_SECRET, or
 * undefined when neither is set, which leaves GitHub sign-in off. One without the other
 * is a ConfigError, so a half-finished setup is not mistaken for a disabled one.
 */
export function githubCredentials(
  env: Readonly<Record<string, string | undefined>> = process.env,
): GitHubCredentials | undefined {
  const clientId = env.AUTH_GITHUB_ID || undefined;
  const clientSecret = env.AUTH_GITHUB_SECRET || undefined;
  if (clientId === undefined && clientSecret === undefined) return undefined;
  if (clientId === undefined || clientSecret === undefined) {
    const missing = clientId === undefined ? "AUTH_GITHUB_ID" : "AUTH_GITHUB_SECRET";
    const present = clientId === undefined ? "AUTH_GITHUB_SECRET" : "AUTH_GITHUB_ID";
    throw new ConfigError(
      `${present} is set but ${missing} is not. Set both to the client id and secret of your GitHub OAuth app to enable GitHub sign-in, or unset both to disable it.`,
    );
  }
  return { clientId, clientSecret };
}

/** Returns whether the sign-in page offers "Sign in with GitHub". */
export function githubSignInEnabled(): boolean {
  return githubCredentials() !== undefined;
}

/** The parts of GitHub's user profile (`GET /user`) that sign-in reads. */
export interface GitHubProfile {
  id: number | string;
  login?: string;
  email?: string | null;
}

/** The reasons a GitHub sign-in is rejected, with the message the sign-in page shows for each. */
export const githubSignInErrors = {
  github_email_taken:
    "An account with the email of your GitHub account already exists, and GitHub is not connected to it. Sign in with that account's password, then choose Connect GitHub in Settings to sign in with GitHub from then on.",
  github_no_email:
    "Your GitHub account shares no email address with Chirp. Add one to your GitHub account, or create a Chirp account with a password.",
  github_invalid_profile:
    "GitHub sent a profile without a user id, so Chirp could not sign you in. Try again, or sign in with a password.",
} as const;

export type GitHubSignInError = keyof typeof githubSignInErrors;

/**
 * The reasons connecting GitHub in Settings fails, with the message Settings shows. The
 * GitHub callback sends the browser to `/settings?github_error=<code>`.
 */
export const githubLinkErrors = {
  github_already_linked:
    "This GitHub account is already connected to another Chirp account. Sign in to that account and disconnect GitHub there, or connect a different GitHub account.",
  github_other_user_connected:
    "This Chirp account is already connected to a different GitHub account. Disconnect it first, then connect the new one.",
  github_link_expired: `The request to connect GitHub expired or was already used. Choose Connect GitHub again and finish on GitHub within ${GITHUB_LINK_LIFETIME_SECONDS / 60} minutes.`,
  github_invalid_profile:
    "GitHub sent a profile without a user id, so Chirp could not connect it. Choose Connect GitHub again.",
} as const;

export type GitHubLinkError = keyof typeof githubLinkErrors;

/** Returns whether `code` names a reason that connecting GitHub failed. */
export function isGitHubLinkError(code: string): code is GitHubLinkError {
  return Object.hasOwn(githubLinkErrors, code);
}

/** The reasons disconnecting GitHub in Settings is rejected, with the message Settings shows. */
export const githubUnlinkErrors = {
  github_password_required:
    "GitHub is the only way this account signs in, so disconnecting it would lock you out. Set a password below first, then disconnect GitHub.",
  github_not_connected:
    "GitHub is not connected to this account, so there is nothing to disconnect.",
} as const;

export type GitHubUnlinkError = keyof typeof githubUnlinkErrors;
