import { runDemo } from "./demo";
import { countStatusPoll, listenProblem } from "./demo-checks";
import { readDemoConfig } from "./demo-config";
import { type RunpodSimulator, startRunpodSimulator } from "./simulator";

/**
 * `npm run demo`: reads the environment, starts the RunPod simulator and runs the demo
 * (see demo.ts). Exits 0 when every job's card closed as planned, 130 when interrupted,
 * and 1 otherwise.
 *
 * Environment: CHIRP_API_KEY (chirp_api_...), CHIRP_WEBHOOK_KEY (chirp_wh_...),
 * CHIRP_BASE_URL (default http://127.0.0.1:3000) and CHIRP_SIMULATOR_PORT (default: a free
 * port, and the job whose webhook is lost is left out).
 */

async function main(): Promise<number> {
  const config = readDemoConfig(process.env);
  if (Array.isArray(config)) {
    console.error(config.join("\n"));
    return 1;
  }

  const statusPolls = new Map<string, number>();
  let simulator: RunpodSimulator;
  try {
    simulator = await startRunpodSimulator({
      host: "127.0.0.1",
      port: config.simulatorPort,
      webhookRetryDelayMs: 2000,
      onLog: (line) => countStatusPoll(statusPolls, line),
    });
  } catch (error) {
    const problem = listenProblem(error, config.simulatorPort);
    if (problem === undefined) throw error;
    console.error(problem);
    return 1;
  }

  // The first interrupt lets the demo close the cards it opened, and a second one quits at once.
  const interrupt = new AbortController();
  const stop = () => {
    if (interrupt.signal.aborted) {
      console.error("Interrupted again, quitting without closing the cards.");
      process.exit(130);
    }
    console.error("\nInterrupted, stopping the demo. Interrupt again to quit at once.");
    interrupt.abort();
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);

  try {
    return await runDemo({
      config,
      simulator,
      statusPolls,
      output: console,
      interrupt: interrupt.signal,
    });
  } finally {
    await simulator.close();
  }
}

main().then(
  (exitCode) => process.exit(exitCode),
  (error: unknown) => {
    console.error("The demo failed:", error);
    process.exit(1);
  },
);
