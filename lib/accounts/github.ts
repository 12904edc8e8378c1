import { and, eq, isNotNull, isNull } from "drizzle-orm";
import type {
  GitHubLinkError,
  GitHubProfile,
  GitHubSignInError,
  GitHubUnlinkError,
} from "@/lib/auth/github";
import { consumeGitHubLinkIntent } from "@/lib/auth/github-link";
import { getDb } from "@/lib/db/client";
import { type Account, accounts } from "@/lib/db/schema";
import { newId } from "@/lib/ids";
import { logger } from "@/lib/log";
import {
  isEmailAddress,
  normalizeEmail,
  raisedSessionVersion,
  type SessionVersionChange,
  sessionVersionChange,
  signInMethods,
} from "./store";

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

export type GitHubLinkResult = { account: Account } | { error: GitHubLinkError };

// PostgreSQL's unique_violation. Drizzle wraps driver errors, so the cause chain is searched.
function isUniqueViolation(error: unknown): boolean {
  for (let current = error; current instanceof Error; current = current.cause) {
    if ((current as { code?: unknown }).code === "23505") return true;
  }
  return false;
}

/**
 * Connects a GitHub user to the account `accountId`, which the caller has proven is the
 * signed-in account that asked for it (a GitHub link intent). Connecting the same user
 * again returns the account unchanged. Rejected when the GitHub user belongs to another
 * account, when this account already has a different GitHub user, or when the profile
 * has no user id.
 */
export async function linkGitHubAccount({
  accountId,
  profile,
}: {
  accountId: string;
  profile: GitHubProfile;
}): Promise<GitHubLinkResult> {
  const githubUserId = String(profile.id ?? "");
  if (!/^\d+$/.test(githubUserId)) return { error: "github_invalid_profile" };

  const owner = await accountByGitHubId(githubUserId);
  if (owner) {
    return owner.id === accountId ? { account: owner } : { error: "github_already_linked" };
  }

  const db = await getDb();
  try {
    const [linked] = await db
      .update(accounts)
      .set({ githubUserId })
      .where(and(eq(accounts.id, accountId), isNull(accounts.githubUserId)))
      .returning();
    if (linked) return { account: linked };
  } catch (error) {
    // Another account connected this GitHub user between the lookup and the update.
    if (isUniqueViolation(error)) return { error: "github_already_linked" };
    throw error;
  }

  const [account] = await db.select().from(accounts).where(eq(accounts.id, accountId));
  if (!account) throw new Error(`account ${accountId} no longer exists`);
  if (account.githubUserId === githubUserId) return { account };
  return { error: "github_other_user_connected" };
}

/**
 * Finishes "Connect GitHub" in the GitHub sign-in callback: checks the link intent cookie
 * value against the account the browser is signed in as (undefined when signed out), then
 * connects the GitHub user to that account. Any rejected intent (expired, altered, made
 * for another account or used before) is `github_link_expired`, whose fix is to start again.
 */
export async function linkGitHubWithIntent({
  intent,
  signedInAccountId,
  profile,
  secret,
  now,
}: {
  intent: string;
  signedInAccountId: string | undefined;
  profile: GitHubProfile;
  secret: string;
  now?: number;
}): Promise<GitHubLinkResult> {
  const checked = consumeGitHubLinkIntent(intent, { accountId: signedInAccountId, secret, now });
  if ("problem" in checked) {
    logger.info(
      { accountId: signedInAccountId, reason: checked.problem },
      "GitHub link intent rejected",
    );
    return { error: "github_link_expired" };
  }

  const { accountId } = checked.intent;
  const result = await linkGitHubAccount({ accountId, profile });
  if ("error" in result) {
    logger.info({ accountId, reason: result.error }, "connecting GitHub rejected");
  } else {
    logger.info({ accountId }, "GitHub connected");
  }
  return result;
}

export type GitHubUnlinkResult =
  | { disconnected: true; session: SessionVersionChange }
  | { error: GitHubUnlinkError };

/**
 * Removes the GitHub user from the account `accountId` and raises the account's session
 * version, which signs out every session issued before, including those that signed in
 * through GitHub. The caller re-issues its own session from the returned `session`. An
 * account without a password keeps its GitHub user, because GitHub is then its only way
 * to sign in. One conditional update decides, so a concurrent password change cannot slip
 * between check and write.
 */
export async function unlinkGitHubAccount(accountId: string): Promise<GitHubUnlinkResult> {
  const db = await getDb();
  const [unlinked] = await db
    .update(accounts)
    .set({ githubUserId: null, sessionVersion: raisedSessionVersion })
    .where(
      and(
        eq(accounts.id, accountId),
        isNotNull(accounts.githubUserId),
        isNotNull(accounts.passwordHash),
      ),
    )
    .returning(sessionVersionChange);
  if (unlinked) return { disconnected: true, session: unlinked };

  const methods = await signInMethods(accountId);
  if (!methods?.github) return { error: "github_not_connected" };
  return { error: "github_password_required" };
}
