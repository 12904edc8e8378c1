import {
  createAccount,
  getAccountByEmail,
  normalizeEmail,
  passwordProblem,
  resetPassword,
} from "@/lib/accounts/store";
import {
  databaseDriver,
  dataDirectory,
  publicBaseUrl,
  type RateLimit,
  runpodEncryptionKeys,
} from "@/lib/config";
import type { Account, KeyKind } from "@/lib/db/schema";
import { ApiError } from "@/lib/http/errors";
import { accountOfDeletedKey, listKeyAudit } from "@/lib/keys/audit";
import { describeEndpoints } from "@/lib/keys/endpoints";
import { kindLabel } from "@/lib/keys/format";
import { effectiveRateLimit } from "@/lib/keys/rate-limit";
import { setKeyEndpoints, setKeyRateLimit } from "@/lib/keys/settings";
import {
  accountOfKey,
  createKey,
  KeyNotActiveError,
  listKeys,
  MAX_KEY_NAME_LENGTH,
  type RerollGracePeriod,
  rerollKey as rerollKeyInStore,
  revokeKeyById,
  setKeyExpiry,
} from "@/lib/keys/store";
import { reencryptStoredValues } from "@/lib/runpod/connection";
import { startWatchdog } from "@/lib/runpod/watchdog";
import { CommandError, UsageError, withCommandWording } from "./errors";
import { formatAuditTable, formatKeyTable } from "./key-table";

/**
 * The input and output of a command, apart from the database. Server settings such as
 * DATABASE_URL and CHIRP_BASE_URL come from process.env through lib/config.ts, as in the
 * server, and `env` carries the variables that only the command line reads.
 */
export interface CliIo {
  /** Command output that a script may capture: a key, a table. */
  stdout(text: string): void;
  /** Notes and errors for the person at the terminal. */
  stderr(text: string): void;
  env: Readonly<Record<string, string | undefined>>;
  /** Reads a line on the terminal with echo off; undefined when stdin is not a terminal. */
  readPassword: ((prompt: string) => Promise<string>) | undefined;
}

export async function addUser(email: string, io: CliIo): Promise<void> {
  const password = await passwordFor(email, io);
  const normalized = normalizeEmail(email);
  // The command line has checked the email's shape, so an email problem here is a taken one.
  const account = await withCommandWording(
    createAccount({ email, password }),
    new Map([
      [
        "email",
        () =>
          `An account for ${normalized} already exists. To set a new password for it: npm run chirp -- user password ${normalized}`,
      ],
    ]),
  );
  io.stdout(`Created account ${account.id} for ${account.email}.\n`);
}

/**
 * Sets a new password for the account without its old one, and signs out every session
 * of the account, since a reset usually means the old password is lost or known to others.
 */
export async function resetUserPassword(email: string, io: CliIo): Promise<void> {
  const password = await passwordFor(email, io, "New password");
  const change = await resetPassword({ email, newPassword: password });
  if (!change) throw new ApiError("not_found", noAccountMessage(email));
  io.stdout(
    `Set a new password for ${change.email} (${change.accountId}) and signed out all of its sessions; every browser must sign in again with the new password.\n`,
  );
}

/**
 * Returns the password from CHIRP_PASSWORD, or else typed twice at a prompt, and rejects
 * one that the account rules do not allow with a message that names where it came from.
 */
async function passwordFor(email: string, io: CliIo, label = "Password"): Promise<string> {
  const fromEnv = io.env.CHIRP_PASSWORD;
  if (fromEnv !== undefined && fromEnv !== "") {
    const problem = passwordProblem(fromEnv);
    if (problem) {
      throw new CommandError(
        `The password in CHIRP_PASSWORD is invalid: ${problem}. Set CHIRP_PASSWORD to another password, or unset it to type one at a prompt.`,
      );
    }
    return fromEnv;
  }
  if (!io.readPassword) {
    throw new UsageError(
      "CHIRP_PASSWORD is not set and stdin is not a terminal to ask for the password; set CHIRP_PASSWORD for this command.",
    );
  }

  const password = await io.readPassword(`${label} for ${email}: `);
  // Reject an invalid password before asking to repeat it.
  const problem = passwordProblem(password);
  if (problem) {
    throw new CommandError(
      `The password typed at the prompt is invalid: ${problem}. Run the command again.`,
    );
  }
  const repeated = await io.readPassword("Repeat the password: ");
  if (repeated !== password) {
    throw new CommandError("The two passwords differ; run the command again.");
  }
  return password;
}

export async function addKey(
  {
    email,
    kind,
    keyName,
    endpointIds,
  }: { email: string; kind: KeyKind; keyName: string | undefined; endpointIds: string[] | null },
  io: CliIo,
): Promise<void> {
  const account = await requireAccount(email);
  // The command line has checked the endpoint list, so an endpoint problem here is the kind.
  const { key, record } = await withCommandWording(
    createKey({ accountId: account.id, kind, name: keyName, endpointIds, actor: "cli" }),
    new Map([
      ["name", () => `--name is too long; use at most ${MAX_KEY_NAME_LENGTH} characters.`],
      [
        "endpointIds",
        () =>
          "Only webhook keys can be limited to endpoints; use --kind webhook, or leave out --endpoints for an API key.",
      ],
    ]),
  );

  io.stdout(`${key}\n`);
  io.stderr(
    `Created ${kindLabel(kind)} ${record.id} ("${record.name}") for ${account.email}. Store it now: it will not be shown again.\n`,
  );
  if (kind === "webhook") {
    io.stderr(`Webhook URL for RunPod: ${publicBaseUrl()}/v1/webhooks/runpod?key=<key>\n`);
    if (!process.env.CHIRP_BASE_URL) {
      io.stderr("Set CHIRP_BASE_URL to the server's public address to show the real URL.\n");
    }
  } else {
    io.stderr("Send it to the activity API as the header: Authorization: Bearer <key>\n");
  }
}

export async function listAccountKeys(email: string, io: CliIo): Promise<void> {
  const account = await requireAccount(email);
  const keys = await listKeys({ accountId: account.id });
  if (keys.length === 0) {
    io.stderr(
      `No keys for ${account.email}; create one with: npm run chirp -- key add --user ${account.email} --kind webhook\n`,
    );
    return;
  }
  io.stdout(formatKeyTable(keys, new Date()));
}

export async function revokeKey(keyId: string, io: CliIo): Promise<void> {
  const record = await revokeKeyById(keyId);
  const since = record.revokedAt?.toISOString() ?? "now";
  io.stdout(
    `The ${kindLabel(record.kind)} ${record.id} ("${record.name}") is revoked since ${since}; requests that use it are rejected with revoked_key.\n`,
  );
}

export async function rerollKey(
  { keyId, grace }: { keyId: string; grace: RerollGracePeriod },
  io: CliIo,
): Promise<void> {
  const accountId = await accountOfKey(keyId);
  const { key, record } = await rerollKeyInStore({ accountId, keyId, grace, actor: "cli" }).catch(
    (error: unknown) => {
      if (!(error instanceof KeyNotActiveError && error.state === "expired")) throw error;
      throw new CommandError(
        `${error.message} To do that here: npm run chirp -- key expire ${keyId} --at ISO_TIME (or --never), then run key reroll again.`,
      );
    },
  );

  io.stdout(`${key}\n`);
  const oldValue = record.previousValidUntil
    ? `The old value keeps working until ${record.previousValidUntil.toISOString()}.`
    : "The old value stopped working now.";
  io.stderr(
    `Rerolled ${kindLabel(record.kind)} ${record.id} ("${record.name}"). ${oldValue} Store the new value now: it will not be shown again.\n`,
  );
}

export async function setExpiry(
  { keyId, expiresAt }: { keyId: string; expiresAt: Date | null },
  io: CliIo,
): Promise<void> {
  const accountId = await accountOfKey(keyId);
  // The command line has checked that --at is a valid time, so a problem here is a past one.
  const record = await withCommandWording(
    setKeyExpiry({ accountId, keyId, expiresAt, actor: "cli" }),
    new Map([
      [
        "expiresAt",
        () =>
          `--at ${expiresAt?.toISOString()} is in the past; give a time after ${new Date().toISOString()}, or use --never to remove the expiry. To stop the key now: npm run chirp -- key revoke ${keyId}`,
      ],
    ]),
  );
  io.stdout(
    record.expiresAt
      ? `The ${kindLabel(record.kind)} ${record.id} ("${record.name}") expires on ${record.expiresAt.toISOString()}.\n`
      : `The ${kindLabel(record.kind)} ${record.id} ("${record.name}") never expires.\n`,
  );
}

export async function setLimit(
  { keyId, limit }: { keyId: string; limit: RateLimit | null },
  io: CliIo,
): Promise<void> {
  const accountId = await accountOfKey(keyId);
  const record = await setKeyRateLimit({ accountId, keyId, limit, actor: "cli" });
  const effective = effectiveRateLimit(record);
  const source = limit ? "" : " (the server's default)";
  io.stdout(
    `The ${kindLabel(record.kind)} ${record.id} ("${record.name}") may make ${effective.perSecond} requests per second with bursts of ${effective.burst}${source}.\n`,
  );
}

export async function setScope(
  { keyId, endpointIds }: { keyId: string; endpointIds: string[] | null },
  io: CliIo,
): Promise<void> {
  const accountId = await accountOfKey(keyId);
  // The command line has checked the endpoint list, so an endpoint problem here is the kind.
  const record = await withCommandWording(
    setKeyEndpoints({ accountId, keyId, endpointIds, actor: "cli" }),
    new Map([
      [
        "endpointIds",
        () =>
          `${keyId} is an API key, and only webhook keys can be limited to endpoints. To limit a key to endpoints, create a webhook key: npm run chirp -- key add --user EMAIL --kind webhook --endpoints ID,ID`,
      ],
    ]),
  );
  io.stdout(
    record.endpointIds === null
      ? `The ${kindLabel(record.kind)} ${record.id} ("${record.name}") may change cards of any endpoint.\n`
      : `The ${kindLabel(record.kind)} ${record.id} ("${record.name}") may change cards of endpoints ${describeEndpoints(record.endpointIds)} only.\n`,
  );
}

export async function showKeyAudit(keyId: string, io: CliIo): Promise<void> {
  const accountId = await accountOfKeyOrItsTrail(keyId);
  const events = await listKeyAudit({ accountId, keyId });
  if (events.length === 0) {
    io.stderr(
      `No audit events for ${keyId}; keys created before the audit trail have none until they change.\n`,
    );
    return;
  }
  io.stdout(formatAuditTable(events));
}

/**
 * Runs the watchdog loop in this process until SIGINT or SIGTERM, for deployments that run
 * it as a worker (with CHIRP_WATCHDOG=off on the app servers).
 */
export async function runWatchdog(
  { accountId }: { accountId: string | undefined },
  io: CliIo,
): Promise<void> {
  const watchdog = startWatchdog({ accountId });
  io.stderr(
    `Watchdog running${accountId ? ` for account ${accountId}` : ""}; stop it with Ctrl-C or SIGTERM.\n`,
  );
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  io.stderr(`Received ${signal}; stopping the watchdog after the pass in progress.\n`);
  await watchdog.stop();
}

export async function reencryptRunpodKeys(io: CliIo): Promise<void> {
  const { reencrypted, current, unreadable, unreadableAccountIds } = await reencryptStoredValues();
  io.stdout(
    `Re-encrypted ${reencrypted} stored values (RunPod API keys and inspector webhook keys) under CHIRP_RUNPOD_ENCRYPTION_KEY; ${current} already used it.\n`,
  );
  if (unreadable > 0) {
    throw new CommandError(
      `${unreadable} stored values decrypt with neither CHIRP_RUNPOD_ENCRYPTION_KEY nor CHIRP_RUNPOD_ENCRYPTION_KEY_PREVIOUS (accounts ${unreadableAccountIds.join(", ")}). Those accounts must save their RunPod API key again in Settings; an unreadable inspector webhook key is replaced by a new one on the account's next submit through the proxy.`,
    );
  }
  if (runpodEncryptionKeys().previous !== undefined) {
    io.stderr("CHIRP_RUNPOD_ENCRYPTION_KEY_PREVIOUS can be unset now.\n");
  }
}

/** Finds a key's account, from the audit trail when the key itself was deleted. */
async function accountOfKeyOrItsTrail(keyId: string): Promise<string> {
  try {
    return await accountOfKey(keyId);
  } catch (error) {
    if (!(error instanceof ApiError && error.code === "not_found")) throw error;
    const fromTrail = await accountOfDeletedKey(keyId);
    if (!fromTrail) throw error;
    return fromTrail;
  }
}

/**
 * Says that no account has this email in the database the command opened, naming that
 * database: a command run without the server's CHIRP_DATA_DIR opens an empty one.
 */
export function noAccountMessage(email: string): string {
  const where =
    databaseDriver() === "pglite"
      ? `the embedded database in ${dataDirectory()}; if the server uses another folder, set CHIRP_DATA_DIR to it`
      : "the database at DATABASE_URL";
  return `No account for ${email} in ${where}. To create the account: npm run chirp -- user add ${email}`;
}

async function requireAccount(email: string): Promise<Account> {
  const account = await getAccountByEmail(email);
  if (!account) {
    throw new ApiError("not_found", noAccountMessage(email));
  }
  return account;
}
