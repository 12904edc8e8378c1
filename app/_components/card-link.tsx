import Link from "next/link";
import { cardTitle } from "@/lib/activities/presentation";
import type { Activity } from "@/lib/db/schema";

/** Renders a link to a card's detail page, named by the card's job name or key. */
export function CardLink({ card }: { card: Pick<Activity, "id" | "jobName" | "key"> }) {
  return (
    <Link
      href={`/activities/${card.id}`}
      className="font-medium text-runpod-light hover:underline wrap-anywhere"
    >
      {cardTitle(card)}
    </Link>
  );
}
