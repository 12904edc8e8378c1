import { hash, verify } from "@node-rs/argon2";
import { and, eq, isNull, sql } from "drizzle-orm";
import { getDb } from "@/lib/db/client";
import { type Account, accounts } from "@/lib/db/schema";
import { ApiError } from "@/lib/http/errors";
import { newId } from "@/lib/ids";

export const MIN_PASSWORD_LENGTH = 10;
export const MAX_PASSWORD_LENGTH = 256;

// argon2id with OWASP's second recommended setting (19 MiB, 2 passes, 1 lane).
const HASH_OPTIONS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

// Verifying against this hash when the email is unknown keeps sign-in time the same for
// known and unknown emails.
let dummyHash: Promise<string> | undefined;

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** Returns whether the text, trimmed and lowercased, has the shape of an email address. */
export function isEmailAddress(email: string): boolean {
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(normalizeEmail(email));
}

/** Returns what is wrong with a password that is being chosen, or undefined when it is fine. */
export function passwordProblem(password: string): string | undefined {
  if (password.length < MIN_PASSWORD_LENGTH) {
    return `use at least ${MIN_PASSWORD_LENGTH} characters`;
  }
  if (password.length > MAX_PASSWORD_LENGTH) {
    return `use at most ${MAX_PASSWORD_LENGTH} characters`;
  }
  return undefined;
}

export function validateCredentials(email: string, password: string): void {
  const fields = [];
  if (!isEmailAddress(email)) {
    fields.push({ field: "email", message: `"${email}" is not an email address` });
  }
  const problem = passwordProblem(password);
  if (problem) fields.push({ field: "password", message: problem });
  if (fields.length > 0) {
    throw new ApiError(
      "invalid_fields",
      fields.map((f) => `${f.field}: ${f.message}`).join("; "),
      fields,
    );
  }
}

export async function createAccount({
  email,
  password,
}: {
  email: string;
  password: string;
}): Promise<Account> {
  validateCredentials(email, password);
  const db = await getDb();
  const normalized = normalizeEmail(email);
  const [account] = await db
    .insert(accounts)
    .values({
      id: newId("acc"),
      email: normalized,
      passwordHash: await hash(password, HASH_OPTIONS),
    })
    .onConflictDoNothing()
    .returning();
  if (!account) {
    throw new ApiError(
      "invalid_fields",
      `An account for ${normalized} already exists; sign in instead.`,
      [{ field: "email", message: "already registered" }],
    );
  }
  return account;
}

export async function getAccountByEmail(email: string): Promise<Account | undefined> {
  const db = await getDb();
  const [account] = await db
    .select()
    .from(accounts)
    .where(eq(accounts.email, normalizeEmail(email)));
  return account;
}

/** Returns how an account can sign in, or undefined when it no longer exists. */
export async function signInMethods(
  accountId: string,
): Promise<{ password: boolean; github: boolean } | undefined> {
  const db = await getDb();
  const [account] = await db
    .select({ passwordHash: accounts.passwordHash, githubUserId: accounts.githubUserId })
    .from(accounts)
    .where(eq(accounts.id, accountId));
  if (!account) return undefined;
  return { password: account.passwordHash !== null, github: account.githubUserId !== null };
}

/** Returns the account when the password matches, otherwise null. */
export async function verifyPassword(email: string, password: string): Promise<Account | null> {
  const account = await getAccountByEmail(email);
  // An account without a password (created through GitHub) is checked like an unknown
  // email, so the time taken does not tell which accounts have a password.
  if (!account?.passwordHash) {
    dummyHash ??= hash("not a real password", HASH_OPTIONS);
    await verify(await dummyHash, password).catch(() => false);
    return null;
  }
  return (await verify(account.passwordHash, password)) ? account : null;
}

function invalidField(field: string, message: string): ApiError {
  return new ApiError("invalid_fields", `${field}: ${message}`, [{ field, message }]);
}

/** The account's session version after a change that raised it, for re-issuing a session. */
export interface SessionVersionChange {
  accountId: string;
  email: string;
  sessionVersion: number;
}

// Every write that signs out other sessions raises the version in the same statement as
// its change, so no session can be issued between the two.
export const raisedSessionVersion = sql`${accounts.sessionVersion} + 1`;
/** The columns a write that raised the session version returns, for `returning()`. */
export const sessionVersionChange = {
  accountId: accounts.id,
  email: accounts.email,
  sessionVersion: accounts.sessionVersion,
};

/**
 * Replaces the password of `accountId` after checking `currentPassword` against it, and
 * raises the account's session version, which signs out every session issued before. An
 * account created through GitHub sign-in has no password yet: it sets its first one
 * without a current password, since the session already proves who it is. The caller
 * passes the signed-in account's id from the session. Raises an `invalid_fields` ApiError
 * on the `currentPassword` or `newPassword` field, and `unauthorized` when the account no
 * longer exists.
 */
export async function changePassword({
  accountId,
  currentPassword,
  newPassword,
}: {
  accountId: string;
  currentPassword: string;
  newPassword: string;
}): Promise<SessionVersionChange> {
  const problem = passwordProblem(newPassword);
  if (problem) throw invalidField("newPassword", problem);

  const db = await getDb();
  const [account] = await db.select().from(accounts).where(eq(accounts.id, accountId));
  if (!account) {
    throw new ApiError("unauthorized", "This account no longer exists; sign in again.");
  }
  const oldHash = account.passwordHash;
  if (oldHash !== null) {
    if (!(await verify(oldHash, currentPassword))) {
      throw invalidField("currentPassword", "does not match the password of this account");
    }
    if (newPassword === currentPassword) {
      throw invalidField("newPassword", "choose a password different from the current one");
    }
  }

  // Matching the old hash too makes a concurrent change win once instead of being overwritten.
  const [updated] = await db
    .update(accounts)
    .set({
      passwordHash: await hash(newPassword, HASH_OPTIONS),
      sessionVersion: raisedSessionVersion,
    })
    .where(
      and(
        eq(accounts.id, accountId),
        oldHash === null ? isNull(accounts.passwordHash) : eq(accounts.passwordHash, oldHash),
      ),
    )
    .returning(sessionVersionChange);
  if (!updated) {
    throw invalidField(
      "currentPassword",
      "the password changed in the meantime; enter the new one",
    );
  }
  return updated;
}

/**
 * Sets a new password for the account with this email without checking the old one, and
 * signs out all of its sessions. This is the administrator's reset from the command line.
 * Raises `invalid_fields` for a password that is too short or too long, and returns
 * undefined when no account has the email.
 */
export async function resetPassword({
  email,
  newPassword,
}: {
  email: string;
  newPassword: string;
}): Promise<SessionVersionChange | undefined> {
  const problem = passwordProblem(newPassword);
  if (problem) throw invalidField("password", problem);

  const db = await getDb();
  const [updated] = await db
    .update(accounts)
    .set({
      passwordHash: await hash(newPassword, HASH_OPTIONS),
      sessionVersion: raisedSessionVersion,
    })
    .where(eq(accounts.email, normalizeEmail(email)))
    .returning(sessionVersionChange);
  return updated;
}

/**
 * Raises the account's session version, which signs out every session issued before,
 * including the caller's own until it is re-issued with the returned version. Raises
 * `unauthorized` when the account no longer exists.
 */
export async function raiseSessionVersion(accountId: string): Promise<SessionVersionChange> {
  const db = await getDb();
  const [updated] = await db
    .update(accounts)
    .set({ sessionVersion: raisedSessionVersion })
    .where(eq(accounts.id, accountId))
    .returning(sessionVersionChange);
  if (!updated) {
    throw new ApiError("unauthorized", "This account no longer exists; sign in again.");
  }
  return updated;
}

/** Returns the account's session version, or undefined when the account no longer exists. */
export async function currentSessionVersion(accountId: string): Promise<number | undefined> {
  const db = await getDb();
  const [account] = await db
    .select({ sessionVersion: accounts.sessionVersion })
    .from(accounts)
    .where(eq(accounts.id, accountId));
  return account?.sessionVersion;
}
