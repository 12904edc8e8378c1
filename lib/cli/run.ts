import { ConfigError } from "@/lib/config";
import { connectionFailure, findDatabaseError } from "@/lib/db/connection-errors";
import { ApiError, isDatabaseUnreachable } from "@/lib/http/errors";
import { type Command, parseCommandLine } from "./args";
import {
  addKey,
  addUser,
  type CliIo,
  listAccountKeys,
  reencryptRunpodKeys,
  rerollKey,
  resetUserPassword,
  revokeKey,
  runWatchdog,
  setExpiry,
  setLimit,
  setScope,
  showKeyAudit,
} from "./commands";
import { CommandError, UsageError } from "./errors";
import { HELP_HINT, USAGE } from "./usage";

/**
 * Runs one command line and returns the exit status: 0 on success, 1 when the command
 * fails, 2 for an invalid command line. Errors are written to `io.stderr`, never thrown.
 * The caller closes the database afterwards.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    await runCommand(parseCommandLine(argv), io);
    return 0;
  } catch (error) {
    return reportError(error, io);
  }
}

async function runCommand(command: Command, io: CliIo): Promise<void> {
  switch (command.name) {
    case "help":
      io.stdout(USAGE);
      return;
    case "user add":
      return addUser(command.email, io);
    case "user password":
      return resetUserPassword(command.email, io);
    case "key add":
      return addKey(command, io);
    case "key list":
      return listAccountKeys(command.email, io);
    case "key revoke":
      return revokeKey(command.keyId, io);
    case "key reroll":
      return rerollKey(command, io);
    case "key expire":
      return setExpiry(command, io);
    case "key audit":
      return showKeyAudit(command.keyId, io);
    case "key limit":
      return setLimit(command, io);
    case "key scope":
      return setScope(command, io);
    case "watchdog":
      return runWatchdog(command, io);
    case "runpod reencrypt":
      return reencryptRunpodKeys(io);
  }
}

function reportError(error: unknown, io: CliIo): number {
  if (error instanceof UsageError) {
    io.stderr(`${error.message} ${HELP_HINT}\n`);
    return 2;
  }
  if (error instanceof CommandError) {
    io.stderr(`${error.message}\n`);
    return error.exitCode;
  }
  if (error instanceof ApiError || error instanceof ConfigError) {
    io.stderr(`${error.message}\n`);
    return 1;
  }

  const databaseError = findDatabaseError(error);
  if (databaseError) {
    io.stderr(
      `The database rejected the request: ${databaseError.message} (SQLSTATE ${databaseError.code}). Check DATABASE_URL and the database server.\n`,
    );
    return 1;
  }
  if (isDatabaseUnreachable(error)) {
    io.stderr(
      `Could not reach the database: ${connectionFailure(error)}. Check DATABASE_URL and that the database server is running.\n`,
    );
    return 1;
  }

  // Anything else is a bug in Chirp: the stack is what a bug report needs.
  io.stderr(
    `chirp failed unexpectedly: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  return 1;
}
