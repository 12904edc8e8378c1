import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { closeDb, getDb } from "./client";

describe("embedded database folder lock", () => {
  let holder: ChildProcess | undefined;

  afterEach(async () => {
    holder?.kill();
    holder = undefined;
    await closeDb();
    delete process.env.CHIRP_DATA_DIR;
  });

  function makeFreshFolder(): string {
    const folder = mkdtempSync(path.join(tmpdir(), "chirp-lock-"));
    process.env.CHIRP_DATA_DIR = folder;
    return folder;
  }

  it("folder held by a running process fails at once", async () => {
    const folder = makeFreshFolder();
    holder = spawn("sleep", ["60"], { stdio: "ignore" });
    writeFileSync(path.join(folder, "pglite.lock"), String(holder.pid));

    await expect(getDb()).rejects.toThrow(
      new RegExp(`in use by process ${holder.pid}.*point DATABASE_URL at a Postgres server`),
    );
  });

  it("lock left by a stopped process is taken over", async () => {
    const folder = makeFreshFolder();
    const stopped = spawn("true");
    await new Promise((resolve) => stopped.once("exit", resolve));
    const lockFile = path.join(folder, "pglite.lock");
    writeFileSync(lockFile, String(stopped.pid));

    const db = await getDb();

    expect(db).toBeDefined();
    expect(readFileSync(lockFile, "utf8")).toBe(String(process.pid));
  });

  it("closing the database releases the lock", async () => {
    const folder = makeFreshFolder();
    await getDb();
    const lockFile = path.join(folder, "pglite.lock");
    expect(existsSync(lockFile)).toBe(true);

    await closeDb();

    expect(existsSync(lockFile)).toBe(false);
  });
});
