"use server";

import { revalidatePath } from "next/cache";
import { headers } from "next/headers";
import { requireAccountId } from "@/lib/auth";
import { type KeyKind, keyKinds } from "@/lib/db/schema";
import { ApiError } from "@/lib/http/errors";
import { type ChangeOrigin, clientIp, listKeyAudit } from "@/lib/keys/audit";
import { parseEndpointIds } from "@/lib/keys/endpoints";
import { setKeyEndpoints, setKeyRateLimit } from "@/lib/keys/settings";
import {
  createKey,
  type RerollGracePeriod,
  rerollGracePeriods,
  rerollKey,
  revokeKey,
  setKeyExpiry,
} from "@/lib/keys/store";
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
  | {
      ok: false;
      message: string;
      fieldErrors?: { kind?: string; name?: string; expiresAt?: string; endpointIds?: string };
    };

export type RevokeKeyResult = { ok: true } | { ok: false; message: string };

export type RerollKeyResult =
  | { ok: true; created: CreatedKey; previousValidUntil: string | null }
  | { ok: false; message: string };

export type SetExpiryResult = { ok: true } | { ok: false; message: string };

export type SetEndpointsResult =
  | { ok: true }
  /** `submitted` is the text as sent, so the form can show it again next to the error. */
  | { ok: false; message: string; submitted?: string };

export type SetLimitResult =
  | { ok: true }
  | {
      ok: false;
      message: string;
      fieldErrors?: { rateLimitPerSecond?: string; rateLimitBurst?: string };
      /** The values as sent, so the form can show them again next to the error. */
      submitted?: { rateLimitPerSecond: string; rateLimitBurst: string };
    };

/** Returns the audit actor of the signed-in account and the request's client address. */
async function dashboardOrigin(accountId: string): Promise<ChangeOrigin> {
  return { actor: `account:${accountId}`, ip: clientIp(await headers()) };
}

/**
 * Reads the `expiresAt` field: empty for no expiry, otherwise an ISO 8601 time that the
 * form computed in the browser, which has the user's time zone.
 */
function readExpiry(formData: FormData): Date | null {
  const value = formData.get("expiresAt");
  if (value === null || value === "") return null;
  const expiresAt = new Date(String(value));
  if (Number.isNaN(expiresAt.getTime())) {
    throw new ApiError(
      "invalid_fields",
      `"${String(value)}" is not a date and time; pick the expiry again.`,
      [{ field: "expiresAt", message: "must be a date and time" }],
    );
  }
  return expiresAt;
}

/** Reads the `endpointIds` field: empty for any endpoint, else ids separated by commas or spaces. */
function readEndpointIds(formData: FormData): string[] | null {
  const value = String(formData.get("endpointIds") ?? "").trim();
  return value === "" ? null : parseEndpointIds(value);
}

function readKeyId(formData: FormData): string | undefined {
  const keyId = formData.get("keyId");
  return typeof keyId === "string" && keyId !== "" ? keyId : undefined;
}

const NO_KEY_ID = "The form sent no key id; reload the page and try again.";

function isKeyKind(value: unknown): value is KeyKind {
  return typeof value === "string" && (keyKinds as readonly string[]).includes(value);
}

/** Returns the field problems of an error that belong to the form's fields, by field. */
function fieldErrorsOf<Field extends string>(
  error: ApiError,
  fields: readonly Field[],
): Partial<Record<Field, string>> {
  const fieldErrors: Partial<Record<Field, string>> = {};
  for (const problem of error.fields ?? []) {
    if ((fields as readonly string[]).includes(problem.field)) {
      fieldErrors[problem.field as Field] = problem.message;
    }
  }
  return fieldErrors;
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
      expiresAt: readExpiry(formData),
      endpointIds: readEndpointIds(formData),
      ...(await dashboardOrigin(accountId)),
    });
    logger.info({ accountId, keyId: record.id, kind }, "key created");
    revalidatePath("/keys");
    return { ok: true, created: { id: record.id, kind, name: record.name, key } };
  } catch (error) {
    if (error instanceof ApiError && error.fields) {
      const fieldErrors = fieldErrorsOf(error, ["kind", "name", "expiresAt", "endpointIds"]);
      return { ok: false, message: error.message, fieldErrors };
    }
    return failure(error, "create");
  }
}

export async function revokeKeyFromForm(formData: FormData): Promise<RevokeKeyResult> {
  try {
    const accountId = await requireAccountId();
    const keyId = readKeyId(formData);
    if (!keyId) return { ok: false, message: NO_KEY_ID };
    // The account id scopes the update, so another account's key is "not found".
    await revokeKey({ accountId, keyId, ...(await dashboardOrigin(accountId)) });
    logger.info({ accountId, keyId }, "key revoked");
    revalidatePath("/keys");
    return { ok: true };
  } catch (error) {
    return failure(error, "revoke");
  }
}

function isGracePeriod(value: unknown): value is RerollGracePeriod {
  return typeof value === "string" && (rerollGracePeriods as readonly string[]).includes(value);
}

export async function rerollKeyFromForm(formData: FormData): Promise<RerollKeyResult> {
  try {
    const accountId = await requireAccountId();
    const keyId = readKeyId(formData);
    if (!keyId) return { ok: false, message: NO_KEY_ID };
    const grace = formData.get("grace");
    if (!isGracePeriod(grace)) {
      return {
        ok: false,
        message: `"${String(grace)}" is not a grace period. Choose None, 1 hour or 24 hours.`,
      };
    }
    const { key, record } = await rerollKey({
      accountId,
      keyId,
      grace,
      ...(await dashboardOrigin(accountId)),
    });
    logger.info({ accountId, keyId, grace }, "key rerolled");
    revalidatePath("/keys");
    return {
      ok: true,
      created: { id: record.id, kind: record.kind, name: record.name, key },
      previousValidUntil: record.previousValidUntil?.toISOString() ?? null,
    };
  } catch (error) {
    return failure(error, "reroll");
  }
}

export async function setKeyExpiryFromForm(formData: FormData): Promise<SetExpiryResult> {
  try {
    const accountId = await requireAccountId();
    const keyId = readKeyId(formData);
    if (!keyId) return { ok: false, message: NO_KEY_ID };
    const expiresAt = readExpiry(formData);
    await setKeyExpiry({ accountId, keyId, expiresAt, ...(await dashboardOrigin(accountId)) });
    logger.info({ accountId, keyId, expiresAt }, "key expiry changed");
    revalidatePath("/keys");
    return { ok: true };
  } catch (error) {
    return failure(error, "set expiry");
  }
}

/** One row of a key's audit trail as the keys page shows it. */
export interface AuditRow {
  id: number;
  at: string;
  action: string;
  /** The stored actor, such as `account:acc_…` or `cli`. */
  actor: string;
  /** The actor in words, as the command line also shows it. */
  actorName: string;
  ip: string | null;
  detail: Record<string, unknown>;
}

export type KeyAuditResult = { ok: true; events: AuditRow[] } | { ok: false; message: string };

export async function loadKeyAudit(keyId: string): Promise<KeyAuditResult> {
  try {
    const accountId = await requireAccountId();
    // Scoped by account: another account's key is "not found".
    const events = await listKeyAudit({ accountId, keyId });
    return {
      ok: true,
      events: events.map((event) => ({
        id: event.id,
        at: event.createdAt.toISOString(),
        action: event.action,
        actor: event.actor,
        actorName: event.actorName,
        ip: event.ip,
        detail: event.detail,
      })),
    };
  } catch (error) {
    return failure(error, "audit");
  }
}

/** Reads a whole number field; anything else becomes NaN, which the store rejects by name. */
function readWholeNumber(formData: FormData, name: string): number {
  const value = String(formData.get(name) ?? "").trim();
  return /^\d+$/.test(value) ? Number(value) : Number.NaN;
}

/**
 * Sets a key's rate limit from the form, or returns it to the server's default when the
 * form's `mode` is "default".
 */
export async function setKeyLimitFromForm(formData: FormData): Promise<SetLimitResult> {
  try {
    const accountId = await requireAccountId();
    const keyId = readKeyId(formData);
    if (!keyId) return { ok: false, message: NO_KEY_ID };
    const limit =
      formData.get("mode") === "default"
        ? null
        : {
            perSecond: readWholeNumber(formData, "rateLimitPerSecond"),
            burst: readWholeNumber(formData, "rateLimitBurst"),
          };
    await setKeyRateLimit({ accountId, keyId, limit, ...(await dashboardOrigin(accountId)) });
    logger.info({ accountId, keyId, limit }, "key rate limit changed");
    revalidatePath("/keys");
    return { ok: true };
  } catch (error) {
    if (error instanceof ApiError && error.fields) {
      const fieldErrors = fieldErrorsOf(error, ["rateLimitPerSecond", "rateLimitBurst"]);
      const submitted = {
        rateLimitPerSecond: String(formData.get("rateLimitPerSecond") ?? ""),
        rateLimitBurst: String(formData.get("rateLimitBurst") ?? ""),
      };
      return { ok: false, message: error.message, fieldErrors, submitted };
    }
    return failure(error, "set rate limit");
  }
}

/**
 * Limits a webhook key to the endpoints in the form, or allows every endpoint when the
 * form's `mode` is "any".
 */
export async function setKeyEndpointsFromForm(formData: FormData): Promise<SetEndpointsResult> {
  try {
    const accountId = await requireAccountId();
    const keyId = readKeyId(formData);
    if (!keyId) return { ok: false, message: NO_KEY_ID };
    const endpointIds =
      formData.get("mode") === "any" ? null : (readEndpointIds(formData) ?? parseEndpointIds(""));
    await setKeyEndpoints({ accountId, keyId, endpointIds, ...(await dashboardOrigin(accountId)) });
    logger.info({ accountId, keyId, endpoints: endpointIds?.length ?? "any" }, "key scope changed");
    revalidatePath("/keys");
    return { ok: true };
  } catch (error) {
    return {
      ...failure(error, "set endpoints"),
      submitted: String(formData.get("endpointIds") ?? ""),
    };
  }
}
