import { ConfigError } from "@/lib/config";

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
    "An account with the email of your GitHub account already exists. Sign in with its password; Chirp does not attach GitHub to an existing account, so that a GitHub account with the same email cannot take it over.",
  github_no_email:
    "Your GitHub account shares no email address with Chirp. Add one to your GitHub account, or create a Chirp account with a password.",
  github_invalid_profile:
    "GitHub sent a profile without a user id, so Chirp could not sign you in. Try again, or sign in with a password.",
} as const;

export type GitHubSignInError = keyof typeof githubSignInErrors;
