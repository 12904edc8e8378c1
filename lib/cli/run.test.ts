import { describe, expect, it } from "vitest";
import type { CliIo } from "./commands";
import { runCli } from "./run";

// These command lines fail or finish before any database access, so they need none.
function capture(env: Record<string, string | undefined> = {}) {
  const out = { stdout: "", stderr: "" };
  const io: CliIo = {
    stdout: (text) => {
      out.stdout += text;
    },
    stderr: (text) => {
      out.stderr += text;
    },
    env,
    readPassword: undefined,
  };
  return { io, out };
}

describe("runCli without a database", () => {
  it("prints usage for help with status 0", async () => {
    const { io, out } = capture();
    expect(await runCli(["help"], io)).toBe(0);
    for (const command of [
      "user add EMAIL",
      "key add --user EMAIL",
      "key list",
      "key revoke KEY_ID",
    ]) {
      expect(out.stdout).toContain(command);
    }
    expect(out.stdout).toContain("CHIRP_PASSWORD");
    expect(out.stderr).toBe("");
  });

  it("prints usage without arguments", async () => {
    const { io, out } = capture();
    expect(await runCli([], io)).toBe(0);
    expect(out.stdout).toMatch(/^Chirp admin command line/);
  });

  it("exits 2 with one line and the help hint", async () => {
    const { io, out } = capture();
    expect(await runCli(["key", "add", "--user", "a@b.co", "--kind", "web"], io)).toBe(2);
    expect(out.stdout).toBe("");
    expect(out.stderr).toBe(
      "--kind web is not a key kind; use --kind webhook (for the RunPod webhook URL) or --kind api (for the activity API). Run `npm run chirp -- help` for all commands and options.\n",
    );
  });

  it("exits 2 asking for CHIRP_PASSWORD when no terminal", async () => {
    const { io, out } = capture({});
    expect(await runCli(["user", "add", "ada@example.com"], io)).toBe(2);
    expect(out.stderr).toMatch(/^CHIRP_PASSWORD is not set and stdin is not a terminal/);
    expect(out.stderr.trimEnd().split("\n")).toHaveLength(1);
  });
});
