import type { Activity, DuplicateGroup, EventSource } from "@/lib/db/schema";
import { activityStartExample, proxyRunExample } from "@/lib/keys/examples";
import { RUNPOD_JOB_ID_PATTERN } from "./detect";
import type { DuplicateEvidence, DuplicateRule } from "./rules";

/** The words the Duplicates page uses for the source that opened a card. */
export const SOURCE_WORDS: Record<EventSource, string> = {
  api: "client start (POST /v1/activity/start)",
  inspector: "inspector (Chirp's RunPod submit proxy)",
  webhook: "webhook (RunPod's completion webhook, for a job id no card had)",
  dashboard: "dashboard",
  watchdog: "watchdog",
};

export interface Explanation {
  /** The reason for two cards, in one or two sentences. */
  cause: string;
  /** The change to the submission script or the settings that prevents it. */
  fix: string;
  /** A copy-ready corrected call with this Chirp server's URL, when a call is what to change. */
  snippet?: string;
  snippetLabel?: string;
}

const JOB_ID = new RegExp(RUNPOD_JOB_ID_PATTERN, "i");

// Placeholder for the API key in snippets: the page never shows a stored key.
const API_KEY_VARIABLE = "$CHIRP_API_KEY";

/** Returns the first job name and endpoint among the cards, for the corrected snippet. */
function jobData(cards: readonly Pick<Activity, "jobName" | "endpoint">[]) {
  return {
    jobName: cards.find((card) => card.jobName)?.jobName ?? undefined,
    endpoint: cards.find((card) => card.endpoint)?.endpoint ?? undefined,
  };
}

/** Explains a group: why its cards are likely one job and what change prevents it. */
export function explainGroup(
  group: Pick<DuplicateGroup, "rule" | "evidence">,
  cards: readonly Pick<Activity, "key" | "openedBy" | "jobName" | "endpoint">[],
  baseUrl: string,
): Explanation {
  const rule = group.rule as DuplicateRule;
  const evidence = group.evidence as DuplicateEvidence;
  const client = cards.find((card) => card.openedBy === "api");
  const other = cards.find((card) => card !== client);
  const startSnippet = activityStartExample(baseUrl, API_KEY_VARIABLE, jobData(cards));
  switch (rule) {
    case "client_and_inspector":
      return {
        cause: `The inspector opened a card when the job was submitted through Chirp's RunPod proxy, and the script's activity/start opened another under "${client?.key ?? "another key"}".`,
        fix: "Use either the inspector or activity/start, not both. Keep the proxy and drop the activity/start call, or submit to RunPod directly and keep activity/start with the job id. Settings can also let only one of them open cards, so the other attaches.",
        snippet: proxyRunExample(baseUrl, API_KEY_VARIABLE),
        snippetLabel: "Submit through the proxy only; it opens the card:",
      };
    case "webhook_for_unknown_job":
      return {
        cause: `activity/start used the key "${client?.key ?? other?.key}", which is not RunPod's job id, so RunPod's webhook for job "${cards.find((card) => card.openedBy === "webhook")?.key ?? "?"}" found no card and opened a second one. The first card would never close.`,
        fix: "Pass RunPod's job id, the id that /run returns, as key. Put your own run name in jobName.",
        snippet: startSnippet,
        snippetLabel: "Open the card with the job id as key:",
      };
    case "job_id_in_card_data":
      return {
        cause: `${evidence.summary} The card under the other key was opened for the same job.`,
        fix: "Pass RunPod's job id as key, and keep the run name in jobName, so every call for the job reaches one card.",
        snippet: startSnippet,
        snippetLabel: "Open the card with the job id as key:",
      };
    case "same_name_within_window":
      if (cards.every((card) => JOB_ID.test(card.key))) {
        return {
          cause: `${evidence.summary} Both keys are RunPod job ids, so RunPod ran two jobs: the job was submitted twice, as a retried /run call does, or two runs shared one name.`,
          fix: "If the second submit was a retry, make the script check whether the first /run returned a job id before it submits again. If both jobs were meant to run, choose Not a duplicate.",
        };
      }
      return {
        cause: `${evidence.summary} The script most likely ran twice, as a retry does, and each run opened a card under its own key.`,
        fix: "Use RunPod's job id as key, so a retried start returns the same card, and make the retry check whether the job was already submitted.",
        snippet: startSnippet,
        snippetLabel: "Open the card with the job id as key:",
      };
  }
}
