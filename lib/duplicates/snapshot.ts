import type { Activity } from "@/lib/db/schema";

/** A card's row as a merge found it, with times as ISO strings so it can be stored as JSON. */
export type CardSnapshot = Omit<Activity, "createdAt" | "updatedAt" | "closedAt" | "nextPollAt"> & {
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  nextPollAt: string;
};

/** The rows undo needs to put every member of a merged group back as the merge found it. */
export interface MergeSnapshot {
  survivorId: string;
  /** The survivor's merge event: undo is refused once the survivor has later events. */
  mergeEventId: number;
  cards: CardSnapshot[];
  /** The events moved to the survivor, by the card they came from. */
  movedEventIds: Record<string, number[]>;
  /** Other open groups of the merged cards, dismissed by the merge and reopened by undo. */
  dismissedGroupIds: string[];
}

export function snapshotCard(card: Activity): CardSnapshot {
  return {
    ...card,
    createdAt: card.createdAt.toISOString(),
    updatedAt: card.updatedAt.toISOString(),
    closedAt: card.closedAt?.toISOString() ?? null,
    nextPollAt: card.nextPollAt.toISOString(),
  };
}

/**
 * Returns the columns that undo writes back: every column but the id, the account, the
 * creation time and `updatedAt`. `updatedAt` moves forward instead, because the board
 * keeps the newest version of a card it has seen.
 */
export function restoredColumns(snapshot: CardSnapshot) {
  const {
    id: _id,
    accountId: _account,
    createdAt: _created,
    updatedAt: _updated,
    ...rest
  } = snapshot;
  return {
    ...rest,
    closedAt: rest.closedAt === null ? null : new Date(rest.closedAt),
    nextPollAt: new Date(rest.nextPollAt),
  };
}
