import { randomInt, randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "@/lib/db/client";
import { accounts } from "@/lib/db/schema";
import { accountForGitHubProfile } from "./github";
import { changePassword, createAccount, signInMethods, verifyPassword } from "./store";

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
