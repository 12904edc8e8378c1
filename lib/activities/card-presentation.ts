import { type BoardFilters, filtersToParams, type SearchParams } from "./filters";

/**
 * The presentations of a Live Activity that the board can draw: the Lock Screen card and
 * the three Dynamic Island presentations. The board keeps the chosen one in the URL as
 * `presentation`, next to its filters, and leaves it out for the default Lock Screen.
 */
export const CARD_PRESENTATIONS = ["lock-screen", "compact", "minimal", "expanded"] as const;

export type CardPresentation = (typeof CARD_PRESENTATIONS)[number];

export const DEFAULT_PRESENTATION: CardPresentation = "lock-screen";

export const PRESENTATION_PARAM = "presentation";

export const PRESENTATION_LABELS: Record<CardPresentation, string> = {
  "lock-screen": "Lock Screen",
  compact: "Compact",
  minimal: "Minimal",
  expanded: "Expanded",
};

export function isCardPresentation(value: string): value is CardPresentation {
  return (CARD_PRESENTATIONS as readonly string[]).includes(value);
}

export interface ParsedPresentation {
  presentation: CardPresentation;
  /** A message naming the rejected value; the default presentation is used instead. */
  error?: string;
}

/** Reads the `presentation` query parameter. A missing or empty one means the Lock Screen. */
export function parsePresentation(params: SearchParams): ParsedPresentation {
  const value = params[PRESENTATION_PARAM];
  const raw = (Array.isArray(value) ? value[0] : value)?.trim();
  if (raw === undefined || raw === "") return { presentation: DEFAULT_PRESENTATION };
  if (isCardPresentation(raw)) return { presentation: raw };
  return {
    presentation: DEFAULT_PRESENTATION,
    error: `${PRESENTATION_PARAM}=${raw} is not a card presentation; use one of ${CARD_PRESENTATIONS.join(", ")}.`,
  };
}

/**
 * Sets the presentation on a board URL's query parameters, leaving the default out so
 * that the plain board URL stays `/`.
 */
export function withPresentation(
  params: URLSearchParams,
  presentation: CardPresentation,
): URLSearchParams {
  const next = new URLSearchParams(params);
  if (presentation === DEFAULT_PRESENTATION) next.delete(PRESENTATION_PARAM);
  else next.set(PRESENTATION_PARAM, presentation);
  return next;
}

/** Builds a board URL with its filters, presentation and any `extra` parameters. */
export function boardHref(
  filters: BoardFilters,
  presentation: CardPresentation,
  extra: Record<string, string> = {},
): string {
  const params = withPresentation(filtersToParams(filters), presentation);
  for (const [name, value] of Object.entries(extra)) params.set(name, value);
  const query = params.toString();
  return query ? `/?${query}` : "/";
}
