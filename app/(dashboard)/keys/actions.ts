"use server";

import { revalidatePath } from "next/cache";
import { requireAccountId } from "@/lib/auth";
import { type KeyKind, keyKinds } from "@/lib/db/schema";
import { ApiError } from "@/lib/http/errors";
import { createKey, revokeKey } from "@/lib/keys/store";
import { logger } from "@/lib/log";

export interface CreatedKey {
  id: string;
  kind: KeyKind;
  name: string;
  /** The plaintext key. It is returned once, here, and stored nowhere. */
  key: string;
}

export type CreateKeyResult =
  | { ok: true; created: CreatedKey }
  | { ok: false; message: string; fieldErrors?: { kind?: string; name?: string } };

export type RevokeKeyResult = { ok: true } | { ok: false; message: string };

function isKeyKind(value: unknown): value is KeyKind {
  return typeof value === "string" && (keyKinds as readonly string[]).includes(value);
}

/** Turns a thrown error into the message the form shows, and logs errors that are not ApiErrors. */
function failure(error: unknown, action: string): { ok: false; message: string } {
  if (error instanceof ApiError) return { ok: false, message: error.message };
  logger.error({ err: error, action }, "key action failed");
  return { ok: false, message: "The server failed to save the change. Try again in a moment." };
}

export async function createKeyFromForm(formData: FormData): Promise<CreateKeyResult> {
  try {
    const accountId = await requireAccountId();
    const kind = formData.get("kind");
    const name = formData.get("name");
    if (!isKeyKind(kind)) {
      return {
        ok: false,
        message: `"${String(kind)}" is not a kind of key. Choose Webhook key or API key.`,
        fieldErrors: { kind: "choose Webhook key or API key" },
      };
    }
    const { key, record } = await createKey({
      accountId,
      kind,
      name: typeof name === "string" ? name : undefined,
    });
    logger.info({ accountId, keyId: record.id, kind }, "key created");
    revalidatePath("/keys");
    return { ok: true, created: { id: record.id, kind, name: record.name, key } };
  } catch (error) {
    if (error instanceof ApiError && error.fields) {
      const fieldErrors: { kind?: string; name?: string } = {};
      for (const problem of error.fields) {
        if (problem.field === "kind" || problem.field === "name") {
          fieldErrors[problem.field] = problem.message;
        }
      }
      return { ok: false, message: error.message, fieldErrors };
    }
    return failure(error, "create");
  }
}

export async function revokeKeyFromForm(formData: FormData): Promise<RevokeKeyResult> {
  try {
    const accountId = await requireAccountId();
    const keyId = formData.get("keyId");
    if (typeof keyId !== "string" || keyId === "") {
      return { ok: false, message: "The form sent no key id; reload the page and try again." };
    }
    // The account id scopes the update, so another account's key is "not found".
    await revokeKey({ accountId, keyId });
    logger.info({ accountId, keyId }, "key revoked");
    revalidatePath("/keys");
    return { ok: true };
  } catch (error) {
    return failure(error, "revoke");
  }
}
