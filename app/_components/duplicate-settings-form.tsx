"use client";

import { useActionState, useState } from "react";
import {
  type DuplicateSettingsState,
  saveDuplicateSettingsFromForm,
} from "@/app/(dashboard)/settings/actions";
import type { CardOpener } from "@/lib/db/schema";
import { FormFeedback } from "./form-feedback";
import { SegmentedControl } from "./segmented-control";
import { SubmitButton } from "./submit-button";

const OPENER_OPTIONS = [
  { value: "both", label: "Both" },
  { value: "client", label: "Client start" },
  { value: "inspector", label: "Inspector" },
] as const satisfies readonly { value: CardOpener; label: string }[];

const OPENER_HINTS: Record<CardOpener, string> = {
  both: "activity/start and the RunPod submit proxy each open a card. Using both for one job gives it two cards, which the Duplicates page finds.",
  client:
    "Only activity/start opens cards. A job submitted through the proxy attaches to the client's open card on the same endpoint from the last two minutes; without one, the proxy opens no card.",
  inspector:
    "Only the proxy opens cards. An activity/start under a new key attaches to the proxy's open card on the same endpoint from the last two minutes that no start has claimed; without one, it opens its own card.",
};

/** Renders the form that sets who opens the account's cards and whether duplicates merge by themselves. */
export function DuplicateSettingsForm({
  cardOpener,
  autoMerge,
}: {
  cardOpener: CardOpener;
  autoMerge: boolean;
}) {
  const [state, formAction, pending] = useActionState<DuplicateSettingsState, FormData>(
    saveDuplicateSettingsFromForm,
    { saved: false },
  );
  const [opener, setOpener] = useState<CardOpener>(cardOpener);

  return (
    <form action={formAction} className="flex flex-col gap-4">
      <div className="flex flex-col gap-2">
        <p aria-hidden="true" className="text-sm font-medium">
          Who opens cards
        </p>
        <div className="self-start">
          <SegmentedControl
            legend="Who opens cards"
            name="cardOpener"
            options={OPENER_OPTIONS}
            value={opener}
            onChange={setOpener}
            testId="card-opener"
          />
        </div>
        <p data-testid="card-opener-hint" className="text-sm text-zinc-400">
          {OPENER_HINTS[opener]}
        </p>
      </div>
      <label className="flex items-start gap-3 text-sm">
        <input
          type="checkbox"
          name="autoMerge"
          defaultChecked={autoMerge}
          data-testid="auto-merge"
          className="mt-0.5 size-4 accent-runpod"
        />
        <span>
          <span className="font-medium">Merge high-confidence duplicates automatically</span>
          <span className="block text-zinc-400">
            Groups of medium or low confidence still wait on the Duplicates page. A merge can be
            undone from the kept card&rsquo;s timeline.
          </span>
        </span>
      </label>
      <FormFeedback error={state.message} success={state.saved ? "Settings saved." : null} />
      <SubmitButton pending={pending} className="self-start">
        Save
      </SubmitButton>
    </form>
  );
}
