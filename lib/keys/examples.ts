/**
 * Copyable setup examples that show where each kind of key goes. Placeholders are upper
 * case words, or shell variables where the text stays valid shell.
 */

export const RUNPOD_API_BASE = "https://api.runpod.ai/v2";

export function webhookUrl(baseUrl: string, webhookKey: string): string {
  return `${baseUrl}/v1/webhooks/runpod?key=${webhookKey}`;
}

/** RunPod's `/run` call with Chirp's webhook URL in the `webhook` field. */
export function runpodRunExample(webhook: string): string {
  const body = JSON.stringify({ input: { prompt: "..." }, webhook });
  return [
    `curl ${RUNPOD_API_BASE}/ENDPOINT_ID/run \\`,
    `  -H "Authorization: Bearer $RUNPOD_API_KEY" \\`,
    `  -H "Content-Type: application/json" \\`,
    `  -d '${body}'`,
  ].join("\n");
}

/** Chirp's `activity/start` call that opens the card for a RunPod job id. */
export function activityStartExample(baseUrl: string, apiKey: string): string {
  const body = JSON.stringify({
    schema_id: "@runpod",
    data: { key: "JOB_ID", jobName: "my-first-job", endpoint: "ENDPOINT_ID" },
  });
  return [
    `curl ${baseUrl}/v1/activity/start \\`,
    `  -H "Authorization: Bearer ${apiKey}" \\`,
    `  -H "Content-Type: application/json" \\`,
    `  -d '${body}'`,
  ].join("\n");
}

/** Builds the demo command line. The demo needs one key of each kind, so a missing one is a placeholder. */
export function demoCommand(keys: {
  apiKey?: string;
  webhookKey?: string;
  baseUrl?: string;
}): string {
  const apiKey = keys.apiKey ?? "YOUR_API_KEY";
  const webhookKey = keys.webhookKey ?? "YOUR_WEBHOOK_KEY";
  const base = keys.baseUrl ? `CHIRP_BASE_URL=${keys.baseUrl} ` : "";
  return `${base}CHIRP_API_KEY=${apiKey} CHIRP_WEBHOOK_KEY=${webhookKey} npm run demo`;
}
