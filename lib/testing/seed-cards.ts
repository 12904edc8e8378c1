import { sql } from "drizzle-orm";
import { getDb } from "@/lib/db/client";

/**
 * Inserts `count` cards for an account in one statement, for tests and benchmarks of the
 * board at scale. One card in 50 is open, the cards spread over 20 endpoints
 * (`seedendpoint00` to `seedendpoint19`), and one card changed per second going back
 * from now. Fresh planner statistics follow, as autovacuum would leave them.
 */
export async function seedCards(accountId: string, count: number): Promise<void> {
  const db = await getDb();
  await db.execute(sql`
    insert into activities
      (id, account_id, schema_id, key, job_name, endpoint, state, opened_by, created_at, updated_at, closed_at)
    select
      ${accountId} || '-' || g,
      ${accountId},
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
