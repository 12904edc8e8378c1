import { randomInt, randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createGitHubLinkIntent } from "@/lib/auth/github-link";
import { getDb } from "@/lib/db/client";
import { accounts } from "@/lib/db/schema";
import {
  accountForGitHubProfile,
  linkGitHubAccount,
  linkGitHubWithIntent,
  unlinkGitHubAccount,
} from "./github";
import {
  changePassword,
  createAccount,
  currentSessionVersion,
  signInMethods,
  verifyPassword,
} from "./store";

/** Fabricates the parts of a GitHub profile that sign-in reads, with a fresh user id. */
function githubProfile(overrides: { email?: string | null } = {}) {
  const email = `octo-${randomUUID()}@example.test`;
  return { id: randomInt(1, 2 ** 47), login: "octo", email, ...overrides };
}

describe("accountForGitHubProfile", () => {
  it("creates an account without a password", async () => {
    const profile = githubProfile();

    const result = await accountForGitHubProfile(profile);

    if (!("account" in result)) throw new Error(`expected an account, got ${result.error}`);
    expect(result.account.email).toBe(profile.email);
    expect(result.account.githubUserId).toBe(String(profile.id));
    expect(result.account.passwordHash).toBeNull();
    expect(await signInMethods(result.account.id)).toEqual({ password: false, github: true });
  });

  it("returns the same account on the next sign-in", async () => {
    const profile = githubProfile();
    const first = await accountForGitHubProfile(profile);
    // GitHub users can change their email; the user id is what identifies them.
    const second = await accountForGitHubProfile({ ...profile, email: "changed@example.test" });

    if (!("account" in first) || !("account" in second)) throw new Error("expected accounts");
    expect(second.account.id).toBe(first.account.id);
  });

  it("never takes over a password account with the same email", async () => {
    const email = `owner-${randomUUID()}@example.test`;
    const owner = await createAccount({ email, password: "correct horse battery" });

    const result = await accountForGitHubProfile(githubProfile({ email: email.toUpperCase() }));

    expect(result).toEqual({ error: "github_email_taken" });
    const db = await getDb();
    const [stored] = await db.select().from(accounts).where(eq(accounts.id, owner.id));
    expect(stored?.githubUserId).toBeNull();
    expect(await verifyPassword(email, "correct horse battery")).not.toBeNull();
  });

  it("profile without an email: turned away", async () => {
    expect(await accountForGitHubProfile(githubProfile({ email: null }))).toEqual({
      error: "github_no_email",
    });
  });

  it("profile without a user id: turned away", async () => {
    expect(await accountForGitHubProfile({ id: "", email: "a@example.test" })).toEqual({
      error: "github_invalid_profile",
    });
  });
});

describe("GitHub account password", () => {
  it("has no password sign-in until one is set", async () => {
    const email = `octo-${randomUUID()}@example.test`;
    const profile = githubProfile({ email });
    const result = await accountForGitHubProfile(profile);
    if (!("account" in result)) throw new Error(`expected an account, got ${result.error}`);
    expect(await verifyPassword(email, "")).toBeNull();
    expect(await verifyPassword(email, "anything at all")).toBeNull();

    await changePassword({
      accountId: result.account.id,
      currentPassword: "",
      newPassword: "a brand new passphrase",
    });

    const signedIn = await verifyPassword(email, "a brand new passphrase");
    expect(signedIn?.id).toBe(result.account.id);
    expect(await signInMethods(result.account.id)).toEqual({ password: true, github: true });
  });

  it("second password change needs the first", async () => {
    const profile = githubProfile();
    const result = await accountForGitHubProfile(profile);
    if (!("account" in result)) throw new Error(`expected an account, got ${result.error}`);
    const accountId = result.account.id;
    await changePassword({ accountId, currentPassword: "", newPassword: "first passphrase!" });

    const change = changePassword({ accountId, currentPassword: "", newPassword: "second one!!" });

    await expect(change).rejects.toMatchObject({
      code: "invalid_fields",
      fields: [{ field: "currentPassword" }],
    });
  });
});

/** Creates a password account with a fresh email. */
function passwordAccount() {
  return createAccount({
    email: `owner-${randomUUID()}@example.test`,
    password: "correct horse battery",
  });
}

async function storedGitHubUserId(accountId: string): Promise<string | null | undefined> {
  const db = await getDb();
  const [stored] = await db
    .select({ githubUserId: accounts.githubUserId })
    .from(accounts)
    .where(eq(accounts.id, accountId));
  return stored?.githubUserId;
}

describe("linkGitHubAccount", () => {
  it("connects GitHub to a password account", async () => {
    const owner = await passwordAccount();
    // The GitHub email matches, which an ordinary GitHub sign-in rejects.
    const profile = githubProfile({ email: owner.email });

    const result = await linkGitHubAccount({ accountId: owner.id, profile });

    if (!("account" in result)) throw new Error(`expected an account, got ${result.error}`);
    expect(result.account.id).toBe(owner.id);
    expect(await storedGitHubUserId(owner.id)).toBe(String(profile.id));
    expect(await signInMethods(owner.id)).toEqual({ password: true, github: true });
  });

  it("later GitHub sign-in finds the account", async () => {
    const owner = await passwordAccount();
    const profile = githubProfile({ email: owner.email });
    await linkGitHubAccount({ accountId: owner.id, profile });

    const signIn = await accountForGitHubProfile(profile);

    if (!("account" in signIn)) throw new Error(`expected an account, got ${signIn.error}`);
    expect(signIn.account.id).toBe(owner.id);
  });

  it("same GitHub user again: unchanged", async () => {
    const owner = await passwordAccount();
    const profile = githubProfile();
    await linkGitHubAccount({ accountId: owner.id, profile });

    const again = await linkGitHubAccount({ accountId: owner.id, profile });

    if (!("account" in again)) throw new Error(`expected an account, got ${again.error}`);
    expect(again.account.githubUserId).toBe(String(profile.id));
  });

  it("GitHub user of another account: rejected", async () => {
    const profile = githubProfile();
    const githubAccount = await accountForGitHubProfile(profile);
    if (!("account" in githubAccount)) throw new Error("expected the GitHub account");
    const owner = await passwordAccount();

    const result = await linkGitHubAccount({ accountId: owner.id, profile });

    expect(result).toEqual({ error: "github_already_linked" });
    expect(await storedGitHubUserId(owner.id)).toBeNull();
    expect(await storedGitHubUserId(githubAccount.account.id)).toBe(String(profile.id));
  });

  it("concurrent links of one GitHub user: one wins", async () => {
    const first = await passwordAccount();
    const second = await passwordAccount();
    const profile = githubProfile();

    const results = await Promise.all([
      linkGitHubAccount({ accountId: first.id, profile }),
      linkGitHubAccount({ accountId: second.id, profile }),
    ]);

    const linked = results.filter((result) => "account" in result);
    const rejected = results.filter((result) => "error" in result);
    expect(linked).toHaveLength(1);
    expect(rejected).toEqual([{ error: "github_already_linked" }]);
  });

  it("account with another GitHub user: rejected", async () => {
    const owner = await passwordAccount();
    const firstProfile = githubProfile();
    await linkGitHubAccount({ accountId: owner.id, profile: firstProfile });

    const result = await linkGitHubAccount({ accountId: owner.id, profile: githubProfile() });

    expect(result).toEqual({ error: "github_other_user_connected" });
    expect(await storedGitHubUserId(owner.id)).toBe(String(firstProfile.id));
  });

  it("profile without a user id: rejected", async () => {
    const owner = await passwordAccount();

    const result = await linkGitHubAccount({
      accountId: owner.id,
      profile: { id: "", email: owner.email },
    });

    expect(result).toEqual({ error: "github_invalid_profile" });
    expect(await storedGitHubUserId(owner.id)).toBeNull();
  });
});

describe("unlinkGitHubAccount", () => {
  it("disconnects GitHub from a password account", async () => {
    const owner = await passwordAccount();
    const profile = githubProfile();
    await linkGitHubAccount({ accountId: owner.id, profile });

    const result = await unlinkGitHubAccount(owner.id);

    expect(result).toEqual({ disconnected: true, session: expect.any(Object) });
    expect(await signInMethods(owner.id)).toEqual({ password: true, github: false });
    expect(await accountForGitHubProfile({ ...profile, email: owner.email })).toEqual({
      error: "github_email_taken",
    });
  });

  it("raises the session version", async () => {
    const owner = await passwordAccount();
    await linkGitHubAccount({ accountId: owner.id, profile: githubProfile() });
    const before = await currentSessionVersion(owner.id);
    if (before === undefined) throw new Error(`account ${owner.id} not found`);

    const result = await unlinkGitHubAccount(owner.id);

    expect(await currentSessionVersion(owner.id)).toBe(before + 1);
    expect(result).toEqual({
      disconnected: true,
      session: { accountId: owner.id, email: owner.email, sessionVersion: before + 1 },
    });
  });

  it("rejected disconnect keeps the session version", async () => {
    const created = await accountForGitHubProfile(githubProfile());
    if (!("account" in created)) throw new Error(`expected an account, got ${created.error}`);
    const withoutGitHub = await passwordAccount();
    const githubOnlyBefore = await currentSessionVersion(created.account.id);
    const passwordOnlyBefore = await currentSessionVersion(withoutGitHub.id);

    await unlinkGitHubAccount(created.account.id);
    await unlinkGitHubAccount(withoutGitHub.id);

    expect(await currentSessionVersion(created.account.id)).toBe(githubOnlyBefore);
    expect(await currentSessionVersion(withoutGitHub.id)).toBe(passwordOnlyBefore);
  });

  it("account without a password: rejected", async () => {
    const profile = githubProfile();
    const created = await accountForGitHubProfile(profile);
    if (!("account" in created)) throw new Error(`expected an account, got ${created.error}`);

    const result = await unlinkGitHubAccount(created.account.id);

    expect(result).toEqual({ error: "github_password_required" });
    expect(await storedGitHubUserId(created.account.id)).toBe(String(profile.id));
  });

  it("after setting a password: disconnects", async () => {
    const created = await accountForGitHubProfile(githubProfile());
    if (!("account" in created)) throw new Error(`expected an account, got ${created.error}`);
    const accountId = created.account.id;
    await changePassword({ accountId, currentPassword: "", newPassword: "a brand new passphrase" });

    const result = await unlinkGitHubAccount(accountId);

    expect(result).toEqual({ disconnected: true, session: expect.any(Object) });
    expect(await signInMethods(accountId)).toEqual({ password: true, github: false });
  });

  it("account without GitHub: rejected", async () => {
    const owner = await passwordAccount();

    expect(await unlinkGitHubAccount(owner.id)).toEqual({ error: "github_not_connected" });
  });
});

describe("linkGitHubWithIntent", () => {
  const secret = "test-auth-secret-0123456789abcdefghijklmno";

  function linkWith(intent: string, signedInAccountId: string, profile = githubProfile()) {
    return linkGitHubWithIntent({ intent, signedInAccountId, profile, secret });
  }

  it("connects GitHub to the intent's account", async () => {
    const owner = await passwordAccount();
    const profile = githubProfile({ email: owner.email });
    const intent = createGitHubLinkIntent({ accountId: owner.id, secret });

    const result = await linkWith(intent, owner.id, profile);

    if (!("account" in result)) throw new Error(`expected an account, got ${result.error}`);
    expect(result.account.id).toBe(owner.id);
    expect(await storedGitHubUserId(owner.id)).toBe(String(profile.id));
  });

  it("signed in as another account: rejected", async () => {
    const owner = await passwordAccount();
    const other = await passwordAccount();
    const intent = createGitHubLinkIntent({ accountId: owner.id, secret });

    const result = await linkWith(intent, other.id);

    expect(result).toEqual({ error: "github_link_expired" });
    expect(await storedGitHubUserId(owner.id)).toBeNull();
    expect(await storedGitHubUserId(other.id)).toBeNull();
  });

  it("expired intent: rejected", async () => {
    const owner = await passwordAccount();
    const createdAt = Date.now() - 60 * 60 * 1000;
    const intent = createGitHubLinkIntent({ accountId: owner.id, secret, now: createdAt });

    const result = await linkWith(intent, owner.id);

    expect(result).toEqual({ error: "github_link_expired" });
    expect(await storedGitHubUserId(owner.id)).toBeNull();
  });

  it("reused intent: rejected", async () => {
    const owner = await passwordAccount();
    const intent = createGitHubLinkIntent({ accountId: owner.id, secret });
    const first = await linkWith(intent, owner.id);
    if (!("account" in first)) throw new Error(`expected an account, got ${first.error}`);
    await unlinkGitHubAccount(owner.id);

    const second = await linkWith(intent, owner.id);

    expect(second).toEqual({ error: "github_link_expired" });
    expect(await storedGitHubUserId(owner.id)).toBeNull();
  });

  it("GitHub user of another account: rejected", async () => {
    const profile = githubProfile();
    await accountForGitHubProfile(profile);
    const owner = await passwordAccount();
    const intent = createGitHubLinkIntent({ accountId: owner.id, secret });

    const result = await linkWith(intent, owner.id, profile);

    expect(result).toEqual({ error: "github_already_linked" });
    expect(await storedGitHubUserId(owner.id)).toBeNull();
  });
});
