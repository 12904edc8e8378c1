import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  activityStartExample,
  demoCommand,
  javascriptSetupExample,
  proxyRunExample,
  pythonSetupExample,
  runpodRunExample,
  type SetupSnippetInput,
  webhookUrl,
} from "./examples";

const RUNPOD_RUN_URL_START = "https://api.runpod.ai/v2/";
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

describe("proxyRunExample", () => {
  it("submits through Chirp without a webhook", () => {
    const example = proxyRunExample("http://127.0.0.1:3000", apiKey);
    expect(example).toMatch(/^curl http:\/\/127\.0\.0\.1:3000\/v1\/runpod\/ENDPOINT_ID\/run \\$/m);
    expect(example).toContain(`-H "Authorization: Bearer ${apiKey}"`);
    expect(example).toContain(`-H "X-Chirp-Job-Name: my-first-job"`);
    expect(curlBody(example)).toEqual({ input: { prompt: "..." } });
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

const snippetDir = mkdtempSync(path.join(tmpdir(), "chirp-snippets-"));
afterAll(() => rmSync(snippetDir, { recursive: true, force: true }));

/** Writes `source` to a file and runs a syntax check on it; the check throws on an error. */
function checkSyntax(source: string, fileName: string, command: string, args: string[]): void {
  const file = path.join(snippetDir, fileName);
  writeFileSync(file, source);
  execFileSync(command, [...args, file], { stdio: "pipe" });
}

const BASE_URL = "https://chirp.example.com";
const setups: { name: string; input: SetupSnippetInput; otherKeyVariable: string }[] = [
  {
    name: "webhook key",
    input: { baseUrl: BASE_URL, kind: "webhook", key: webhookKey },
    otherKeyVariable: "CHIRP_API_KEY",
  },
  {
    name: "API key",
    input: { baseUrl: BASE_URL, kind: "api", key: apiKey },
    otherKeyVariable: "CHIRP_WEBHOOK_KEY",
  },
];

const CHIRP_KEY_PATTERN = /chirp_(?:wh|api)_\w+/g;

describe.each(setups)("setup examples for a new $name", ({ input, otherKeyVariable }) => {
  const examples = [
    { language: "Python", source: pythonSetupExample(input) },
    { language: "JavaScript", source: javascriptSetupExample(input) },
  ];

  it.each(examples)("$language contains the base URL and the key", ({ source }) => {
    expect(source).toContain(`CHIRP_BASE_URL = "${BASE_URL}"`);
    expect(source).toContain(`"${input.key}"`);
    expect(source).toContain("/v1/activity/start");
    expect(source).toContain("/v1/webhooks/runpod?key=");
    expect(source).toContain(`${RUNPOD_RUN_URL_START}`);
  });

  it.each(examples)("$language reads every other secret from the environment", ({ source }) => {
    expect(source.match(CHIRP_KEY_PATTERN)).toEqual([input.key]);
    expect(source).toMatch(
      new RegExp(`\\b${otherKeyVariable}\\b.*environ|env\\.${otherKeyVariable}`),
    );
    expect(source).toMatch(
      /RUNPOD_API_KEY = (os\.environ\["RUNPOD_API_KEY"\]|process\.env\.RUNPOD_API_KEY)/,
    );
  });

  it("Python compiles", () => {
    checkSyntax(pythonSetupExample(input), `setup-${input.kind}.py`, "python3", [
      "-m",
      "py_compile",
    ]);
  });

  it("JavaScript passes node --check", () => {
    checkSyntax(javascriptSetupExample(input), `setup-${input.kind}.mjs`, process.execPath, [
      "--check",
    ]);
  });
});

describe("setup examples with an unusual base URL", () => {
  // Quotes and backslashes must stay inside the string literal instead of ending it.
  const input: SetupSnippetInput = {
    baseUrl: 'https://chirp.example.com/a"b\\c',
    kind: "webhook",
    key: webhookKey,
  };

  it("Python still compiles", () => {
    checkSyntax(pythonSetupExample(input), "unusual.py", "python3", ["-m", "py_compile"]);
  });

  it("JavaScript still passes node --check", () => {
    checkSyntax(javascriptSetupExample(input), "unusual.mjs", process.execPath, ["--check"]);
  });
});
