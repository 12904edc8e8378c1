import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { ActivityDetailLive } from "@/app/_components/activity-detail-live";
import { CardLink } from "@/app/_components/card-link";
import { UndoMergeButton } from "@/app/_components/duplicate-group-actions";
import { EndActivityForm } from "@/app/_components/end-activity-form";
import {
  activityPushPayload,
  jsonByteLength,
  MAX_PAYLOAD_BYTES,
} from "@/lib/activities/content-state";
import { isOpen } from "@/lib/activities/presentation";
import { getActivity, listActivityEvents } from "@/lib/activities/store";
import { toActivityView } from "@/lib/activities/view";
import type { Activity, ActivityEvent } from "@/lib/db/schema";
import { getDuplicateGroups } from "@/lib/duplicates/queries";
import type { MergeSnapshot } from "@/lib/duplicates/snapshot";
import { latestEventId } from "@/lib/live/events";
import { statusWord } from "@/lib/runpod/status";
import { requireSession } from "../../session";

export const metadata: Metadata = { title: "Activity" };

/** Formats an event time in UTC to the millisecond, so events of one second stay apart. */
function eventTime(date: Date): string {
  return `${date.toISOString().replace("T", " ").slice(0, 23)} UTC`;
}

function stateChange(event: ActivityEvent): string {
  const after = statusWord(event.stateAfter);
  return event.stateBefore === null ? `→ ${after}` : `${statusWord(event.stateBefore)} → ${after}`;
}

/** Returns the merge events of the survivor that can still be undone, by event id. */
async function undoableMerges(accountId: string, activityId: string, events: ActivityEvent[]) {
  const groupIds = events
    .filter((event) => event.type === "merge" && typeof event.detail.groupId === "string")
    .map((event) => event.detail.groupId as string);
  const groups = await getDuplicateGroups({ accountId, groupIds: [...new Set(groupIds)] });
  const undoable = new Map<number, string>();
  for (const { group } of groups) {
    const snapshot = group.mergeSnapshot as MergeSnapshot | null;
    if (group.status === "merged" && group.survivorId === activityId && snapshot) {
      undoable.set(snapshot.mergeEventId, group.id);
    }
  }
  return undoable;
}

function MergedNotice({ survivor }: { survivor: Activity | undefined }) {
  return (
    <p
      data-testid="merged-into"
      className="rounded-lg border border-zinc-700 bg-zinc-900/60 px-3 py-2 text-sm text-zinc-300"
    >
      This card was a duplicate and was merged into{" "}
      {survivor ? <CardLink card={survivor} /> : "a card that no longer exists"}, which now has its
      events. Changes for its key land there.
    </p>
  );
}

function mergeSummary(event: ActivityEvent): string | null {
  if (event.type !== "merge" || typeof event.detail.count !== "number") return null;
  const cards = event.detail.count + 1;
  return `Merged ${cards} cards${event.detail.automatic ? " automatically" : ""}`;
}

export default async function ActivityPage({ params }: { params: Promise<{ id: string }> }) {
  const { accountId } = await requireSession();
  const { id } = await params;
  // The event id is read first: a change committed between the reads is then sent again
  // by the stream, which is harmless, instead of being missed.
  const afterEventId = await latestEventId({ accountId });
  const activity = await getActivity({ accountId, activityId: id });
  if (!activity) notFound();
  const events = await listActivityEvents({ accountId, activityId: id });
  const undoable = await undoableMerges(accountId, id, events);
  const survivor = activity.mergedInto
    ? await getActivity({ accountId, activityId: activity.mergedInto })
    : undefined;

  const view = toActivityView(activity);
  const payload = activityPushPayload(view);
  const payloadBytes = jsonByteLength(payload);

  return (
    <div className="flex flex-col gap-8">
      <div className="flex flex-wrap items-baseline gap-x-4 gap-y-1">
        <h1 className="text-2xl font-semibold tracking-tight">Activity</h1>
        <p className="min-w-0 truncate font-mono text-sm text-zinc-400" title={view.key}>
          {view.key}
        </p>
        <Link href="/" className="ml-auto text-sm text-zinc-400 hover:text-zinc-50">
          ← Board
        </Link>
      </div>

      {activity.state === "merged" ? <MergedNotice survivor={survivor} /> : null}
      <ActivityDetailLive activity={view} latestEventId={afterEventId} serverNow={Date.now()} />
      <div className="max-w-xl">
        <EndActivityForm activityId={view.id} open={isOpen(view.state)} />
      </div>

      <section aria-labelledby="timeline-heading">
        <h2 id="timeline-heading" className="mb-3 text-lg font-semibold">
          Timeline
        </h2>
        <ol data-testid="activity-timeline" className="flex flex-col gap-3">
          {events.map((event) => (
            <li
              key={event.id}
              data-testid="timeline-event"
              data-type={event.type}
              data-source={event.source}
              className="rounded-2xl border border-zinc-800 bg-zinc-900/50 p-4"
            >
              <div className="flex flex-wrap items-baseline gap-x-4 gap-y-1 text-sm">
                <time dateTime={event.createdAt.toISOString()} className="font-mono text-zinc-400">
                  {eventTime(event.createdAt)}
                </time>
                <span className="font-semibold text-zinc-50">
                  {mergeSummary(event) ?? event.type}
                </span>
                <span className="rounded-full border border-zinc-700 px-2 py-0.5 text-xs text-zinc-300">
                  {event.source}
                </span>
                <span className="font-mono text-zinc-200">{stateChange(event)}</span>
                {event.runpodStatus !== null ? (
                  <span className="text-zinc-400">
                    RunPod status{" "}
                    <span className="font-mono text-zinc-200">{event.runpodStatus}</span>
                  </span>
                ) : null}
                {event.deliveryId !== null ? (
                  <Link
                    href={`/deliveries/${encodeURIComponent(event.deliveryId)}`}
                    className="font-mono text-xs text-violet-300 hover:underline"
                    data-testid="timeline-delivery-link"
                  >
                    {event.deliveryId}
                  </Link>
                ) : null}
              </div>
              {Object.keys(event.detail).length > 0 ? (
                <pre
                  // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling block must take the focus to scroll by keyboard
                  tabIndex={0}
                  className="mt-3 max-h-64 overflow-auto rounded-lg bg-zinc-950 p-3 font-mono text-xs text-zinc-300 whitespace-pre-wrap wrap-anywhere"
                >
                  {JSON.stringify(event.detail, null, 2)}
                </pre>
              ) : null}
              {undoable.has(event.id) ? (
                <div className="mt-3">
                  <UndoMergeButton groupId={undoable.get(event.id)!} />
                </div>
              ) : null}
            </li>
          ))}
        </ol>
      </section>

      <section aria-labelledby="payload-heading">
        <div className="mb-3 flex flex-wrap items-baseline gap-x-4 gap-y-1">
          <h2 id="payload-heading" className="text-lg font-semibold">
            Phone payload
          </h2>
          <p data-testid="phone-payload-size" className="text-sm text-zinc-400">
            {payloadBytes} bytes of {MAX_PAYLOAD_BYTES} (compact JSON, as sent)
          </p>
        </div>
        <p className="mb-3 text-sm text-zinc-400">
          The ActivityKit push notification the phone would receive for the last change of this
          card.
        </p>
        <pre
          data-testid="phone-payload"
          // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling block must take the focus to scroll by keyboard
          tabIndex={0}
          className="max-h-[32rem] overflow-auto rounded-2xl border border-zinc-800 bg-zinc-950 p-4 font-mono text-xs text-zinc-200 whitespace-pre-wrap wrap-anywhere"
        >
          {JSON.stringify(payload, null, 2)}
        </pre>
      </section>
    </div>
  );
}
