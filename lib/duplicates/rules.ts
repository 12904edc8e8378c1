import type { DuplicateConfidence, EventSource } from "@/lib/db/schema";

/**
 * The detection rules, each a cause of two cards for one job:
 * - `client_and_inspector`: the client's activity/start and the RunPod submit proxy each
 *   opened a card for one job on the same endpoint.
 * - `webhook_for_unknown_job`: a webhook named a job id no card had, while a card the
 *   client or the proxy opened under another key was open when the job was submitted.
 * - `job_id_in_card_data`: one card's job name, progress or error text contains another
 *   card's key, as when a script names its run after the RunPod job id.
 * - `same_name_within_window`: two open cards on one endpoint with one job name, started
 *   within a minute of each other, as when a retried script starts twice.
 */
export const duplicateRules = [
  "client_and_inspector",
  "webhook_for_unknown_job",
  "job_id_in_card_data",
  "same_name_within_window",
] as const;
export type DuplicateRule = (typeof duplicateRules)[number];

/** A card of a group as its evidence records it when the group was found. */
export interface EvidenceCard {
  id: string;
  key: string;
  openedBy: EventSource;
  endpoint: string | null;
  jobName: string | null;
  createdAt: string;
}

/** The evidence a rule found, stored with the group so the page can explain it later. */
export interface DuplicateEvidence {
  cards: EvidenceCard[];
  /** One sentence describing the match. */
  summary: string;
  [detail: string]: unknown;
}

export interface FoundDuplicate {
  rule: DuplicateRule;
  confidence: DuplicateConfidence;
  /** The two cards' ids. */
  activityIds: [string, string];
  evidence: DuplicateEvidence;
}
