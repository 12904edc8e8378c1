import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

// startServer with the database and the watchdog replaced: the database fails in the
// ways a Postgres server that is down or misconfigured fails, and the test checks what
// the server does with each.

const { getDb, startWatchdog } = vi.hoisted(() => ({
  getDb: vi.fn<() => Promise<unknown>>(),
  startWatchdog: vi.fn(),
}));
vi.mock("@/lib/db/client", () => ({ getDb }));
vi.mock("@/lib/runpod/watchdog", () => ({ startWatchdog }));

import { logger } from "@/lib/log";
import { openDatabaseWithRetries, retryDelayMs, startServer } from "./start";

const DATABASE_URL = "postgres://chirp:s3cret-pass@db.internal:6543/chirp_prod";

function refused(): Error {
  return Object.assign(new Error("connect ECONNREFUSED 10.0.0.5:6543"), { code: "ECONNREFUSED" });
}

function missingDatabase(): Error {
  return Object.assign(new Error('database "chirp_prod" does not exist'), {
    severity: "FATAL",
    code: "3D000",
  });
}

class ExitCalled extends Error {}

const savedEnvironment = {
  DATABASE_URL: process.env.DATABASE_URL,
  CHIRP_DB_DRIVER: process.env.CHIRP_DB_DRIVER,
  CHIRP_WATCHDOG: process.env.CHIRP_WATCHDOG,
};

beforeEach(() => {
  process.env.DATABASE_URL = DATABASE_URL;
  process.env.CHIRP_DB_DRIVER = "postgres";
  delete process.env.CHIRP_WATCHDOG;
  getDb.mockReset();
  startWatchdog.mockReset();
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
  for (const [name, value] of Object.entries(savedEnvironment)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

describe("startServer", () => {
  it("starts the watchdog once the database opens", async () => {
    getDb.mockResolvedValue({});

    await startServer();

    expect(startWatchdog).toHaveBeenCalledTimes(1);
  });

  it("keeps running while the database is unreachable", async () => {
    vi.useFakeTimers();
    const errorLog = vi.spyOn(logger, "error").mockImplementation(() => {});
    const infoLog = vi.spyOn(logger, "info").mockImplementation(() => {});
    vi.spyOn(logger, "warn").mockImplementation(() => {});
    getDb.mockRejectedValueOnce(refused()).mockRejectedValueOnce(refused()).mockResolvedValue({});

    await startServer();

    expect(startWatchdog).not.toHaveBeenCalled();
    expect(errorLog).toHaveBeenCalledTimes(1);
    const [fields, message] = errorLog.mock.calls[0] as unknown as [object, string];
    expect(fields).toMatchObject({
      database: 'database "chirp_prod" on db.internal:6543 as user "chirp"',
    });
    expect(message).toContain(
      'Could not reach database "chirp_prod" on db.internal:6543 as user "chirp": connect ECONNREFUSED 10.0.0.5:6543.',
    );
    expect(message).toContain("API requests return 503 database_unavailable");
    expect(message).not.toContain("s3cret-pass");

    await vi.advanceTimersByTimeAsync(retryDelayMs(1));
    expect(getDb).toHaveBeenCalledTimes(2);
    expect(startWatchdog).not.toHaveBeenCalled();

    await vi.advanceTimersByTimeAsync(retryDelayMs(2));
    expect(getDb).toHaveBeenCalledTimes(3);
    expect(startWatchdog).toHaveBeenCalledTimes(1);
    expect(infoLog).toHaveBeenCalledWith(
      expect.objectContaining({ attempts: 3 }),
      'Connected to database "chirp_prod" on db.internal:6543 as user "chirp" after 3 attempts, and applied the pending migrations.',
    );
  });

  it("exits when the server rejects the connection", async () => {
    const exit = vi.spyOn(process, "exit").mockImplementation(() => {
      throw new ExitCalled();
    });
    const consoleError = vi.spyOn(console, "error").mockImplementation(() => {});
    getDb.mockRejectedValue(missingDatabase());

    await expect(startServer()).rejects.toBeInstanceOf(ExitCalled);

    expect(exit).toHaveBeenCalledWith(1);
    expect(consoleError).toHaveBeenCalledWith(
      'Chirp cannot start: The server rejected the connection to database "chirp_prod" on db.internal:6543 as user "chirp": database "chirp_prod" does not exist (SQLSTATE 3D000). Create the database on the server (createdb), or fix the database name in DATABASE_URL.',
    );
    expect(startWatchdog).not.toHaveBeenCalled();
  });

  it("rethrows an unexpected error", async () => {
    const bug = new TypeError("x is not a function");
    getDb.mockRejectedValue(bug);

    await expect(startServer()).rejects.toBe(bug);
  });
});

describe("openDatabaseWithRetries", () => {
  it("waits longer after each failure", async () => {
    vi.spyOn(logger, "warn").mockImplementation(() => {});
    vi.spyOn(logger, "debug").mockImplementation(() => {});
    for (let failure = 0; failure < 7; failure++) getDb.mockRejectedValueOnce(refused());
    getDb.mockResolvedValue({});
    const waits: number[] = [];

    const attempts = await openDatabaseWithRetries({
      firstReason: "connect ECONNREFUSED 10.0.0.5:6543",
      wait: async (ms) => {
        waits.push(ms);
      },
    });

    expect(attempts).toBe(9);
    expect(waits).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000]);
  });

  it("logs a changed reason at warn level", async () => {
    const warnLog = vi.spyOn(logger, "warn").mockImplementation(() => {});
    const debugLog = vi.spyOn(logger, "debug").mockImplementation(() => {});
    getDb
      .mockRejectedValueOnce(refused())
      .mockRejectedValueOnce(refused())
      .mockRejectedValueOnce(
        Object.assign(new Error("getaddrinfo ENOTFOUND db"), { code: "ENOTFOUND" }),
      )
      .mockResolvedValue({});

    await openDatabaseWithRetries({
      firstReason: "getaddrinfo ENOTFOUND db",
      wait: async () => {},
    });

    expect(warnLog.mock.calls.map((call) => call[1])).toEqual([
      "database still unreachable: connect ECONNREFUSED 10.0.0.5:6543",
      "database still unreachable: getaddrinfo ENOTFOUND db",
    ]);
    expect(debugLog).toHaveBeenCalledTimes(1);
  });

  it("throws a rejection that retrying cannot fix", async () => {
    getDb.mockRejectedValueOnce(refused()).mockRejectedValue(missingDatabase());
    vi.spyOn(logger, "warn").mockImplementation(() => {});

    const retries = openDatabaseWithRetries({
      firstReason: "connect ECONNREFUSED 10.0.0.5:6543",
      wait: async () => {},
    });

    await expect(retries).rejects.toThrow(
      /database "chirp_prod" does not exist \(SQLSTATE 3D000\)/,
    );
  });
});
