import { getActivitiesByIds } from "@/lib/activities/store";
import { toActivityView } from "@/lib/activities/view";
import { getDb } from "@/lib/db/client";
import { logger } from "@/lib/log";
import { eventsAfter, subscribe } from "./events";

const PAGE_SIZE = 200;
const KEEPALIVE_MS = 15_000;
// NOTIFY is lost while a LISTEN connection reconnects; polling bounds how long a change
// can stay unseen in that case.
const POLL_MS = 10_000;

const encoder = new TextEncoder();

/**
 * Returns a Server-Sent Events stream of the account's activity events after `afterId`. Each
 * message carries the event and the card's current state, with the event id as the SSE
 * id, so a browser that reconnects with Last-Event-ID resumes where it stopped.
 */
export function activityEventStream({
  accountId,
  afterId,
  signal,
  isSessionCurrent,
}: {
  accountId: string;
  afterId: number;
  signal: AbortSignal;
  /**
   * Checked on every poll. The stream ends when it returns false, such as after the
   * session was signed out from another browser. A failed check keeps the stream open.
   */
  isSessionCurrent?: () => Promise<boolean>;
}): ReadableStream<Uint8Array> {
  let cursor = afterId;
  let closed = false;
  let flushing: Promise<void> | undefined;
  let flushAgain = false;
  const cleanups: Array<() => void> = [];

  const close = () => {
    if (closed) return;
    closed = true;
    for (const cleanup of cleanups) cleanup();
  };

  return new ReadableStream<Uint8Array>({
    async start(controller) {
      const send = (text: string) => {
        if (!closed) controller.enqueue(encoder.encode(text));
      };

      // Sends every event after the cursor. Wake-ups that arrive mid-flush run one more
      // pass instead of a concurrent one, so events go out once and in order.
      const flush = (): Promise<void> => {
        if (flushing) {
          flushAgain = true;
          return flushing;
        }
        flushing = (async () => {
          do {
            flushAgain = false;
            let page: Awaited<ReturnType<typeof eventsAfter>>;
            do {
              page = await eventsAfter({ accountId, afterId: cursor, limit: PAGE_SIZE });
              if (page.length === 0 || closed) break;
              const cards = await getActivitiesByIds(await getDb(), {
                accountId,
                ids: [...new Set(page.map((event) => event.activityId))],
              });
              const byId = new Map(cards.map((card) => [card.id, toActivityView(card)]));
              for (const event of page) {
                const data = {
                  event: {
                    id: event.id,
                    type: event.type,
                    source: event.source,
                    stateBefore: event.stateBefore,
                    stateAfter: event.stateAfter,
                    runpodStatus: event.runpodStatus,
                    createdAt: event.createdAt.toISOString(),
                  },
                  activity: byId.get(event.activityId) ?? null,
                };
                send(`id: ${event.id}\nevent: activity\ndata: ${JSON.stringify(data)}\n\n`);
                cursor = event.id;
              }
            } while (page.length === PAGE_SIZE && !closed);
          } while (flushAgain && !closed);
        })()
          .catch((error: unknown) =>
            logger.warn({ err: error, accountId }, "live stream read failed"),
          )
          .finally(() => {
            flushing = undefined;
          });
        return flushing;
      };

      signal.addEventListener("abort", close);
      cleanups.push(() => {
        try {
          controller.close();
        } catch {
          // The reader already cancelled the stream.
        }
      });

      send("retry: 2000\n\n");
      try {
        // Subscribe before the first read, so a change committed in between wakes us.
        const unsubscribe = await subscribe(accountId, () => void flush());
        cleanups.push(unsubscribe);
      } catch (error) {
        logger.error({ err: error, accountId }, "live stream could not subscribe; polling only");
      }
      const keepalive = setInterval(() => send(": keepalive\n\n"), KEEPALIVE_MS);
      const poll = setInterval(async () => {
        if (isSessionCurrent) {
          const current = await isSessionCurrent().catch((error: unknown) => {
            logger.warn({ err: error, accountId }, "live stream session check failed");
            return true;
          });
          if (!current) {
            logger.info({ accountId }, "live stream closed: session signed out");
            close();
            return;
          }
        }
        void flush();
      }, POLL_MS);
      cleanups.push(
        () => clearInterval(keepalive),
        () => clearInterval(poll),
      );
      if (signal.aborted) close();
      await flush();
    },
    cancel() {
      close();
    },
  });
}
