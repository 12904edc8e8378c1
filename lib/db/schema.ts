import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  check,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  varchar,
} from "drizzle-orm/pg-core";

const createdAt = () => timestamp("created_at", { withTimezone: true }).notNull().defaultNow();

/**
 * The sources that may open an account's cards: `client` (activity/start), `inspector`
 * (the RunPod submit proxy) or `both`. With one chosen, the other attaches to its card.
 */
export const cardOpeners = ["both", "client", "inspector"] as const;
export type CardOpener = (typeof cardOpeners)[number];

/** A Chirp account: the tenant that owns keys, activities and deliveries. */
export const accounts = pgTable(
  "accounts",
  {
    id: text("id").primaryKey(),
    email: text("email").notNull().unique(),
    /** Null for an account created through GitHub sign-in that has not set a password. */
    passwordHash: text("password_hash"),
    /** GitHub's numeric user id, as a string, once the account signs in with GitHub. */
    githubUserId: text("github_user_id").unique(),
    createdAt: createdAt(),
    cardOpener: text("card_opener").$type<CardOpener>().notNull().default("both"),
    /** Merges a high-confidence duplicate group as soon as it is found. */
    autoMergeDuplicates: boolean("auto_merge_duplicates").notNull().default(false),
    /**
     * Written into every session token at sign-in. Raising it signs out every session issued
     * before (lib/auth/session-token.ts).
     */
    sessionVersion: integer("session_version").notNull().default(1),
  },
  (table) => [
    check(
      "accounts_card_opener_check",
      sql`${table.cardOpener} in ('both', 'client', 'inspector')`,
    ),
  ],
);

export const keyKinds = ["webhook", "api"] as const;
export type KeyKind = (typeof keyKinds)[number];

/** Webhook and API keys. Only the SHA-256 of a key is stored, never the key. */
export const apiKeys = pgTable(
  "api_keys",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    kind: text("kind").$type<KeyKind>().notNull(),
    name: text("name").notNull(),
    secretHash: text("secret_hash").notNull(),
    displayStart: text("display_start").notNull(),
    createdAt: createdAt(),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true }),
    useCount: bigint("use_count", { mode: "number" }).notNull().default(0),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
    expiresAt: timestamp("expires_at", { withTimezone: true }),
    /** After a reroll: the hash of the old key, accepted until `previousValidUntil`. */
    previousSecretHash: text("previous_secret_hash"),
    previousValidUntil: timestamp("previous_valid_until", { withTimezone: true }),
    rerolledAt: timestamp("rerolled_at", { withTimezone: true }),
    /** Requests per second the key may make; null uses the server's default. */
    rateLimitPerSecond: integer("rate_limit_per_second"),
    /** Requests the key may make at once before the rate applies; null uses the default. */
    rateLimitBurst: integer("rate_limit_burst"),
    /**
     * The shared token bucket: tokens left at `rate_limit_refilled_at`. Null means a full
     * bucket. Instances reserve tokens from it in batches (lib/keys/rate-limit.ts).
     */
    rateLimitTokens: doublePrecision("rate_limit_tokens"),
    rateLimitRefilledAt: timestamp("rate_limit_refilled_at", { withTimezone: true }),
    /**
     * The RunPod endpoint ids a webhook key may change cards of; null allows every
     * endpoint.
     */
    endpointIds: text("endpoint_ids").array(),
    /**
     * The key itself, encrypted like a stored RunPod API key, for the one webhook key per
     * account whose URL the RunPod submit proxy puts in jobs. Null for every other key.
     */
    encryptedSecret: text("encrypted_secret"),
  },
  (table) => [
    index("api_keys_account_idx").on(table.accountId, table.createdAt),
    check("api_keys_kind_check", sql`${table.kind} in ('webhook', 'api')`),
  ],
);

export const activityStates = [
  "queued",
  "running",
  "completed",
  "failed",
  "timed_out",
  "cancelled",
  "expired",
  "merged",
] as const;
export type ActivityState = (typeof activityStates)[number];

/**
 * The origin of a change: the activity API, a RunPod webhook delivery, a person on the
 * dashboard, or the watchdog polling RunPod for a card whose webhook did not come.
 */
export const eventSources = ["api", "webhook", "dashboard", "watchdog", "inspector"] as const;
export type EventSource = (typeof eventSources)[number];

/** A card. Routing identity is (account, schema, key); for `@runpod` the key is the job id. */
export const activities = pgTable(
  "activities",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    schemaId: text("schema_id").notNull(),
    key: varchar("key", { length: 256 }).notNull(),
    jobName: text("job_name"),
    endpoint: text("endpoint"),
    state: text("state").$type<ActivityState>().notNull(),
    runpodStatus: text("runpod_status"),
    queuePosition: integer("queue_position"),
    gpuType: text("gpu_type"),
    progress: text("progress"),
    errorMessage: text("error_message"),
    hasOutput: boolean("has_output"),
    delayMs: bigint("delay_ms", { mode: "number" }),
    executionMs: bigint("execution_ms", { mode: "number" }),
    workerId: text("worker_id"),
    openedBy: text("opened_by").$type<EventSource>().notNull(),
    createdAt: createdAt(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
    closedAt: timestamp("closed_at", { withTimezone: true }),
    /** RunPod's `policy.executionTimeout` of the job, in ms, when the start request sent it. */
    executionTimeoutMs: bigint("execution_timeout_ms", { mode: "number" }),
    /** Jobs in the endpoint's queue, from RunPod's `/health`, while RunPod reports the job IN_QUEUE. */
    queueCount: integer("queue_count"),
    /** When the watchdog next polls RunPod for this card, if it is still open then. */
    nextPollAt: timestamp("next_poll_at", { withTimezone: true }).notNull().defaultNow(),
    /** Polls so far, for the watchdog's back-off. */
    pollCount: integer("poll_count").notNull().default(0),
    /** The card a merged card was merged into; changes for its key land there. */
    mergedInto: text("merged_into"),
    /**
     * A second key that routes to this card: the key of the start or submit that attached
     * to this card instead of opening its own (see lib/duplicates/attach.ts).
     */
    attachedKey: varchar("attached_key", { length: 256 }),
  },
  (table) => [
    uniqueIndex("activities_routing_key").on(table.accountId, table.schemaId, table.key),
    // The board's order, open cards first, so a page is a range of this index whatever
    // its cursor.
    index("activities_board_order_idx").on(
      table.accountId,
      sql`(${table.closedAt} is null)`,
      table.updatedAt,
      table.id,
    ),
    // Counters per state: the whole account from this narrow index alone, and an
    // endpoint with its time range from the wider one.
    index("activities_state_idx").on(table.accountId, table.state),
    index("activities_endpoint_idx").on(
      table.accountId,
      table.endpoint,
      table.state,
      table.updatedAt,
    ),
    // The watchdog's work queue: open cards by the time they are due.
    index("activities_watchdog_due_idx").on(table.nextPollAt).where(sql`${table.closedAt} is null`),
    // Duplicate detection: an account's open cards by the time they opened, so pairing a
    // card with the cards opened around the same time reads a window, not every open card.
    index("activities_open_created_idx")
      .on(table.accountId, table.createdAt)
      .where(sql`${table.closedAt} is null`),
    uniqueIndex("activities_attached_key")
      .on(table.accountId, table.schemaId, table.attachedKey)
      .where(sql`${table.attachedKey} is not null`),
    check(
      "activities_state_check",
      sql`${table.state} in ('queued', 'running', 'completed', 'failed', 'timed_out', 'cancelled', 'expired', 'merged')`,
    ),
  ],
);

/**
 * Append-only log of everything that happened to an activity. Ids increase in commit
 * order per account (writers hold a per-account lock), so a live stream can resume from
 * the last id it sent.
 */
export const activityEvents = pgTable(
  "activity_events",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    accountId: text("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    activityId: text("activity_id")
      .notNull()
      .references(() => activities.id, { onDelete: "cascade" }),
    /**
     * `poll` is a watchdog status check; `expire` closes a card RunPod no longer has;
     * `merge` and `unmerge` record a duplicate group's merge and its undo.
     */
    type: text("type")
      .$type<"start" | "update" | "end" | "delivery" | "poll" | "expire" | "merge" | "unmerge">()
      .notNull(),
    source: text("source").$type<EventSource>().notNull(),
    stateBefore: text("state_before").$type<ActivityState>(),
    stateAfter: text("state_after").$type<ActivityState>().notNull(),
    runpodStatus: text("runpod_status"),
    deliveryId: text("delivery_id"),
    detail: jsonb("detail").$type<Record<string, unknown>>().notNull().default({}),
    createdAt: createdAt(),
  },
  (table) => [
    index("activity_events_account_idx").on(table.accountId, table.id),
    index("activity_events_activity_idx").on(table.activityId, table.id),
    // Replays by the delivery they replay, wherever their card is now: a merge moves
    // events to the surviving card. Only replay events are indexed.
    index("activity_events_replay_of_idx")
      .on(table.accountId, sql`(${table.detail} ->> 'replayOf')`)
      .where(sql`(${table.detail} ->> 'replayOf') is not null`),
  ],
);

/** Every request to a webhook URL whose key belongs to an account, with the response it got. */
export const deliveries = pgTable(
  "deliveries",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    keyId: text("key_id").references(() => apiKeys.id, { onDelete: "set null" }),
    receivedAt: createdAt(),
    jobId: varchar("job_id", { length: 256 }),
    runpodStatus: text("runpod_status"),
    activityId: text("activity_id"),
    responseStatus: integer("response_status").notNull(),
    errorCode: text("error_code"),
    contentType: text("content_type"),
    headers: jsonb("headers").$type<Record<string, string>>().notNull(),
    body: text("body").notNull(),
    bodyBytes: integer("body_bytes").notNull(),
    bodySha256: text("body_sha256").notNull(),
    bodyTruncated: boolean("body_truncated").notNull(),
    /**
     * The fields of the status object that change a card (id, status, times, worker,
     * error, whether there was output), so a delivery can be replayed even when the
     * stored body was truncated.
     */
    statusObject: jsonb("status_object").$type<Record<string, unknown>>(),
    /** The reason an accepted delivery left its card unchanged, such as a key's endpoint scope. */
    note: text("note"),
  },
  (table) => [index("deliveries_account_idx").on(table.accountId, table.receivedAt)],
);

export const keyAuditActions = [
  "create",
  "reroll",
  "revoke",
  "expiry_change",
  "limit_change",
  "scope_change",
  "rejected_revoked",
  "rejected_expired",
  "rejected_deleted",
] as const;
export type KeyAuditAction = (typeof keyAuditActions)[number];

/**
 * The audit trail of key changes (actor, action, key) and of failed uses of revoked,
 * expired or deleted keys. Keys are named by id and display start, never by secret.
 * `key_id` has no foreign key, so the trail outlives a deleted key.
 */
export const keyAuditEvents = pgTable(
  "key_audit_events",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    accountId: text("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    keyId: text("key_id").notNull(),
    displayStart: text("display_start"),
    action: text("action").$type<KeyAuditAction>().notNull(),
    /** `account:<id>` for the dashboard, `cli` for the admin command line, `request` for a key use. */
    actor: text("actor").notNull(),
    ip: text("ip"),
    detail: jsonb("detail").$type<Record<string, unknown>>().notNull().default({}),
    createdAt: createdAt(),
  },
  (table) => [index("key_audit_events_key_idx").on(table.accountId, table.keyId, table.id)],
);

/**
 * An account's RunPod connection: its RunPod API key, encrypted with AES-256-GCM (see
 * lib/runpod/api-key-encryption.ts), which the watchdog uses to poll RunPod.
 */
export const runpodConnections = pgTable("runpod_connections", {
  accountId: text("account_id")
    .primaryKey()
    .references(() => accounts.id, { onDelete: "cascade" }),
  /** The endpoint whose `/health` accepted the key when it was saved. */
  endpointId: text("endpoint_id").notNull(),
  /** `v1:<key id>:<iv>:<ciphertext>:<tag>`; the key id names the encryption key used. */
  encryptedApiKey: text("encrypted_api_key").notNull(),
  /** The key's last four characters, the only part the dashboard shows. */
  apiKeyLast4: text("api_key_last4").notNull(),
  savedAt: timestamp("saved_at", { withTimezone: true }).notNull().defaultNow(),
  /** Set when RunPod rejected the key; the watchdog skips the account until a new key is saved. */
  failingSince: timestamp("failing_since", { withTimezone: true }),
  failureMessage: text("failure_message"),
  /** After a 429 from RunPod, the watchdog polls nothing for the account before this time. */
  rateLimitedUntil: timestamp("rate_limited_until", { withTimezone: true }),
});

export const duplicateGroupStatuses = ["open", "merged", "dismissed"] as const;
export type DuplicateGroupStatus = (typeof duplicateGroupStatuses)[number];
export const duplicateConfidences = ["high", "medium", "low"] as const;
export type DuplicateConfidence = (typeof duplicateConfidences)[number];

/**
 * Cards that are likely one job, found when one of them was created or closed. A group
 * has two members, and one pair of cards never gets a second group, so a dismissed
 * pair stays dismissed.
 */
export const duplicateGroups = pgTable(
  "duplicate_groups",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    status: text("status").$type<DuplicateGroupStatus>().notNull().default("open"),
    confidence: text("confidence").$type<DuplicateConfidence>().notNull(),
    /** The detection rule that found the group; lib/duplicates/rules.ts lists them. */
    rule: text("rule").notNull(),
    evidence: jsonb("evidence").$type<Record<string, unknown>>().notNull(),
    /** The member ids, sorted and joined with a space: one group per pair. */
    memberKey: text("member_key").notNull(),
    /** While merged: the card that took the others' state and events. */
    survivorId: text("survivor_id"),
    /** While merged: what undo needs to restore every member exactly. */
    mergeSnapshot: jsonb("merge_snapshot").$type<Record<string, unknown>>(),
    createdAt: createdAt(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex("duplicate_groups_member_key").on(table.accountId, table.memberKey),
    index("duplicate_groups_status_idx").on(table.accountId, table.status, table.createdAt),
    check("duplicate_groups_status_check", sql`${table.status} in ('open', 'merged', 'dismissed')`),
    check(
      "duplicate_groups_confidence_check",
      sql`${table.confidence} in ('high', 'medium', 'low')`,
    ),
  ],
);

export const duplicateGroupMembers = pgTable(
  "duplicate_group_members",
  {
    groupId: text("group_id")
      .notNull()
      .references(() => duplicateGroups.id, { onDelete: "cascade" }),
    // No foreign key to activities, so storing a group takes no lock on its cards and never
    // waits for a writer or a merge that holds one. Cards are only deleted with their
    // account, which deletes the members too.
    activityId: text("activity_id").notNull(),
    accountId: text("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
  },
  (table) => [
    primaryKey({ columns: [table.groupId, table.activityId] }),
    index("duplicate_group_members_activity_idx").on(table.activityId),
  ],
);

export type Account = typeof accounts.$inferSelect;
export type ApiKey = typeof apiKeys.$inferSelect;
export type Activity = typeof activities.$inferSelect;
export type ActivityEvent = typeof activityEvents.$inferSelect;
export type Delivery = typeof deliveries.$inferSelect;
export type KeyAuditEvent = typeof keyAuditEvents.$inferSelect;
export type RunpodConnection = typeof runpodConnections.$inferSelect;
export type DuplicateGroup = typeof duplicateGroups.$inferSelect;
