import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createAccount, raiseSessionVersion } from "@/lib/accounts/store";
import { getDb } from "@/lib/db/client";
import { accounts } from "@/lib/db/schema";
import { checkSessionToken } from "./session-token";

async function newAccount() {
  return createAccount({
    email: `token-${randomUUID()}@example.test`,
    password: "correct horse battery",
  });
}

describe("checkSessionToken", () => {
  it("keeps a token at the account's version", async () => {
    const account = await newAccount();
    const token = { sub: account.id, email: account.email, sessionVersion: 1 };

    expect(await checkSessionToken(token)).toEqual(token);
  });

  it("signs out a token after sign-out of other sessions", async () => {
    const account = await newAccount();
    const token = { sub: account.id, email: account.email, sessionVersion: 1 };

    const change = await raiseSessionVersion(account.id);

    expect(await checkSessionToken(token)).toBeNull();
    expect(await checkSessionToken({ ...token, sessionVersion: change.sessionVersion })).toEqual({
      ...token,
      sessionVersion: change.sessionVersion,
    });
  });

  it("treats a token without a version as version 1", async () => {
    const account = await newAccount();
    const token = { sub: account.id, email: account.email };

    expect(await checkSessionToken(token)).toEqual(token);
    await raiseSessionVersion(account.id);
    expect(await checkSessionToken(token)).toBeNull();
  });

  it("signs out a token with a version the account never had", async () => {
    const account = await newAccount();

    expect(
      await checkSessionToken({ sub: account.id, email: account.email, sessionVersion: 2 }),
    ).toBeNull();
  });

  it("signs out a token of a deleted account", async () => {
    const account = await newAccount();
    const token = { sub: account.id, email: account.email, sessionVersion: 1 };
    const db = await getDb();

    await db.delete(accounts).where(eq(accounts.id, account.id));

    expect(await checkSessionToken(token)).toBeNull();
  });

  it("signs out a token without an account id", async () => {
    expect(await checkSessionToken({ email: "nobody@example.test", sessionVersion: 1 })).toBeNull();
  });

  it("drops a stale unverified mark once checked", async () => {
    const account = await newAccount();
    const token = { sub: account.id, sessionVersion: 1 };

    expect(await checkSessionToken({ ...token, sessionUnverified: true })).toEqual(token);
  });
});
