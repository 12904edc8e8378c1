import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestAccount, postActivity, runpodStart } from "@/lib/testing/fixtures";
import { saveConnection } from "./connection";
import { type RunpodSimulator, startRunpodSimulator } from "./simulator";

/**
 * Two `npm run chirp -- watchdog` workers on one Postgres: each overdue job must be
 * polled once per interval, never by both workers at once. Only the node-postgres run
 * starts workers, because PGlite allows one process and the Neon run would repeat it.
 */

const ENDPOINT = "wdog1workers01";
const RUNPOD_API_KEY = "rpa_WORKERSTESTKEY0003";
const INTERVAL_SECONDS = 1;
const JOBS = 6;
const WATCH_MS = 4500;

interface Worker {
  child: ChildProcess;
  output: string[];
}

let simulator: RunpodSimulator;
const polls: Array<{ jobId: string; at: number }> = [];

beforeAll(async () => {
  simulator = await startRunpodSimulator({
    apiKey: RUNPOD_API_KEY,
    onLog: (line) => {
      const match = /^GET \/v2\/[a-z0-9]+\/status\/(\S+) /.exec(line);
      if (match) polls.push({ jobId: match[1]!, at: Date.now() });
    },
  });
  process.env.CHIRP_RUNPOD_BASE_URL = simulator.url;
});

afterAll(async () => {
  delete process.env.CHIRP_RUNPOD_BASE_URL;
  await simulator.close();
});

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function startWorker(accountId: string): Worker {
  const root = path.resolve(import.meta.dirname, "../..");
  const child = spawn(
    path.join(root, "node_modules/.bin/tsx"),
    ["lib/cli/chirp.ts", "watchdog", "--account", accountId],
    {
      cwd: root,
      // Its own process group, so stopping it also stops the node process tsx starts.
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        ...process.env,
        CHIRP_DB_DRIVER: "postgres",
        CHIRP_RUNPOD_BASE_URL: simulator.url,
        CHIRP_WATCHDOG_TICK_SECONDS: "0.1",
        CHIRP_WATCHDOG_BACKOFF_SECONDS: String(INTERVAL_SECONDS),
        CHIRP_WATCHDOG_MAX_BACKOFF_SECONDS: String(INTERVAL_SECONDS),
        LOG_LEVEL: "info",
        NODE_ENV: "production",
      },
    },
  );
  const output: string[] = [];
  child.stdout?.on("data", (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => output.push(chunk.toString()));
  return { child, output };
}

async function stopWorker(worker: Worker): Promise<void> {
  if (worker.child.exitCode !== null || worker.child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => worker.child.once("exit", () => resolve()));
  process.kill(-worker.child.pid, "SIGTERM");
  await exited;
}

async function waitForOutput(worker: Worker, text: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!worker.output.join("").includes(text)) {
    if (worker.child.exitCode !== null) {
      throw new Error(`worker exited with ${worker.child.exitCode}: ${worker.output.join("")}`);
    }
    if (Date.now() > deadline) throw new Error(`worker printed no "${text}" in ${timeoutMs} ms`);
    await sleep(100);
  }
}

describe.skipIf(process.env.CHIRP_DB_DRIVER !== "postgres")("watchdog workers", () => {
  it("two workers poll each overdue job once per interval", async () => {
    const { account, apiKey } = await createTestAccount();
    await saveConnection({ accountId: account.id, apiKey: RUNPOD_API_KEY, endpointId: ENDPOINT });
    const workers = [startWorker(account.id), startWorker(account.id)];
    try {
      await Promise.all(workers.map((worker) => waitForOutput(worker, "Watchdog running")));

      const jobIds: string[] = [];
      for (let index = 0; index < JOBS; index++) {
        const response = await fetch(`${simulator.url}/v2/${ENDPOINT}/run`, {
          method: "POST",
          headers: { Authorization: `Bearer ${RUNPOD_API_KEY}` },
          body: JSON.stringify({
            input: { simulate: { queueMs: 10, statusSequence: ["IN_PROGRESS"] } },
          }),
        });
        const { id } = (await response.json()) as { id: string };
        jobIds.push(id);
        // CHIRP_WATCHDOG_AFTER_SECONDS in this process makes the cards due at once.
        process.env.CHIRP_WATCHDOG_AFTER_SECONDS = "0.01";
        const started = await postActivity(
          "start",
          apiKey,
          runpodStart(id, { endpoint: ENDPOINT }),
        );
        expect(started.status).toBe(201);
      }
      await sleep(WATCH_MS);

      for (const jobId of jobIds) {
        const times = polls.filter((poll) => poll.jobId === jobId).map((poll) => poll.at);
        expect(times.length, `polls of ${jobId}`).toBeGreaterThanOrEqual(2);
        // At most one poll per started interval, plus the first one.
        expect(times.length, `polls of ${jobId}`).toBeLessThanOrEqual(
          Math.ceil(WATCH_MS / (INTERVAL_SECONDS * 1000)) + 1,
        );
        for (let index = 1; index < times.length; index++) {
          const gap = times[index]! - times[index - 1]!;
          // Two workers claiming one due card would poll it twice within milliseconds. The
          // margin covers the time between a claim and its request, which is longest for a
          // worker's first poll.
          expect(gap, `gap between polls of ${jobId}`).toBeGreaterThanOrEqual(
            (INTERVAL_SECONDS * 1000) / 2,
          );
        }
      }
    } finally {
      delete process.env.CHIRP_WATCHDOG_AFTER_SECONDS;
      await Promise.all(workers.map(stopWorker));
    }
  }, 120_000);
});
