import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, mkdirSync, openSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";

/**
 * Builds the app and runs `next start` for the end-to-end tests and the benchmark. The
 * server runs in its own process group: `next start` forks a `next-server` child that
 * outlives its parent when only the parent is killed, so it is stopped by group id.
 */

export const REPO_ROOT = path.resolve(import.meta.dirname, "../..");
const NEXT_BIN = path.join(REPO_ROOT, "node_modules", "next", "dist", "bin", "next");

export const LOOPBACK_HOST = "127.0.0.1";

/** Returns the last `lineCount` lines of a log file, or a note when it cannot be read. */
export function tailOfLog(file: string, lineCount = 80): string {
  try {
    const lines = readFileSync(file, "utf8").trimEnd().split("\n");
    return lines.slice(-lineCount).join("\n");
  } catch (error) {
    return `(could not read ${file}: ${(error as Error).message})`;
  }
}

function openLog(file: string): number {
  mkdirSync(path.dirname(file), { recursive: true });
  return openSync(file, "w");
}

/** Settings for every Next process started here; telemetry would send data off the machine. */
function nextEnvironment(extra: Record<string, string>): NodeJS.ProcessEnv {
  return { ...process.env, NEXT_TELEMETRY_DISABLED: "1", ...extra };
}

/** Runs `next build`, writing its output to `logFile`; throws with the log's tail on failure. */
export async function buildApp({ logFile }: { logFile: string }): Promise<void> {
  const log = openLog(logFile);
  const started = Date.now();
  const child = spawn(process.execPath, [NEXT_BIN, "build"], {
    cwd: REPO_ROOT,
    env: nextEnvironment({}),
    stdio: ["ignore", log, log],
  });
  const exitCode = await new Promise<number | null>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) => resolve(code));
  }).finally(() => closeSync(log));
  if (exitCode !== 0) {
    throw new Error(
      `next build failed with exit code ${exitCode}; its output is in ${logFile}:\n${tailOfLog(logFile)}`,
    );
  }
  console.log(`Built the app in ${Math.round((Date.now() - started) / 1000)} s (log: ${logFile}).`);
}

/** Rejects when something already listens on the port, so a stray server is never tested. */
async function assertPortFree(port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once("error", (error: NodeJS.ErrnoException) => {
      reject(
        error.code === "EADDRINUSE"
          ? new Error(
              `Port ${port} on ${LOOPBACK_HOST} is already in use. Stop the process that listens there (ss -ltnp 'sport = :${port}') and run again.`,
            )
          : error,
      );
    });
    probe.listen(port, LOOPBACK_HOST, () => probe.close(() => resolve()));
  });
}

function groupIsRunning(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
  }
}

/** Sends SIGTERM to the group, then SIGKILL to whatever still runs after `graceMs`. */
export async function stopProcessGroup(pgid: number, graceMs = 5000): Promise<void> {
  signalGroup(pgid, "SIGTERM");
  const deadline = Date.now() + graceMs;
  while (groupIsRunning(pgid) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (groupIsRunning(pgid)) signalGroup(pgid, "SIGKILL");
}

export interface NextServer {
  readonly url: string;
  readonly pid: number;
  readonly logFile: string;
  /** Stops the server's whole process group. Safe to call more than once. */
  stop(): Promise<void>;
}

export interface StartOptions {
  port: number;
  /** Variables added to this process's environment; `undefined` removes one. */
  env: Record<string, string | undefined>;
  logFile: string;
  /** How long to wait for `GET /v1/ping` to return 200, in ms. */
  readyTimeoutMs?: number;
}

/**
 * Starts `next start` on the loopback address and resolves once `/v1/ping` returns 200.
 * The build must exist. The server's stdout and stderr go to `logFile`.
 */
export async function startNextServer(options: StartOptions): Promise<NextServer> {
  const { port, logFile, readyTimeoutMs = 60_000 } = options;
  await assertPortFree(port);

  const env = nextEnvironment({});
  for (const [name, value] of Object.entries(options.env)) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }

  const log = openLog(logFile);
  let child: ChildProcess;
  try {
    child = spawn(process.execPath, [NEXT_BIN, "start", "-H", LOOPBACK_HOST, "-p", String(port)], {
      cwd: REPO_ROOT,
      env,
      detached: true,
      stdio: ["ignore", log, log],
    });
  } finally {
    closeSync(log);
  }
  const pid = child.pid;
  if (pid === undefined) throw new Error(`Could not start next start; see ${logFile}.`);

  // A runner that exits without its teardown (a crash, an uncaught error) still takes the
  // server down with it.
  const killOnExit = () => signalGroup(pid, "SIGKILL");
  process.once("exit", killOnExit);

  let exited: string | undefined;
  child.once("exit", (code, signal) => {
    exited = signal ? `was killed by ${signal}` : `exited with code ${code}`;
  });

  let stopping: Promise<void> | undefined;
  const url = `http://${LOOPBACK_HOST}:${port}`;
  const server: NextServer = {
    url,
    pid,
    logFile,
    stop() {
      stopping ??= stopProcessGroup(pid).finally(() => process.off("exit", killOnExit));
      return stopping;
    },
  };

  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (exited) {
      await server.stop();
      throw new Error(
        `next start ${exited} before it responded; log ${logFile}:\n${tailOfLog(logFile)}`,
      );
    }
    try {
      const response = await fetch(`${url}/v1/ping`, { signal: AbortSignal.timeout(2000) });
      if (response.ok) return server;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await server.stop();
      throw new Error(
        `next start did not answer GET ${url}/v1/ping within ${readyTimeoutMs} ms; log ${logFile}:\n${tailOfLog(logFile)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
