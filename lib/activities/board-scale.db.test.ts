import { randomUUID } from "node:crypto";
import { type SQL, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAccount } from "@/lib/accounts/store";
import { getDb } from "@/lib/db/client";
import { seedCards } from "@/lib/testing/seed-cards";
import { boardPageQuery, stateCountsQuery } from "./board";
import type { BoardFilters } from "./filters";

// The board's queries must stay index scans on an account with 100,000 cards, so the
// first page and the counters do not read the whole table. Other accounts hold twice as
// many cards, as on a shared server: were the account most of the table, reading the
// whole table would rightly be the cheaper plan.

const CARDS = 100_000;
let accountId: string;
let neighbourId: string;

async function newAccount(): Promise<string> {
  const account = await createAccount({
    email: `board-scale-${randomUUID()}@example.test`,
    password: "correct horse battery",
  });
  return account.id;
}

beforeAll(async () => {
  neighbourId = await newAccount();
  await seedCards(neighbourId, 2 * CARDS);
  accountId = await newAccount();
  await seedCards(accountId, CARDS);
}, 600_000);

afterAll(async () => {
  const db = await getDb();
  await db.execute(sql`delete from accounts where id in (${accountId}, ${neighbourId})`);
}, 120_000);

async function plan(query: SQL): Promise<string> {
  const db = await getDb();
  const result = (await db.execute(sql`explain ${query}`)) as unknown as {
    rows: Record<string, string>[];
  };
  return result.rows.map((row) => Object.values(row)[0]).join("\n");
}

async function expectIndexScan(query: SQL) {
  const text = await plan(query);
  expect(text, text).not.toMatch(/Seq Scan on activities/);
  expect(text, text).toMatch(
    /(Index (Only )?Scan( Backward)? using|Bitmap Index Scan on) activities_\w+/,
  );
}

const views: [string, BoardFilters][] = [
  ["default view", {}],
  [
    "filtered view",
    { endpoint: "seedendpoint07", state: "failed", since: new Date(Date.now() - 86_400_000) },
  ],
];

describe("board on 100,000 cards", () => {
  it("seeds the account", async () => {
    const db = await getDb();
    const result = (await db.execute(
      sql`select count(*)::int as count from activities where account_id = ${accountId}`,
    )) as unknown as { rows: { count: number }[] };
    expect(Number(result.rows[0]?.count)).toBe(CARDS);
  });

  it.each(views)("first page of %s uses an index", async (_name, filters) => {
    const db = await getDb();
    await expectIndexScan(boardPageQuery(db, { accountId, filters, limit: 51 }).getSQL());
  });

  it.each(views)("deep page of %s uses an index", async (_name, filters) => {
    const db = await getDb();
    const cursor = {
      open: false,
      updatedAt: new Date(Date.now() - 50_000_000).toISOString(),
      id: `${accountId}-50000`,
    };
    await expectIndexScan(boardPageQuery(db, { accountId, filters, cursor, limit: 51 }).getSQL());
  });

  it.each(views)("counters of %s use an index", async (_name, filters) => {
    const db = await getDb();
    await expectIndexScan(stateCountsQuery(db, { accountId, filters }).getSQL());
  });
});
