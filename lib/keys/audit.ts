import { and, asc, desc, eq, sql } from "drizzle-orm";
import { type Executor, getDb } from "@/lib/db/client";
import {
  accounts,
  apiKeys,
  type KeyAuditAction,
  type KeyAuditEvent,
  keyAuditEvents,
} from "@/lib/db/schema";
import { ApiError } from "@/lib/http/errors";
import { logger } from "@/lib/log";

/**
 * The author of a change: `account:<id>` for the dashboard, `cli` for the admin command
 * line, `runpod-proxy` for the webhook key the RunPod submit proxy mints for itself.
 */
export type KeyActor = `account:${string}` | "cli" | "runpod-proxy";

/** The actor of a key change and the address it came from, for the audit trail. */
export interface ChangeOrigin {
  actor: KeyActor;
  ip?: string | null;
}

export type KeyAuditEntry = Omit<KeyAuditEvent, "accountId"> & {
  /** The actor in words, as `describeActor` writes it; `actor` keeps the stored value. */
  actorName: string;
};

/**
 * Writes an audit actor for people: the account's email for a dashboard change,
 * "command line" for the admin command line, what the RunPod submit proxy minted, and
 * "request with the key" for a rejected use.
 * The dashboard and the command line both show this text. `accountEmail` is the email of
 * the account an `account:<id>` actor names, or null when that account no longer exists.
 * An actor of another form is returned as stored.
 */
export function describeActor(actor: string, accountEmail: string | null): string {
  if (actor === "cli") return "command line";
  if (actor === "runpod-proxy") return "Chirp's RunPod proxy";
  if (actor === "request") return "request with the key";
  if (actor.startsWith("account:")) return accountEmail ?? "deleted account";
  return actor;
}

/**
 * Returns the client address of a request: the first `x-forwarded-for` value, or null.
 * The header is set by the proxy in front of the server and can be forged by a client
 * that reaches the server directly, so the address is for people reading the trail,
 * never for access decisions.
 */
export function clientIp(headers: Headers): string | null {
  const first = headers.get("x-forwarded-for")?.split(",")[0]?.trim();
  return first ? first.slice(0, 100) : null;
}

/** Inserts an audit row; pass the transaction of the change so both commit together. */
export async function writeKeyAudit(
  executor: Executor,
  event: {
    accountId: string;
    keyId: string;
    displayStart: string | null;
    action: KeyAuditAction;
    actor: string;
    ip?: string | null;
    detail?: Record<string, unknown>;
  },
): Promise<void> {
  await executor.insert(keyAuditEvents).values({
    accountId: event.accountId,
    keyId: event.keyId,
    displayStart: event.displayStart,
    action: event.action,
    actor: event.actor,
    ip: event.ip ?? null,
    detail: event.detail ?? {},
  });
}

/**
 * Records a rejected use of a key. The request already gets a 401, so a failure to write
 * the row is logged and never turns that response into a 500.
 */
export async function recordRejectedUse(event: {
  accountId: string;
  keyId: string;
  displayStart: string | null;
  action: "rejected_revoked" | "rejected_expired" | "rejected_deleted";
  ip: string | null | undefined;
}): Promise<void> {
  try {
    await writeKeyAudit(await getDb(), { ...event, actor: "request" });
  } catch (error) {
    logger.warn(
      { err: error, keyId: event.keyId, action: event.action },
      "failed to record a rejected key use",
    );
  }
}

/**
 * Finds the account of a key whose record is gone, from the trail the key left: audit rows
 * have no foreign key to the key, so they outlive it. Returns undefined when the key left
 * no rows (created before the trail existed) or when its account was deleted with them.
 */
export async function accountOfDeletedKey(keyId: string): Promise<string | undefined> {
  try {
    const db = await getDb();
    const [row] = await db
      .select({ accountId: keyAuditEvents.accountId })
      .from(keyAuditEvents)
      .where(eq(keyAuditEvents.keyId, keyId))
      .orderBy(desc(keyAuditEvents.id))
      .limit(1);
    return row?.accountId;
  } catch (error) {
    logger.warn({ err: error, keyId }, "failed to look up the account of a deleted key");
    return undefined;
  }
}

/**
 * Lists the audit trail of one key of the account, oldest first. A key of another account
 * is "not found", like one that never existed. A deleted key's trail stays readable.
 */
export async function listKeyAudit({
  accountId,
  keyId,
}: {
  accountId: string;
  keyId: string;
}): Promise<KeyAuditEntry[]> {
  const db = await getDb();
  const rows = await db
    .select({ event: keyAuditEvents, actorEmail: accounts.email })
    .from(keyAuditEvents)
    .leftJoin(accounts, sql`${keyAuditEvents.actor} = 'account:' || ${accounts.id}`)
    .where(and(eq(keyAuditEvents.accountId, accountId), eq(keyAuditEvents.keyId, keyId)))
    .orderBy(asc(keyAuditEvents.id));
  if (rows.length === 0) {
    const [key] = await db
      .select({ id: apiKeys.id })
      .from(apiKeys)
      .where(and(eq(apiKeys.id, keyId), eq(apiKeys.accountId, accountId)));
    if (!key) throw new ApiError("not_found", `No key ${keyId} in this account.`);
  }
  return rows.map(({ event: { accountId: _account, ...entry }, actorEmail }) => ({
    ...entry,
    actorName: describeActor(entry.actor, actorEmail),
  }));
}
