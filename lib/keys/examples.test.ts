import { describe, expect, it } from "vitest";
import { activityStartExample, demoCommand, runpodRunExample, webhookUrl } from "./examples";

const webhookKey =
  "chirp_wh_3f9a_k7m2q9x4v1b8n3pq_abcdefghijklmnopqrstuvwxyzABCDEF_0123456789abcdef0123456789abcdef";
const apiKey =
  "chirp_api_3f9a_k7m2q9x4v1b8n3pq_abcdefghijklmnopqrstuvwxyzABCDEF_0123456789abcdef0123456789abcdef";

/** Parses the JSON body of a curl example's `-d '…'` line. */
function curlBody(example: string): unknown {
  const match = /-d '(.*)'$/m.exec(example);
  if (!match) throw new Error(`no -d body in:\n${example}`);
  return JSON.parse(match[1]!);
}

describe("webhookUrl", () => {
  it("puts the key in the query", () => {
    expect(webhookUrl("https://chirp.example.com", webhookKey)).toBe(
      `https://chirp.example.com/v1/webhooks/runpod?key=${webhookKey}`,
    );
  });
});

describe("runpodRunExample", () => {
  it("sends the webhook field to RunPod's /run", () => {
    const url = webhookUrl("http://127.0.0.1:3000", webhookKey);
    const example = runpodRunExample(url);
    expect(example).toMatch(/^curl https:\/\/api\.runpod\.ai\/v2\/ENDPOINT_ID\/run \\$/m);
    expect(curlBody(example)).toEqual({ input: { prompt: "..." }, webhook: url });
  });
});

describe("activityStartExample", () => {
  it("opens a @runpod card with the API key", () => {
    const example = activityStartExample("http://127.0.0.1:3000", apiKey);
    expect(example).toMatch(/^curl http:\/\/127\.0\.0\.1:3000\/v1\/activity\/start \\$/m);
    expect(example).toContain(`-H "Authorization: Bearer ${apiKey}"`);
    expect(curlBody(example)).toEqual({
      schema_id: "@runpod",
      data: { key: "JOB_ID", jobName: "my-first-job", endpoint: "ENDPOINT_ID" },
    });
  });
});

describe("demoCommand", () => {
  it("fills in both keys", () => {
    expect(demoCommand({ apiKey, webhookKey })).toBe(
      `CHIRP_API_KEY=${apiKey} CHIRP_WEBHOOK_KEY=${webhookKey} npm run demo`,
    );
  });

  it("uses placeholders for missing keys", () => {
    expect(demoCommand({ webhookKey })).toBe(
      `CHIRP_API_KEY=YOUR_API_KEY CHIRP_WEBHOOK_KEY=${webhookKey} npm run demo`,
    );
    expect(demoCommand({})).toBe(
      "CHIRP_API_KEY=YOUR_API_KEY CHIRP_WEBHOOK_KEY=YOUR_WEBHOOK_KEY npm run demo",
    );
  });
});
