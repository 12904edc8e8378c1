import { existsSync, statSync } from "node:fs";
import type { FullResult, Reporter } from "@playwright/test/reporter";
import { SERVER_LOG } from "./environment";
import { tailOfLog } from "./next-server";

/** Prints the end of the server's log when the run did not pass, so CI output explains it. */
export default class ServerLogReporter implements Reporter {
  private readonly startedAt = Date.now();

  onEnd(result: FullResult): void {
    if (result.status === "passed") return;
    // A log left by an earlier run would mislead, because the server did not start in this one.
    if (!existsSync(SERVER_LOG) || statSync(SERVER_LOG).mtimeMs < this.startedAt) return;
    console.log(`\nEnd of the server log (${SERVER_LOG}):\n${tailOfLog(SERVER_LOG, 150)}\n`);
  }

  printsToStdio(): boolean {
    return false;
  }
}
