"use client";

import {
  CARD_PRESENTATIONS,
  type CardPresentation,
  PRESENTATION_LABELS,
} from "@/lib/activities/card-presentation";
import { SegmentedControl } from "./segmented-control";

const OPTIONS = CARD_PRESENTATIONS.map((presentation) => ({
  value: presentation,
  label: PRESENTATION_LABELS[presentation],
}));

/** Chooses how the board draws its cards. */
export function PresentationToggle({
  value,
  onChange,
}: {
  value: CardPresentation;
  onChange: (presentation: CardPresentation) => void;
}) {
  return (
    <SegmentedControl
      legend="Card presentation"
      name="card-presentation"
      options={OPTIONS}
      value={value}
      onChange={onChange}
      testId="presentation-toggle"
    />
  );
}
