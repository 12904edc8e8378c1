import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createAccount } from "@/lib/accounts/store";
import { getDb } from "@/lib/db/client";
import { type ActivityState, activities } from "@/lib/db/schema";
import { newId } from "@/lib/ids";
import { countActivitiesByState, decodeCursor, listActivities } from "./board";
import { type BoardFilters, matchesFilters } from "./filters";

interface Seed {
  key: string;
  jobName?: string | null;
  endpoint?: string | null;
  state: ActivityState;
  updatedAt: string;
}

const OPEN_STATES: ActivityState[] = ["queued", "running"];

async function seedAccount(seeds: Seed[]) {
  const account = await createAccount({
    email: `board-${randomUUID()}@example.test`,
    password: "correct horse battery",
  });
  const db = await getDb();
  const rows = seeds.map((seed) => ({
    id: newId("act"),
    accountId: account.id,
    schemaId: "@runpod",
    key: seed.key,
    jobName: seed.jobName ?? null,
    endpoint: seed.endpoint ?? null,
    state: seed.state,
    openedBy: "api" as const,
    updatedAt: new Date(seed.updatedAt),
    closedAt: OPEN_STATES.includes(seed.state) ? null : new Date(seed.updatedAt),
  }));
  if (rows.length > 0) await db.insert(activities).values(rows);
  return { accountId: account.id, rows };
}

const SEEDS: Seed[] = [
  {
    key: "aaa-1",
    jobName: "Render frames",
    endpoint: "ep-video",
    state: "running",
    updatedAt: "2026-12-04T10:00:00Z",
  },
  {
    key: "aab-2",
    jobName: "Transcode",
    endpoint: "ep-video",
    state: "queued",
    updatedAt: "2026-12-04T11:00:00Z",
  },
  {
    key: "bbb-3",
    jobName: null,
    endpoint: "ep-audio",
    state: "completed",
    updatedAt: "2026-12-03T09:00:00Z",
  },
  {
    key: "ccc-4",
    jobName: "render 100%_done",
    endpoint: "ep-audio",
    state: "failed",
    updatedAt: "2026-12-02T09:00:00Z",
  },
  {
    key: "ddd-5",
    jobName: "Upscale",
    endpoint: null,
    state: "timed_out",
    updatedAt: "2026-12-01T09:00:00Z",
  },
  {
    key: "eee-6",
    jobName: "Upscale again",
    endpoint: "ep-video",
    state: "cancelled",
    updatedAt: "2026-12-04T12:00:00Z",
  },
];

async function keysFor(accountId: string, filters: BoardFilters): Promise<string[]> {
  const page = await listActivities({ accountId, filters, limit: 100 });
  return page.activities.map((activity) => activity.key);
}

describe("listActivities", () => {
  it("orders open cards first, then newest change", async () => {
    const { accountId } = await seedAccount(SEEDS);
    expect(await keysFor(accountId, {})).toEqual([
      "aab-2",
      "aaa-1",
      "eee-6",
      "bbb-3",
      "ccc-4",
      "ddd-5",
    ]);
  });

  it.each<[string, BoardFilters, string[]]>([
    ["status open", { status: "open" }, ["aab-2", "aaa-1"]],
    ["status closed", { status: "closed" }, ["eee-6", "bbb-3", "ccc-4", "ddd-5"]],
    ["state", { state: "failed" }, ["ccc-4"]],
    ["endpoint", { endpoint: "ep-video" }, ["aab-2", "aaa-1", "eee-6"]],
    ["job id prefix", { q: "AA" }, ["aab-2", "aaa-1"]],
    ["job id exact", { q: "bbb-3" }, ["bbb-3"]],
    ["job name substring", { q: "upscale" }, ["eee-6", "ddd-5"]],
    ["search with LIKE wildcards", { q: "100%_" }, ["ccc-4"]],
    ["underscore as a literal", { q: "_" }, ["ccc-4"]],
    ["since", { since: new Date("2026-12-04T11:00:00Z") }, ["aab-2", "eee-6"]],
    ["until", { until: new Date("2026-12-03T09:00:00Z") }, ["ccc-4", "ddd-5"]],
    ["combined", { endpoint: "ep-video", status: "open", q: "trans" }, ["aab-2"]],
  ])("filters by %s like matchesFilters", async (_name, filters, expected) => {
    const { accountId, rows } = await seedAccount(SEEDS);
    expect(await keysFor(accountId, filters)).toEqual(expected);
    // The SQL and the predicate the browser uses for live updates agree on every card.
    const byPredicate = rows.filter((row) => matchesFilters(row, filters)).map((row) => row.key);
    expect([...byPredicate].sort()).toEqual([...expected].sort());
  });

  it("never shows another account's cards", async () => {
    await seedAccount(SEEDS);
    const { accountId } = await seedAccount([]);
    expect(await keysFor(accountId, {})).toEqual([]);
  });

  it("pages through every card once despite equal timestamps", async () => {
    // Most cards share one timestamp and some differ by microseconds, which a JavaScript
    // Date drops, so the cursor must keep Postgres's full precision.
    const seeds: Seed[] = [];
    for (let index = 0; index < 23; index += 1) {
      seeds.push({
        key: `same-${index}`,
        state: index % 3 === 0 ? "running" : "completed",
        updatedAt: "2026-12-04T10:00:00Z",
      });
    }
    const { accountId } = await seedAccount(seeds);
    const db = await getDb();
    await db.execute(
      sql`update activities set updated_at = updated_at + make_interval(secs => (random() * 3)::int / 1000000.0) where account_id = ${accountId} and key like 'same-1%'`,
    );

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await listActivities({
        accountId,
        cursor: cursor === null ? undefined : decodeCursor(cursor),
        limit: 5,
      });
      seen.push(...page.activities.map((activity) => activity.key));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor !== null && pages < 20);

    expect(pages).toBe(5);
    expect(seen).toHaveLength(23);
    expect(new Set(seen).size).toBe(23);
    const openKeys = seen.slice(0, 8);
    expect(openKeys.every((key) => Number(key.split("-")[1]) % 3 === 0)).toBe(true);
  });

  it("ends with no next page when the last page is full", async () => {
    const { accountId } = await seedAccount(SEEDS);
    const first = await listActivities({ accountId, limit: 3 });
    expect(first.nextCursor).not.toBeNull();
    const second = await listActivities({
      accountId,
      limit: 3,
      cursor: decodeCursor(first.nextCursor!),
    });
    expect(second.activities).toHaveLength(3);
    expect(second.nextCursor).toBeNull();
  });
});

describe("decodeCursor", () => {
  it("rejects text it did not write", () => {
    expect(decodeCursor("not-a-cursor")).toBeUndefined();
    expect(decodeCursor(Buffer.from('[1,"x","a"]').toString("base64url"))).toBeUndefined();
    expect(decodeCursor(Buffer.from('[2,"2026-12-04","a"]').toString("base64url"))).toBeUndefined();
  });
});

describe("countActivitiesByState", () => {
  it("counts every state, zero included", async () => {
    const { accountId } = await seedAccount(SEEDS);
    expect(await countActivitiesByState({ accountId })).toEqual({
      queued: 1,
      running: 1,
      completed: 1,
      failed: 1,
      timed_out: 1,
      cancelled: 1,
      expired: 0,
      merged: 0,
    });
  });

  it("respects endpoint and search but not state or status", async () => {
    const { accountId } = await seedAccount(SEEDS);
    const counts = await countActivitiesByState({
      accountId,
      filters: { endpoint: "ep-video", state: "queued", status: "open", q: "a" },
    });
    expect(counts).toEqual({
      queued: 1,
      running: 1,
      completed: 0,
      failed: 0,
      timed_out: 0,
      cancelled: 1,
      expired: 0,
      merged: 0,
    });
  });

  it("respects the time range", async () => {
    const { accountId } = await seedAccount(SEEDS);
    const counts = await countActivitiesByState({
      accountId,
      filters: { since: new Date("2026-12-03T00:00:00Z"), until: new Date("2026-12-04T10:30:00Z") },
    });
    expect(counts).toEqual({
      queued: 0,
      running: 1,
      completed: 1,
      failed: 0,
      timed_out: 0,
      cancelled: 0,
      expired: 0,
      merged: 0,
    });
  });
});
