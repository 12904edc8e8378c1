import type { Metadata } from "next";
import { BoardEmptyState } from "@/app/_components/board-empty-state";
import { LiveBoard } from "@/app/_components/live-board";
import { listBoard } from "@/lib/activities/store";
import { toActivityView } from "@/lib/activities/view";
import { publicBaseUrl } from "@/lib/config";
import { latestEventId } from "@/lib/live/events";
import { requireSession } from "./session";

export const metadata: Metadata = { title: "Board" };

export default async function BoardPage() {
  const { accountId } = await requireSession();
  // The event id is read first: a change committed between the two reads is then sent
  // again by the stream, which is harmless, instead of being missed.
  const afterEventId = await latestEventId({ accountId });
  const activities = await listBoard({ accountId });
  return (
    <LiveBoard
      initialActivities={activities.map(toActivityView)}
      latestEventId={afterEventId}
      serverNow={Date.now()}
      emptyState={<BoardEmptyState baseUrl={publicBaseUrl()} />}
    />
  );
}
