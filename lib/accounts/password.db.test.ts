import { randomInt, randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "@/lib/db/client";
import { accounts } from "@/lib/db/schema";
import { ApiError } from "@/lib/http/errors";
import { accountForGitHubProfile } from "./github";
import {
  changePassword,
  createAccount,
  currentSessionVersion,
  MIN_PASSWORD_LENGTH,
  raiseSessionVersion,
  resetPassword,
  verifyPassword,
} from "./store";

const OLD_PASSWORD = "correct horse battery";
const NEW_PASSWORD = "purple monkey dishwasher";

async function newAccount() {
  return createAccount({ email: `password-${randomUUID()}@example.test`, password: OLD_PASSWORD });
}

async function storedHash(accountId: string): Promise<string> {
  const db = await getDb();
  const [row] = await db
    .select({ passwordHash: accounts.passwordHash })
    .from(accounts)
    .where(eq(accounts.id, accountId));
  if (!row?.passwordHash) throw new Error(`account ${accountId} not found or has no password`);
  return row.passwordHash;
}

async function rejection(promise: Promise<unknown>): Promise<ApiError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ApiError);
  return error as ApiError;
}

describe("changePassword", () => {
  it("lets the new password sign in and rejects the old one", async () => {
    const account = await newAccount();

    await changePassword({
      accountId: account.id,
      currentPassword: OLD_PASSWORD,
      newPassword: NEW_PASSWORD,
    });

    const withNew = await verifyPassword(account.email, NEW_PASSWORD);
    expect(withNew?.id).toBe(account.id);
    expect(await verifyPassword(account.email, OLD_PASSWORD)).toBeNull();
  });

  it("rejects a wrong current password and keeps the hash", async () => {
    const account = await newAccount();
    const before = await storedHash(account.id);

    const error = await rejection(
      changePassword({
        accountId: account.id,
        currentPassword: "not the password at all",
        newPassword: NEW_PASSWORD,
      }),
    );

    expect(error.code).toBe("invalid_fields");
    expect(error.fields?.map((f) => f.field)).toEqual(["currentPassword"]);
    expect(await storedHash(account.id)).toBe(before);
    expect(await verifyPassword(account.email, OLD_PASSWORD)).not.toBeNull();
  });

  it("rejects a too-short new password", async () => {
    const account = await newAccount();
    const before = await storedHash(account.id);

    const error = await rejection(
      changePassword({
        accountId: account.id,
        currentPassword: OLD_PASSWORD,
        newPassword: "x".repeat(MIN_PASSWORD_LENGTH - 1),
      }),
    );

    expect(error.code).toBe("invalid_fields");
    expect(error.fields).toEqual([
      { field: "newPassword", message: `use at least ${MIN_PASSWORD_LENGTH} characters` },
    ]);
    expect(await storedHash(account.id)).toBe(before);
  });

  it("rejects a new password equal to the current one", async () => {
    const account = await newAccount();
    const before = await storedHash(account.id);

    const error = await rejection(
      changePassword({
        accountId: account.id,
        currentPassword: OLD_PASSWORD,
        newPassword: OLD_PASSWORD,
      }),
    );

    expect(error.fields?.map((f) => f.field)).toEqual(["newPassword"]);
    expect(await storedHash(account.id)).toBe(before);
  });

  it("changes only the account whose id is passed", async () => {
    const signedIn = await newAccount();
    const other = await createAccount({
      email: `password-${randomUUID()}@example.test`,
      password: "another account's password",
    });
    const otherBefore = await storedHash(other.id);

    // The other account's password, sent with the signed-in account's id, is checked against
    // the signed-in account only, so it is rejected and the other account is untouched.
    const error = await rejection(
      changePassword({
        accountId: signedIn.id,
        currentPassword: "another account's password",
        newPassword: NEW_PASSWORD,
      }),
    );

    expect(error.fields?.map((f) => f.field)).toEqual(["currentPassword"]);
    expect(await storedHash(other.id)).toBe(otherBefore);
    expect(await verifyPassword(other.email, NEW_PASSWORD)).toBeNull();
    expect(await verifyPassword(signedIn.email, OLD_PASSWORD)).not.toBeNull();
  });

  it("rejects an account id that does not exist", async () => {
    const error = await rejection(
      changePassword({
        accountId: `acc_${randomUUID()}`,
        currentPassword: OLD_PASSWORD,
        newPassword: NEW_PASSWORD,
      }),
    );

    expect(error.code).toBe("unauthorized");
  });
});

describe("session version", () => {
  it("starts at 1 for a new account", async () => {
    const account = await newAccount();

    expect(account.sessionVersion).toBe(1);
    expect(await currentSessionVersion(account.id)).toBe(1);
  });

  it("is undefined for an account that does not exist", async () => {
    expect(await currentSessionVersion(`acc_${randomUUID()}`)).toBeUndefined();
  });

  it("rises with a password change", async () => {
    const account = await newAccount();

    const change = await changePassword({
      accountId: account.id,
      currentPassword: OLD_PASSWORD,
      newPassword: NEW_PASSWORD,
    });

    expect(change).toEqual({ accountId: account.id, email: account.email, sessionVersion: 2 });
    expect(await currentSessionVersion(account.id)).toBe(2);
  });

  it("stays with a rejected password change", async () => {
    const account = await newAccount();

    await rejection(
      changePassword({
        accountId: account.id,
        currentPassword: "not the password at all",
        newPassword: NEW_PASSWORD,
      }),
    );

    expect(await currentSessionVersion(account.id)).toBe(1);
  });

  it("rises when a GitHub account sets its first password", async () => {
    const result = await accountForGitHubProfile({
      id: randomInt(1, 2 ** 47),
      email: `octo-${randomUUID()}@example.test`,
    });
    if (!("account" in result)) throw new Error(`expected an account, got ${result.error}`);

    const change = await changePassword({
      accountId: result.account.id,
      currentPassword: "",
      newPassword: NEW_PASSWORD,
    });

    expect(change.sessionVersion).toBe(result.account.sessionVersion + 1);
  });

  it("rises with sign-out of other sessions", async () => {
    const account = await newAccount();

    const first = await raiseSessionVersion(account.id);
    const second = await raiseSessionVersion(account.id);

    expect(first).toEqual({ accountId: account.id, email: account.email, sessionVersion: 2 });
    expect(second.sessionVersion).toBe(3);
    expect(await currentSessionVersion(account.id)).toBe(3);
    // Signing out other sessions leaves the password as it was.
    expect(await verifyPassword(account.email, OLD_PASSWORD)).not.toBeNull();
  });

  it("rises with sign-out of a GitHub account without a password", async () => {
    const result = await accountForGitHubProfile({
      id: randomInt(1, 2 ** 47),
      email: `octo-${randomUUID()}@example.test`,
    });
    if (!("account" in result)) throw new Error(`expected an account, got ${result.error}`);
    expect(result.account.passwordHash).toBeNull();

    const change = await raiseSessionVersion(result.account.id);

    expect(change.sessionVersion).toBe(2);
    expect(await currentSessionVersion(result.account.id)).toBe(2);
  });

  it("rejects sign-out of an account that does not exist", async () => {
    const error = await rejection(raiseSessionVersion(`acc_${randomUUID()}`));

    expect(error.code).toBe("unauthorized");
  });

  it("changes only the given account", async () => {
    const account = await newAccount();
    const other = await newAccount();

    await raiseSessionVersion(account.id);

    expect(await currentSessionVersion(other.id)).toBe(1);
  });

  it("rises with a password reset", async () => {
    const account = await newAccount();

    const change = await resetPassword({ email: account.email, newPassword: NEW_PASSWORD });

    expect(change).toEqual({ accountId: account.id, email: account.email, sessionVersion: 2 });
    expect(await verifyPassword(account.email, NEW_PASSWORD)).not.toBeNull();
    expect(await verifyPassword(account.email, OLD_PASSWORD)).toBeNull();
  });

  it("reset finds the account by any email case", async () => {
    const account = await newAccount();

    const change = await resetPassword({
      email: `  ${account.email.toUpperCase()} `,
      newPassword: NEW_PASSWORD,
    });

    expect(change?.accountId).toBe(account.id);
  });

  it("reset of an unknown email changes nothing", async () => {
    expect(
      await resetPassword({
        email: `nobody-${randomUUID()}@example.test`,
        newPassword: NEW_PASSWORD,
      }),
    ).toBeUndefined();
  });

  it("reset rejects a short password and keeps the version", async () => {
    const account = await newAccount();

    const error = await rejection(resetPassword({ email: account.email, newPassword: "short" }));

    expect(error.fields?.map((problem) => problem.field)).toEqual(["password"]);
    expect(await currentSessionVersion(account.id)).toBe(1);
    expect(await verifyPassword(account.email, OLD_PASSWORD)).not.toBeNull();
  });
});
