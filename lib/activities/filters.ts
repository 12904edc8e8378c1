import { type ActivityState, activityStates } from "@/lib/db/schema";
import { ENDPOINT_ID_PATTERN } from "@/lib/runpod/status";

/**
 * Board filters as they appear in the URL, parsed and validated. Pure code, shared by
 * the server (which turns them into SQL) and the board in the browser (which applies
 * them to live updates), so both agree on which cards a filtered board shows.
 */

export interface BoardFilters {
  status?: "open" | "closed";
  state?: ActivityState;
  endpoint?: string;
  /** Matches a job id by prefix or a job name by substring, both case-insensitive. */
  q?: string;
  /** Inclusive lower bound on the card's last change. */
  since?: Date;
  /** Exclusive upper bound on the card's last change. */
  until?: Date;
}

export type SearchParams = Record<string, string | string[] | undefined>;

export interface ParsedFilters {
  filters: BoardFilters;
  /** One message per rejected parameter; the parameter is ignored. */
  errors: string[];
}

export const MAX_QUERY_LENGTH = 256;

function single(params: SearchParams, name: string): string | undefined {
  const value = params[name];
  const first = Array.isArray(value) ? value[0] : value;
  const trimmed = first?.trim();
  return trimmed === undefined || trimmed === "" ? undefined : trimmed;
}

// Accepts a date (2026-12-04) or a date and time with an optional zone; a value without a
// zone is read as UTC so the server and every browser agree on the instant.
const ISO_DATE =
  /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

function parseIsoDate(raw: string): Date | undefined {
  if (!ISO_DATE.test(raw)) return undefined;
  let normalized = raw.replace(" ", "T");
  if (normalized.length === 10) normalized += "T00:00:00Z";
  else if (!/(?:Z|[+-]\d{2}:?\d{2})$/.test(normalized)) normalized += "Z";
  const date = new Date(normalized);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** Parses the board's query parameters. Invalid values are reported and left out. */
export function parseBoardFilters(params: SearchParams): ParsedFilters {
  const filters: BoardFilters = {};
  const errors: string[] = [];

  const status = single(params, "status");
  if (status === "open" || status === "closed") filters.status = status;
  else if (status !== undefined) {
    errors.push(`status=${status} is not a status; use open or closed.`);
  }

  const state = single(params, "state");
  if (state !== undefined) {
    if ((activityStates as readonly string[]).includes(state)) {
      filters.state = state as ActivityState;
    } else {
      errors.push(`state=${state} is not a state; use one of ${activityStates.join(", ")}.`);
    }
  }

  const endpoint = single(params, "endpoint");
  if (endpoint !== undefined) {
    if (ENDPOINT_ID_PATTERN.test(endpoint)) filters.endpoint = endpoint;
    else {
      errors.push(
        `endpoint=${endpoint} is not a RunPod endpoint id; use its 14 lowercase letters and digits.`,
      );
    }
  }

  const q = single(params, "q");
  if (q !== undefined) {
    if (q.length <= MAX_QUERY_LENGTH) filters.q = q;
    else errors.push(`q is ${q.length} characters long; search with at most ${MAX_QUERY_LENGTH}.`);
  }

  for (const name of ["since", "until"] as const) {
    const raw = single(params, name);
    if (raw === undefined) continue;
    const date = parseIsoDate(raw);
    if (date) filters[name] = date;
    else errors.push(`${name}=${raw} is not a date; use 2026-12-04 or 2026-12-04T21:30:00Z.`);
  }

  if (filters.since && filters.until && filters.since >= filters.until) {
    errors.push(
      `since=${filters.since.toISOString()} is not before until=${filters.until.toISOString()}; both are ignored.`,
    );
    delete filters.since;
    delete filters.until;
  }

  return { filters, errors };
}

/** Writes filters back as query parameters, for links that keep the current view. */
export function filtersToParams(filters: BoardFilters): URLSearchParams {
  const params = new URLSearchParams();
  if (filters.status) params.set("status", filters.status);
  if (filters.state) params.set("state", filters.state);
  if (filters.endpoint) params.set("endpoint", filters.endpoint);
  if (filters.q) params.set("q", filters.q);
  if (filters.since) params.set("since", filters.since.toISOString());
  if (filters.until) params.set("until", filters.until.toISOString());
  return params;
}

export function hasFilters(filters: BoardFilters): boolean {
  return Object.values(filters).some((value) => value !== undefined);
}

/** The card fields the filters look at. */
export interface FilterableActivity {
  key: string;
  jobName: string | null;
  endpoint: string | null;
  state: ActivityState;
  closedAt: Date | string | null;
  updatedAt: Date | string;
}

/**
 * Whether a card belongs on a board with these filters. The SQL in board.ts expresses
 * the same conditions; the tests in board.db.test.ts check the two against each other.
 */
export function matchesFilters(activity: FilterableActivity, filters: BoardFilters): boolean {
  if (filters.status === "open" && activity.closedAt !== null) return false;
  if (filters.status === "closed" && activity.closedAt === null) return false;
  if (filters.state && activity.state !== filters.state) return false;
  if (filters.endpoint && activity.endpoint !== filters.endpoint) return false;
  if (filters.q) {
    const needle = filters.q.toLowerCase();
    const byKey = activity.key.toLowerCase().startsWith(needle);
    const byName = activity.jobName?.toLowerCase().includes(needle) ?? false;
    if (!byKey && !byName) return false;
  }
  const updatedAt = new Date(activity.updatedAt).getTime();
  if (filters.since && updatedAt < filters.since.getTime()) return false;
  if (filters.until && updatedAt >= filters.until.getTime()) return false;
  return true;
}
