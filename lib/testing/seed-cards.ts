import { sql } from "drizzle-orm";
import { getDb } from "@/lib/db/client";

/**
 * Inserts `count` cards for an account in one statement, for tests and benchmarks of the
 * board at scale. One card in 50 is open, the cards spread over 20 endpoints
 * (`seedendpoint00` to `seedendpoint19`), and one card changed per second going back
 * from now. Fresh planner statistics follow, as autovacuum would leave them.
 */
export async function seedCards(accountId: string, count: number): Promise<void> {
  await seedCardsAcross([accountId], count);
}

/**
 * Inserts `count` cards like `seedCards`, spread over `accountIds`: an account named
 * several times in the list gets that many shares of the cards. Card `g` (from 1) goes to
 * the position given by a hash of `g`, because `g % accountIds.length` would follow the
 * same cycle as the states and endpoints, so that an account could get only open cards.
 * Card ids are `<account id>-<g>`, so one call's cards never collide with each other.
 */
export async function seedCardsAcross(accountIds: string[], count: number): Promise<void> {
  const db = await getDb();
  const position = sql`abs(hashint4(g)::bigint) % ${accountIds.length}`;
  const account =
    accountIds.length === 1
      ? sql`${accountIds[0]}::text`
      : sql`(${JSON.stringify(accountIds)}::jsonb ->> (${position})::int)`;
  await db.execute(sql`
    insert into activities
      (id, account_id, schema_id, key, job_name, endpoint, state, opened_by, created_at, updated_at, closed_at)
    select
      ${account} || '-' || g,
      ${account},
      '@runpod',
      md5(g::text) || '-u1',
      'job ' || g,
      'seedendpoint' || lpad((g % 20)::text, 2, '0'),
      case
        when g % 50 = 0 then (array['queued', 'running'])[1 + g % 2]
        else (array['completed', 'failed', 'timed_out', 'cancelled'])[1 + g % 4]
      end,
      'api',
      now() - make_interval(secs => g),
      now() - make_interval(secs => g),
      case when g % 50 = 0 then null else now() - make_interval(secs => g) end
    from generate_series(1, ${count}) as g
  `);
  await db.execute(sql`vacuum analyze activities`);
}
