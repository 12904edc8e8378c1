import { parseArgs } from "node:util";
import { startRunpodSimulator } from "./simulator";

/**
 * Runs the RunPod simulator on 127.0.0.1 until SIGINT or SIGTERM:
 *
 *   tsx lib/runpod/simulator-cli.ts [--port 8188] [--retry-delay-ms 10000] [--api-key KEY]
 */

const USAGE = `Usage: tsx lib/runpod/simulator-cli.ts [options]

Starts a RunPod serverless API simulator on 127.0.0.1 and logs one line per request,
status change and webhook attempt to stderr.

Options:
  --port N             TCP port to listen on (default 8188, 0 picks a free port)
  --retry-delay-ms N   delay between webhook attempts in milliseconds (default 10000)
  --retention-ms N     how long finished /run jobs stay readable, in milliseconds
                       (default 1800000, 30 minutes)
  --api-key KEY        accept only this API key (default: any non-empty key)
  -h, --help           show this help`;

class UsageError extends Error {}

function parseWholeNumber(
  flag: string,
  value: string,
  min: number,
  max: number,
  hint: string,
): number {
  const number = Number(value);
  if (value.trim() === "" || !Number.isInteger(number) || number < min || number > max) {
    throw new UsageError(`${flag} ${value} is invalid. ${hint}`);
  }
  return number;
}

function parseOptions(args: string[]) {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(args);
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values } = parsed;
  const port = parseWholeNumber(
    "--port",
    values.port,
    0,
    65_535,
    "Use a whole number from 0 to 65535, or 0 for a free port.",
  );
  const webhookRetryDelayMs = parseWholeNumber(
    "--retry-delay-ms",
    values["retry-delay-ms"],
    0,
    2_147_483_647,
    "Use a whole number of milliseconds, such as 10000 for RunPod's 10 s.",
  );
  const retentionMs = parseWholeNumber(
    "--retention-ms",
    values["retention-ms"],
    0,
    Number.MAX_SAFE_INTEGER,
    "Use a whole number of milliseconds, such as 1800000 for 30 minutes.",
  );
  const apiKey = values["api-key"];
  if (apiKey !== undefined && apiKey.trim() === "") {
    throw new UsageError(
      "--api-key is empty. Pass a non-empty key, or leave the flag out to accept any key.",
    );
  }
  return { help: values.help, port, webhookRetryDelayMs, retentionMs, apiKey };
}

function parse(args: string[]) {
  return parseArgs({
    args,
    strict: true,
    allowPositionals: false,
    options: {
      port: { type: "string", default: "8188" },
      "retry-delay-ms": { type: "string", default: "10000" },
      "retention-ms": { type: "string", default: "1800000" },
      "api-key": { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
}

async function main(): Promise<void> {
  let options: ReturnType<typeof parseOptions>;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`${error.message}\nRun with --help to see the options.`);
    process.exit(2);
  }
  if (options.help) {
    console.log(USAGE);
    return;
  }

  let simulator: Awaited<ReturnType<typeof startRunpodSimulator>>;
  try {
    simulator = await startRunpodSimulator({
      port: options.port,
      host: "127.0.0.1",
      apiKey: options.apiKey,
      webhookRetryDelayMs: options.webhookRetryDelayMs,
      retentionMs: options.retentionMs,
      onLog: (line) => process.stderr.write(`${new Date().toISOString()} ${line}\n`),
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE") {
      console.error(
        `Port ${options.port} on 127.0.0.1 is already in use. Stop the other process or pass --port with another port (0 picks a free one).`,
      );
      process.exit(1);
    }
    throw error;
  }

  console.log(`RunPod simulator listening on ${simulator.url}`);
  console.log(`Submit a job: curl -X POST ${simulator.url}/v2/<14-character endpoint id>/run \\`);
  console.log(
    `  -H 'Authorization: Bearer ${options.apiKey === undefined ? "any-key" : "<api key>"}' \\`,
  );
  console.log(`  -d '{"input": {"prompt": "hello", "simulate": {"outcome": "COMPLETED"}}}'`);

  const stop = (signal: NodeJS.Signals) => {
    console.error(`Received ${signal}, closing the simulator.`);
    simulator.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error("Closing the simulator failed:", error);
        process.exit(1);
      },
    );
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((error: unknown) => {
  console.error("The RunPod simulator failed to start:", error);
  process.exit(1);
});
