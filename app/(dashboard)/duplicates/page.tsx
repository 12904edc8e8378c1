import type { Metadata } from "next";
import { CardLink } from "@/app/_components/card-link";
import { CodeBlock } from "@/app/_components/code-block";
import { DuplicateGroupActions } from "@/app/_components/duplicate-group-actions";
import { LocalTime } from "@/app/_components/local-time";
import { cardTitle } from "@/lib/activities/presentation";
import { publicBaseUrl } from "@/lib/config";
import type { Activity, DuplicateConfidence } from "@/lib/db/schema";
import { explainGroup, SOURCE_WORDS } from "@/lib/duplicates/explain";
import { chooseSurvivor } from "@/lib/duplicates/merge";
import { type GroupWithCards, listDuplicateGroups } from "@/lib/duplicates/queries";
import type { DuplicateRule } from "@/lib/duplicates/rules";
import { statusWord } from "@/lib/runpod/status";
import { requireSession } from "../session";

export const metadata: Metadata = { title: "Duplicates" };

const RULE_TITLES: Record<DuplicateRule, string> = {
  client_and_inspector: "The inspector and activity/start both opened a card",
  webhook_for_unknown_job: "The webhook opened a second card for a job started under another key",
  job_id_in_card_data: "A card names the job id of another card",
  same_name_within_window: "One job name started twice on one endpoint",
};

const CONFIDENCE_CLASSES: Record<DuplicateConfidence, string> = {
  high: "border-emerald-500/50 text-emerald-300",
  medium: "border-amber-500/50 text-amber-300",
  low: "border-zinc-600 text-zinc-400",
};

function CardLine({ card }: { card: Activity }) {
  return (
    <li className="flex flex-col gap-0.5 text-sm">
      <span className="flex flex-wrap items-baseline gap-x-2">
        <CardLink card={card} />
        <span className="font-mono text-xs text-zinc-400">{statusWord(card.state)}</span>
      </span>
      <span className="text-zinc-400">
        Key <span className="font-mono text-zinc-200 wrap-anywhere">{card.key}</span>, opened by the{" "}
        {SOURCE_WORDS[card.openedBy]}
        {card.endpoint ? (
          <>
            {" "}
            on <span className="font-mono text-zinc-200">{card.endpoint}</span>
          </>
        ) : null}
        , <LocalTime iso={card.createdAt.toISOString()} />.
      </span>
    </li>
  );
}

function OpenGroup({ entry, baseUrl }: { entry: GroupWithCards; baseUrl: string }) {
  const { group, cards } = entry;
  const explanation = explainGroup(group, cards, baseUrl);
  const survivor = cards.length > 0 ? chooseSurvivor(cards) : undefined;
  const headingId = `group-${group.id}`;
  return (
    <li
      data-testid="duplicate-group"
      data-rule={group.rule}
      aria-labelledby={headingId}
      className="flex flex-col gap-4 rounded-2xl border border-zinc-800 bg-zinc-900/60 p-5"
    >
      <div className="flex flex-wrap items-baseline gap-x-3 gap-y-1">
        <h2 id={headingId} className="font-semibold">
          {RULE_TITLES[group.rule as DuplicateRule] ?? group.rule}
        </h2>
        <span
          data-testid="group-confidence"
          className={`rounded-full border px-2 py-0.5 text-xs ${CONFIDENCE_CLASSES[group.confidence]}`}
        >
          {group.confidence} confidence
        </span>
      </div>
      <ul className="flex flex-col gap-3">
        {cards.map((card) => (
          <CardLine key={card.id} card={card} />
        ))}
      </ul>
      <div className="flex flex-col gap-2 text-sm">
        <p data-testid="group-cause">
          <span className="font-medium">Why: </span>
          {explanation.cause}
        </p>
        <p data-testid="group-fix">
          <span className="font-medium">What to change: </span>
          {explanation.fix}
        </p>
      </div>
      {explanation.snippet ? (
        <div className="flex flex-col gap-2">
          <p className="text-sm text-zinc-400">{explanation.snippetLabel}</p>
          <CodeBlock
            code={explanation.snippet}
            copyLabel="Copy the corrected call"
            testId="group-snippet"
          />
        </div>
      ) : null}
      {survivor ? (
        <div className="flex flex-col gap-2">
          <p className="text-sm text-zinc-400">
            Merge keeps &ldquo;{cardTitle(survivor)}&rdquo;, which takes the other card&rsquo;s
            outcome and events; the other closes as merged. You can undo it from the kept
            card&rsquo;s timeline.
          </p>
          <DuplicateGroupActions groupId={group.id} survivorTitle={cardTitle(survivor)} />
        </div>
      ) : null}
    </li>
  );
}

function MergedGroup({ entry }: { entry: GroupWithCards }) {
  const survivor = entry.cards.find((card) => card.id === entry.group.survivorId);
  return (
    <li data-testid="merged-group" className="text-sm text-zinc-300">
      {entry.cards.length} cards merged into {survivor ? <CardLink card={survivor} /> : "a card"}{" "}
      <LocalTime iso={entry.group.updatedAt.toISOString()} />
    </li>
  );
}

export default async function DuplicatesPage() {
  const { accountId } = await requireSession();
  const [open, merged] = await Promise.all([
    listDuplicateGroups({ accountId, status: "open" }),
    listDuplicateGroups({ accountId, status: "merged", limit: 20 }),
  ]);
  const baseUrl = publicBaseUrl();

  return (
    <div className="flex max-w-3xl flex-col gap-8">
      <div className="flex flex-col gap-2">
        <h1 className="text-2xl font-semibold tracking-tight">Duplicates</h1>
        <p className="text-sm text-zinc-400">
          Cards that are likely one job, found when a card opens or closes. Each group says which
          source opened each card, why they were paired, and what to change so the next job gets one
          card. Settings can let only one source open cards.
        </p>
      </div>

      {open.length === 0 ? (
        <div
          data-testid="duplicates-empty"
          className="rounded-3xl border border-dashed border-zinc-700 bg-zinc-900/40 p-6"
        >
          <h2 className="font-semibold">No duplicate cards</h2>
          <p className="mt-2 text-sm text-zinc-400">
            Every job has one card. Two cards for one job show up here with the cause, such as a
            start under a key that is not RunPod&rsquo;s job id, or the inspector and activity/start
            both opening a card.
          </p>
        </div>
      ) : (
        <ol data-testid="duplicate-groups" className="flex flex-col gap-6">
          {open.map((entry) => (
            <OpenGroup key={entry.group.id} entry={entry} baseUrl={baseUrl} />
          ))}
        </ol>
      )}

      {merged.length > 0 ? (
        <section aria-labelledby="merged-heading" className="flex flex-col gap-3">
          <h2 id="merged-heading" className="text-lg font-semibold">
            Recently merged
          </h2>
          <ul className="flex flex-col gap-2">
            {merged.map((entry) => (
              <MergedGroup key={entry.group.id} entry={entry} />
            ))}
          </ul>
        </section>
      ) : null}
    </div>
  );
}
