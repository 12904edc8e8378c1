import type { RunpodSimulator } from "@/lib/runpod/simulator";
import { ENDPOINT_ID } from "./chirp-api";

/** Submits jobs to the RunPod simulator the way a user's script submits them to RunPod. */

export const SIMULATOR_API_KEY = "e2e-runpod-api-key";

/** The scripted life of a simulated job; see the simulator's documentation of `input.simulate`. */
export interface Simulate {
  outcome?: "COMPLETED" | "FAILED" | "TIMED_OUT" | "CANCELLED";
  queueMs?: number;
  runMs?: number;
  output?: unknown;
  error?: string;
  dropWebhooks?: number;
}

/** `POST /v2/<endpoint_id>/run` with a webhook URL; returns RunPod's job id. */
export async function submitJob(
  simulator: RunpodSimulator,
  { webhook, simulate }: { webhook: string; simulate: Simulate },
): Promise<string> {
  const response = await fetch(`${simulator.url}/v2/${ENDPOINT_ID}/run`, {
    method: "POST",
    headers: { authorization: `Bearer ${SIMULATOR_API_KEY}`, "content-type": "application/json" },
    body: JSON.stringify({ input: { prompt: "a lighthouse at dusk", simulate }, webhook }),
  });
  const text = await response.text();
  if (response.status !== 200) {
    throw new Error(`The RunPod simulator rejected /run with ${response.status}: ${text}`);
  }
  const { id, status } = JSON.parse(text) as { id: string; status: string };
  if (status !== "IN_QUEUE") throw new Error(`/run answered status ${status}, expected IN_QUEUE`);
  return id;
}
