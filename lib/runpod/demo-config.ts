/**
 * Configuration of `npm run demo`: the RunPod jobs with their scripted outcomes, and
 * the Chirp URL and keys read from the environment.
 */

export const DEFAULT_CHIRP_BASE_URL = "http://127.0.0.1:3000";
const IMAGE_ENDPOINT = "sdxl4turbo8k2m";
const TEXT_ENDPOINT = "llm7batch3q9xz";

export interface DemoConfig {
  /** Port of the in-process RunPod simulator on 127.0.0.1; 0 picks a free one. */
  simulatorPort: number;
  chirpUrl: string;
  apiKey: string;
  webhookKey: string;
}

export interface DemoJob {
  jobName: string;
  endpointId: string;
  /** Delay after the demo starts before the job is submitted. */
  submitAfterMs: number;
  prompt: string;
  simulate: Record<string, unknown>;
  policy?: { executionTimeout: number };
  gpuType: string;
  /** Cancel the job through RunPod's cancel route after it has run this long. */
  cancelAfterRunningMs?: number;
  /** Every webhook attempt is lost, so Chirp's watchdog must close the card. */
  closedByWatchdog?: boolean;
  /**
   * The key the script opens the card under, in place of RunPod's job id: the mistake
   * that gives a job two cards, because the webhook opens another under the job id.
   */
  cardKey?: string;
}

/** The endpoint whose /health the demo's RunPod connection is tested against. */
export const DEMO_CONNECTION_ENDPOINT = IMAGE_ENDPOINT;
/** The made-up RunPod API key that the demo saves, which its simulator accepts like any key. */
export const DEMO_RUNPOD_API_KEY = "demo-runpod-key";

// A run name per demo run, so that every run opens a new card under it.
const RUN_STAMP = new Date().toISOString().replace(/\D/g, "").slice(0, 14);

export const DEMO_JOBS: DemoJob[] = [
  {
    jobName: "sdxl-lighthouse-at-dusk",
    endpointId: IMAGE_ENDPOINT,
    submitAfterMs: 0,
    prompt: "a lighthouse at dusk, volumetric light, 35mm",
    // The first webhook attempt is lost, so RunPod's retry closes the card.
    simulate: {
      outcome: "COMPLETED",
      queueMs: 3000,
      runMs: 8000,
      dropWebhooks: 1,
      output: { images: ["lighthouse-at-dusk-0.png"], seed: 421337 },
    },
    gpuType: "NVIDIA A100 80GB",
  },
  {
    jobName: "whisper-podcast-episode-112",
    endpointId: TEXT_ENDPOINT,
    submitAfterMs: 2000,
    prompt: "transcribe s3://podcasts/episode-112.mp3",
    // RunPod reports COMPLETED without output when the handler returned an error.
    simulate: { outcome: "COMPLETED", queueMs: 1500, runMs: 5000, output: null },
    gpuType: "NVIDIA L40S",
  },
  {
    jobName: "llama-summarize-batch-07",
    endpointId: TEXT_ENDPOINT,
    submitAfterMs: 4000,
    prompt: "summarize batch 07 of the support tickets",
    simulate: {
      outcome: "FAILED",
      queueMs: 2000,
      runMs: 4000,
      error: JSON.stringify({
        error_type: "<class 'torch.OutOfMemoryError'>",
        error_message: "CUDA out of memory. Tried to allocate 2.00 GiB",
        error_traceback: "Traceback (most recent call last): ...",
        runpod_version: "1.7.0",
      }),
    },
    gpuType: "NVIDIA RTX 4090",
  },
  {
    jobName: "flux-product-shots-v3",
    endpointId: IMAGE_ENDPOINT,
    submitAfterMs: 6000,
    prompt: "studio product shots of a ceramic mug, white background",
    // The handler would run 30 s, but the execution timeout ends it as TIMED_OUT after 7 s.
    simulate: { queueMs: 1000, runMs: 30_000 },
    policy: { executionTimeout: 7000 },
    gpuType: "NVIDIA A100 80GB",
  },
  {
    jobName: "upscale-archive-scan-19",
    endpointId: IMAGE_ENDPOINT,
    submitAfterMs: 8000,
    prompt: "upscale archive scan 19 to 4x",
    simulate: { queueMs: 1000, runMs: 30_000 },
    gpuType: "NVIDIA H100 80GB HBM3",
    cancelAfterRunningMs: 3000,
  },
  {
    jobName: "tts-audiobook-chapter-4",
    endpointId: TEXT_ENDPOINT,
    submitAfterMs: 10_000,
    prompt: "narrate chapter 4 of the audiobook",
    // The first worker crashes, RunPod re-queues the job, and a second worker completes it.
    simulate: {
      queueMs: 1500,
      runMs: 3000,
      statusSequence: ["IN_PROGRESS", "IN_QUEUE", "IN_PROGRESS", "COMPLETED"],
      output: { audio: "chapter-4.wav", durationSeconds: 1864 },
    },
    gpuType: "NVIDIA L40S",
  },
  {
    jobName: `caption-run-${RUN_STAMP}`,
    endpointId: TEXT_ENDPOINT,
    submitAfterMs: 11_000,
    prompt: "caption the night's photo uploads",
    // The script opens the card under its own run name, so the webhook, which carries only
    // the job id, opens a second card. The Duplicates page pairs and merges them.
    simulate: { outcome: "COMPLETED", queueMs: 1000, runMs: 3000, output: { captions: 48 } },
    gpuType: "NVIDIA L4",
    cardKey: `caption-run-${RUN_STAMP}`,
  },
  {
    jobName: "render-lost-webhook-12",
    endpointId: IMAGE_ENDPOINT,
    submitAfterMs: 12_000,
    prompt: "render frame 12 of the product video",
    // RunPod gives up after three failed attempts. The execution timeout, sent with the
    // card's start, is the deadline after which the watchdog polls /status.
    simulate: { queueMs: 1000, runMs: 3000, dropWebhooks: 3 },
    policy: { executionTimeout: 10_000 },
    gpuType: "NVIDIA A100 80GB",
    closedByWatchdog: true,
  },
];

/** Returns the configuration, or the lines that explain how to fix the environment. */
export function readDemoConfig(env: NodeJS.ProcessEnv): DemoConfig | string[] {
  const chirpUrl = (env.CHIRP_BASE_URL?.trim() || DEFAULT_CHIRP_BASE_URL).replace(/\/+$/, "");
  const problems: string[] = [];
  const urlIsValid = URL.canParse(chirpUrl) && /^https?:$/.test(new URL(chirpUrl).protocol);
  if (!urlIsValid) {
    problems.push(
      `CHIRP_BASE_URL=${chirpUrl} is not an http or https URL. Set it to Chirp's base URL, such as ${DEFAULT_CHIRP_BASE_URL}.`,
    );
  }

  const apiKey = env.CHIRP_API_KEY?.trim() ?? "";
  const webhookKey = env.CHIRP_WEBHOOK_KEY?.trim() ?? "";
  for (const [name, value, prefix] of [
    ["CHIRP_API_KEY", apiKey, "chirp_api_"],
    ["CHIRP_WEBHOOK_KEY", webhookKey, "chirp_wh_"],
  ] as const) {
    if (value === "") problems.push(`${name} is not set.`);
    else if (!value.startsWith(prefix)) problems.push(`${name} does not start with ${prefix}.`);
  }
  const portText = env.CHIRP_SIMULATOR_PORT?.trim() ?? "";
  const simulatorPort = portText === "" ? 0 : Number(portText);
  if (!Number.isInteger(simulatorPort) || simulatorPort < 0 || simulatorPort > 65535) {
    problems.push(
      `CHIRP_SIMULATOR_PORT=${portText} is not a port number; use 1 to 65535, or unset it for a free port.`,
    );
  }
  if (problems.length === 0) return { chirpUrl, apiKey, webhookKey, simulatorPort };

  const signUpUrl = urlIsValid ? chirpUrl : DEFAULT_CHIRP_BASE_URL;
  return [
    ...problems,
    "",
    "The demo needs two keys from your Chirp account:",
    `  1. Start Chirp and sign up at ${signUpUrl}.`,
    `  2. Open ${signUpUrl}/keys and create an "API key" (it starts with chirp_api_)`,
    `     and a "Webhook key" (it starts with chirp_wh_). Each key is shown only once.`,
    "  3. Run: CHIRP_API_KEY=chirp_api_... CHIRP_WEBHOOK_KEY=chirp_wh_... npm run demo",
    "",
    `Set CHIRP_BASE_URL when Chirp does not run at ${DEFAULT_CHIRP_BASE_URL}.`,
  ];
}
