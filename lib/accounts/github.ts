import { eq } from "drizzle-orm";
import type { GitHubProfile, GitHubSignInError } from "@/lib/auth/github";
import { getDb } from "@/lib/db/client";
import { type Account, accounts } from "@/lib/db/schema";
import { newId } from "@/lib/ids";
import { isEmailAddress, normalizeEmail } from "./store";

export type GitHubAccountResult = { account: Account } | { error: GitHubSignInError };

async function accountByGitHubId(githubUserId: string): Promise<Account | undefined> {
  const db = await getDb();
  const [account] = await db.select().from(accounts).where(eq(accounts.githubUserId, githubUserId));
  return account;
}

/**
 * Returns the account of a GitHub user: the one that signed in with this GitHub user id
 * before, or a new account with the profile's email and no password. This path never
 * attaches GitHub to an existing account with that email, verified or not. Otherwise anyone
 * who controls a GitHub account with the same email could sign in without the password,
 * so such a sign-in is rejected instead.
 */
export async function accountForGitHubProfile(
  profile: GitHubProfile,
): Promise<GitHubAccountResult> {
  const githubUserId = String(profile.id ?? "");
  if (!/^\d+$/.test(githubUserId)) return { error: "github_invalid_profile" };

  const existing = await accountByGitHubId(githubUserId);
  if (existing) return { account: existing };

  const email = normalizeEmail(profile.email ?? "");
  if (!isEmailAddress(email)) return { error: "github_no_email" };

  const db = await getDb();
  const [created] = await db
    .insert(accounts)
    .values({ id: newId("acc"), email, passwordHash: null, githubUserId })
    .onConflictDoNothing()
    .returning();
  if (created) return { account: created };

  // The insert lost to an account with this email, or to a concurrent first sign-in of
  // the same GitHub user, which is then the account to use.
  const concurrent = await accountByGitHubId(githubUserId);
  return concurrent ? { account: concurrent } : { error: "github_email_taken" };
}
