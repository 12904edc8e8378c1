import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { chown, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { LOOPBACK_HOST } from "./next-server";

/**
 * A throwaway PostgreSQL cluster in a temporary folder, for tests that stop and start
 * the database under a running app. It never touches a cluster it did not create.
 * PostgreSQL refuses to run as root, so as root (as CI runs) its commands run as the
 * `postgres` user through runuser.
 */

const run = promisify(execFile);

const POSTGRES_BIN = process.env.CHIRP_POSTGRES_BIN ?? "/usr/lib/postgresql/15/bin";
const INITDB = path.join(POSTGRES_BIN, "initdb");
const PG_CTL = path.join(POSTGRES_BIN, "pg_ctl");

/** Returns why a cluster cannot be created here, or undefined when it can. */
export function postgresClusterUnavailable(): string | undefined {
  if (!existsSync(INITDB) || !existsSync(PG_CTL)) {
    return `${INITDB} is missing; install PostgreSQL 15 (apt-get install -y postgresql) or set CHIRP_POSTGRES_BIN to the folder holding initdb and pg_ctl.`;
  }
  return undefined;
}

export interface PostgresCluster {
  /** A postgres:// URL for the `chirp` superuser, trusted on the loopback address. */
  readonly url: string;
  /** Starts the server and waits until it accepts connections. */
  start(): Promise<void>;
  /** Stops the server in fast mode: open connections are closed at once. */
  stop(): Promise<void>;
  /** Stops the server if it runs and deletes its folder. */
  destroy(): Promise<void>;
}

async function asPostgresUser(command: string, args: string[]): Promise<void> {
  const asRoot = process.getuid?.() === 0;
  const [file, fileArgs] = asRoot
    ? ["runuser", ["-u", "postgres", "--", command, ...args]]
    : [command, args];
  try {
    await run(file, fileArgs, { cwd: "/", timeout: 60_000 });
  } catch (error) {
    const { stderr, stdout } = error as { stderr?: string; stdout?: string };
    throw new Error(
      `${command} ${args.join(" ")} failed: ${(error as Error).message}\n${stdout ?? ""}${stderr ?? ""}`,
    );
  }
}

async function postgresUserIds(): Promise<{ uid: number; gid: number }> {
  const { stdout: uid } = await run("id", ["-u", "postgres"]);
  const { stdout: gid } = await run("id", ["-g", "postgres"]);
  return { uid: Number(uid.trim()), gid: Number(gid.trim()) };
}

/** Creates a cluster listening on `port` of the loopback address, and starts it. */
export async function createPostgresCluster({ port }: { port: number }): Promise<PostgresCluster> {
  const folder = await mkdtemp(path.join(tmpdir(), "chirp-postgres-"));
  const dataDir = path.join(folder, "data");
  const logFile = path.join(folder, "postgres.log");
  if (process.getuid?.() === 0) {
    const { uid, gid } = await postgresUserIds();
    await chown(folder, uid, gid);
  }

  let running = false;
  const cluster: PostgresCluster = {
    url: `postgres://chirp@${LOOPBACK_HOST}:${port}/postgres`,
    async start() {
      await asPostgresUser(PG_CTL, [
        "start",
        "--wait",
        "--timeout=60",
        "-D",
        dataDir,
        "-l",
        logFile,
        "-o",
        `-p ${port} -c listen_addresses=${LOOPBACK_HOST} -k ${folder}`,
      ]);
      running = true;
    },
    async stop() {
      await asPostgresUser(PG_CTL, ["stop", "--wait", "--timeout=60", "-m", "fast", "-D", dataDir]);
      running = false;
    },
    async destroy() {
      if (running) await cluster.stop().catch(() => {});
      await rm(folder, { recursive: true, force: true });
    },
  };

  try {
    await asPostgresUser(INITDB, [
      "-D",
      dataDir,
      "-U",
      "chirp",
      "--auth=trust",
      "--encoding=UTF8",
      "--no-sync",
    ]);
    await cluster.start();
  } catch (error) {
    await cluster.destroy();
    throw error;
  }
  return cluster;
}
