/**
 * The admin command line: `npm run chirp -- help` lists the commands. It runs under tsx,
 * which resolves the `@/` imports from tsconfig.json.
 */
import { createRequire } from "node:module";

// @next/env is a bundled CommonJS module whose named exports Node's ESM loader cannot see.
const { loadEnvConfig } = createRequire(import.meta.url)("@next/env") as typeof import("@next/env");

// Read .env files as `next start` does, so the commands reach the server's database.
// Variables already set in the environment win.
loadEnvConfig(process.cwd(), false, {
  info: () => {},
  error: (...args: unknown[]) => console.error(...args),
});

// stdout carries only command output (a script captures a new key from it), so logs go to
// stderr, and only warnings and errors unless LOG_LEVEL is set. The logger reads these
// when its module loads, hence the dynamic imports below.
process.env.LOG_DESTINATION = "stderr";
// The watchdog is a long-running worker whose log is its output: one line per poll.
process.env.LOG_LEVEL ??= process.argv[2] === "watchdog" ? "info" : "warn";

const { runCli } = await import("./run");
const { promptPassword } = await import("./password");
const { closeDb } = await import("@/lib/db/client");

let exitCode = await runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  readPassword: process.stdin.isTTY
    ? (prompt) => promptPassword(prompt, process.stdin, process.stderr)
    : undefined,
});

// Closing ends the pool (so the process can exit) and releases the embedded database's lock.
try {
  await closeDb();
} catch (error) {
  process.stderr.write(
    `Could not close the database: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  exitCode ||= 1;
}
process.exitCode = exitCode;
