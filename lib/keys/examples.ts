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

/**
 * Chirp's `activity/start` call that opens the card for a RunPod job id. `data` replaces
 * the example's job name and endpoint with a real job's.
 */
export function activityStartExample(
  baseUrl: string,
  apiKey: string,
  data: { jobName?: string; endpoint?: string } = {},
): string {
  const body = JSON.stringify({
    schema_id: "@runpod",
    data: {
      key: "JOB_ID",
      jobName: data.jobName ?? "my-first-job",
      endpoint: data.endpoint ?? "ENDPOINT_ID",
    },
  });
  return [
    `curl ${baseUrl}/v1/activity/start \\`,
    `  -H "Authorization: Bearer ${apiKey}" \\`,
    `  -H "Content-Type: application/json" \\`,
    `  -d '${body}'`,
  ].join("\n");
}

/**
 * RunPod's `/run` call sent through Chirp's proxy instead: Chirp submits it with the RunPod
 * API key saved in Settings, fills in the webhook and opens the card.
 */
export function proxyRunExample(baseUrl: string, apiKey: string): string {
  const body = JSON.stringify({ input: { prompt: "..." } });
  return [
    `curl ${baseUrl}/v1/runpod/ENDPOINT_ID/run \\`,
    `  -H "Authorization: Bearer ${apiKey}" \\`,
    `  -H "Content-Type: application/json" \\`,
    `  -H "X-Chirp-Job-Name: my-first-job" \\`,
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

/** The key just created and where this Chirp server is, for the Python and JavaScript setups. */
export interface SetupSnippetInput {
  baseUrl: string;
  kind: "webhook" | "api";
  key: string;
}

// Values go into the source as JSON strings, which are valid string literals in both
// Python and JavaScript, so a base URL with quotes or backslashes cannot break the code.
function literal(value: string): string {
  return JSON.stringify(value);
}

/**
 * Builds a Python script that submits a RunPod job with Chirp's webhook URL and then opens
 * its card. The key just created is written in; the other kind of key and the RunPod API
 * key are read from environment variables named after them.
 */
export function pythonSetupExample({ baseUrl, kind, key }: SetupSnippetInput): string {
  const webhookKey = kind === "webhook" ? literal(key) : 'os.environ["CHIRP_WEBHOOK_KEY"]';
  const apiKey = kind === "api" ? literal(key) : 'os.environ["CHIRP_API_KEY"]';
  return `import os

import requests

RUNPOD_API_KEY = os.environ["RUNPOD_API_KEY"]
ENDPOINT_ID = "ENDPOINT_ID"
CHIRP_BASE_URL = ${literal(baseUrl)}
CHIRP_WEBHOOK_KEY = ${webhookKey}
CHIRP_API_KEY = ${apiKey}

# RunPod calls the webhook URL when the job finishes, which closes the card.
run = requests.post(
    f"${RUNPOD_API_BASE}/{ENDPOINT_ID}/run",
    headers={"Authorization": f"Bearer {RUNPOD_API_KEY}"},
    json={
        "input": {"prompt": "..."},
        "webhook": f"{CHIRP_BASE_URL}/v1/webhooks/runpod?key={CHIRP_WEBHOOK_KEY}",
    },
    timeout=30,
)
run.raise_for_status()
job_id = run.json()["id"]

# Opens the card for the job.
start = requests.post(
    f"{CHIRP_BASE_URL}/v1/activity/start",
    headers={"Authorization": f"Bearer {CHIRP_API_KEY}"},
    json={
        "schema_id": "@runpod",
        "data": {"key": job_id, "jobName": "my-first-job", "endpoint": ENDPOINT_ID},
    },
    timeout=30,
)
start.raise_for_status()
print("Opened a card for job", job_id)
`;
}

/**
 * Builds the same setup as `pythonSetupExample` as an ES module for Node 18 or later, which
 * has a built-in `fetch`.
 */
export function javascriptSetupExample({ baseUrl, kind, key }: SetupSnippetInput): string {
  const webhookKey = kind === "webhook" ? literal(key) : "process.env.CHIRP_WEBHOOK_KEY";
  const apiKey = kind === "api" ? literal(key) : "process.env.CHIRP_API_KEY";
  return `// Save as chirp-job.mjs and run: node chirp-job.mjs
const RUNPOD_API_KEY = process.env.RUNPOD_API_KEY;
const ENDPOINT_ID = "ENDPOINT_ID";
const CHIRP_BASE_URL = ${literal(baseUrl)};
const CHIRP_WEBHOOK_KEY = ${webhookKey};
const CHIRP_API_KEY = ${apiKey};

// RunPod calls the webhook URL when the job finishes, which closes the card.
const run = await fetch(\`${RUNPOD_API_BASE}/\${ENDPOINT_ID}/run\`, {
  method: "POST",
  headers: { Authorization: \`Bearer \${RUNPOD_API_KEY}\`, "Content-Type": "application/json" },
  body: JSON.stringify({
    input: { prompt: "..." },
    webhook: \`\${CHIRP_BASE_URL}/v1/webhooks/runpod?key=\${CHIRP_WEBHOOK_KEY}\`,
  }),
});
if (!run.ok) throw new Error(\`RunPod /run failed: \${run.status} \${await run.text()}\`);
const { id: jobId } = await run.json();

// Opens the card for the job.
const start = await fetch(\`\${CHIRP_BASE_URL}/v1/activity/start\`, {
  method: "POST",
  headers: { Authorization: \`Bearer \${CHIRP_API_KEY}\`, "Content-Type": "application/json" },
  body: JSON.stringify({
    schema_id: "@runpod",
    data: { key: jobId, jobName: "my-first-job", endpoint: ENDPOINT_ID },
  }),
});
if (!start.ok) throw new Error(\`Chirp activity/start failed: \${start.status} \${await start.text()}\`);
console.log("Opened a card for job", jobId);
`;
}
