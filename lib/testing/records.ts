import { asc, eq } from "drizzle-orm";
import { getDb } from "@/lib/db/client";
import { type ActivityEvent, activityEvents, type Delivery, deliveries } from "@/lib/db/schema";
import { postWebhook } from "./fixtures";

/** Returns every delivery recorded for the account, oldest first. */
export async function deliveriesOf(accountId: string): Promise<Delivery[]> {
  const db = await getDb();
  return db
    .select()
    .from(deliveries)
    .where(eq(deliveries.accountId, accountId))
    .orderBy(asc(deliveries.receivedAt), asc(deliveries.id));
}

/** Returns every activity event of the account, in id order. */
export async function eventsOf(accountId: string): Promise<ActivityEvent[]> {
  const db = await getDb();
  return db
    .select()
    .from(activityEvents)
    .where(eq(activityEvents.accountId, accountId))
    .orderBy(asc(activityEvents.id));
}

/** Returns the events that moved a card into `state` from another state or opened it there. */
export function transitionsInto(events: ActivityEvent[], state: string): ActivityEvent[] {
  return events.filter((event) => event.stateAfter === state && event.stateBefore !== state);
}

/** Sends a webhook delivery and fails the test unless the response status is 200. */
export async function deliver(webhookKey: string, body: Record<string, unknown>) {
  const response = await postWebhook(webhookKey, body);
  if (response.status !== 200) {
    throw new Error(
      `webhook returned ${response.status} for ${JSON.stringify(body).slice(0, 200)}: ${JSON.stringify(response.json)}`,
    );
  }
  return response.json;
}
