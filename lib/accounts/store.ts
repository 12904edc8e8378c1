import { hash, verify } from "@node-rs/argon2";
import { eq } from "drizzle-orm";
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

export function validateCredentials(email: string, password: string): void {
  const fields = [];
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(normalizeEmail(email))) {
    fields.push({ field: "email", message: `"${email}" is not an email address` });
  }
  if (password.length < MIN_PASSWORD_LENGTH) {
    fields.push({ field: "password", message: `use at least ${MIN_PASSWORD_LENGTH} characters` });
  } else if (password.length > MAX_PASSWORD_LENGTH) {
    fields.push({ field: "password", message: `use at most ${MAX_PASSWORD_LENGTH} characters` });
  }
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

/** Returns the account when the password matches, otherwise null. */
export async function verifyPassword(email: string, password: string): Promise<Account | null> {
  const account = await getAccountByEmail(email);
  if (!account) {
    dummyHash ??= hash("not a real password", HASH_OPTIONS);
    await verify(await dummyHash, password).catch(() => false);
    return null;
  }
  return (await verify(account.passwordHash, password)) ? account : null;
}
