import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";

/**
 * Server configuration read from the environment. Every setting is listed, with its
 * default, in `.env.example`.
 */

export type DatabaseDriver = "pglite" | "postgres" | "neon";

export class ConfigError extends Error {
  override name = "ConfigError";
}

function readInteger(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new ConfigError(
      `${name}=${raw} is not a positive whole number; unset it to use ${fallback}.`,
    );
  }
  return value;
}

export function dataDirectory(): string {
  // The folder is chosen at run time, so the build must not trace it into the output.
  return path.resolve(/* turbopackIgnore: true */ process.env.CHIRP_DATA_DIR ?? ".chirp-data");
}

export function databaseUrl(): string | undefined {
  const url = process.env.DATABASE_URL;
  return url === undefined || url === "" ? undefined : url;
}

/**
 * Picks the driver: PGlite when DATABASE_URL is unset, the Neon serverless driver for a
 * Neon host (or CHIRP_DB_DRIVER=neon), node-postgres for any other postgres:// URL.
 */
export function databaseDriver(): DatabaseDriver {
  const explicit = process.env.CHIRP_DB_DRIVER;
  const url = databaseUrl();
  if (explicit !== undefined && explicit !== "") {
    if (explicit !== "pglite" && explicit !== "postgres" && explicit !== "neon") {
      throw new ConfigError(
        `CHIRP_DB_DRIVER=${explicit} is not a driver; use pglite, postgres or neon, or unset it to choose from DATABASE_URL.`,
      );
    }
    if (explicit !== "pglite" && url === undefined) {
      throw new ConfigError(`CHIRP_DB_DRIVER=${explicit} needs DATABASE_URL to be set.`);
    }
    return explicit;
  }
  if (url === undefined) return "pglite";
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError(
      "DATABASE_URL is not a valid URL; expected postgres://USER:PASSWORD@HOST:PORT/DATABASE.",
    );
  }
  if (parsed.protocol !== "postgres:" && parsed.protocol !== "postgresql:") {
    throw new ConfigError(
      `DATABASE_URL uses ${parsed.protocol} but Chirp needs postgres:// or postgresql://; unset it to use the embedded database.`,
    );
  }
  return parsed.hostname.endsWith(".neon.tech") ? "neon" : "postgres";
}

/** Connections per app instance in the node-postgres and Neon pools. */
export function databasePoolSize(): number {
  return readInteger("CHIRP_DB_POOL_SIZE", 10);
}

/**
 * Bounds on waiting for the database, in milliseconds, so that a request during an outage
 * fails fast with a 503 (and RunPod retries) instead of hanging. A stopped server refuses
 * connections at once, so during an outage requests fail well within either bound.
 *
 * NOTE: the connection timeout also bounds the wait for a free pooled connection, so a
 * burst of more concurrent requests than CHIRP_DB_POOL_SIZE can get 503s. A Neon compute
 * that was suspended must start before it accepts a connection, which may take longer.
 * Raise the bound for either case.
 */
export function databaseTimeouts(): { connectMs: number; statementMs: number } {
  return {
    connectMs: readInteger("CHIRP_DB_CONNECT_TIMEOUT_MS", 2000),
    statementMs: readInteger("CHIRP_DB_STATEMENT_TIMEOUT_MS", 4000),
  };
}

interface StoredSecrets {
  authSecret: string;
  keySecret: string;
  /** 32 random bytes in base64; absent from files written before RunPod connections. */
  runpodEncryptionKey?: string;
}

let generatedSecrets: StoredSecrets | undefined;

/**
 * Secrets for the embedded database setup: created once in the data folder so that a
 * fresh checkout starts without configuration and keys stay valid across restarts.
 */
function embeddedSecrets(): StoredSecrets {
  if (generatedSecrets) return generatedSecrets;
  const file = path.join(dataDirectory(), "secrets.json");
  try {
    generatedSecrets = JSON.parse(readFileSync(file, "utf8")) as StoredSecrets;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    mkdirSync(dataDirectory(), { recursive: true });
    const created = {
      authSecret: randomBytes(32).toString("base64url"),
      keySecret: randomBytes(32).toString("base64url"),
      runpodEncryptionKey: randomBytes(32).toString("base64"),
    };
    try {
      writeFileSync(file, JSON.stringify(created), { flag: "wx", mode: 0o600 });
      generatedSecrets = created;
    } catch (writeError) {
      // Another process created the file first; use its secrets.
      if ((writeError as NodeJS.ErrnoException).code !== "EEXIST") throw writeError;
      generatedSecrets = JSON.parse(readFileSync(file, "utf8")) as StoredSecrets;
    }
  }
  return generatedSecrets;
}

function requiredSecret(name: string, embedded: "authSecret" | "keySecret"): string {
  const value = process.env[name];
  if (value !== undefined && value !== "") {
    if (value.length < 32) {
      throw new ConfigError(
        `${name} is ${value.length} characters long; use at least 32 random characters (openssl rand -base64 32).`,
      );
    }
    return value;
  }
  if (databaseDriver() === "pglite") return embeddedSecrets()[embedded];
  throw new ConfigError(
    `${name} is not set. With DATABASE_URL pointing at Postgres, every app instance needs the same ${name}; generate one with: openssl rand -base64 32`,
  );
}

/**
 * Adds the RunPod encryption key to a secrets file written before it existed. The file is
 * replaced by a rename, and read again afterwards, so every reader ends up with one key.
 */
function embeddedRunpodEncryptionKey(): string {
  const secrets = embeddedSecrets();
  if (secrets.runpodEncryptionKey) return secrets.runpodEncryptionKey;
  const file = path.join(dataDirectory(), "secrets.json");
  const temporary = `${file}.${process.pid}.tmp`;
  const updated = { ...secrets, runpodEncryptionKey: randomBytes(32).toString("base64") };
  writeFileSync(temporary, JSON.stringify(updated), { mode: 0o600 });
  renameSync(temporary, file);
  generatedSecrets = JSON.parse(readFileSync(file, "utf8")) as StoredSecrets;
  return generatedSecrets.runpodEncryptionKey!;
}

function decodeEncryptionKey(name: string, value: string): Buffer {
  const key = Buffer.from(value.trim(), "base64");
  if (key.length !== 32) {
    throw new ConfigError(
      `${name} decodes to ${key.length} bytes; it must be 32 random bytes in base64 (openssl rand -base64 32).`,
    );
  }
  return key;
}

/**
 * Returns the AES-256 keys that encrypt stored RunPod API keys: the current one, and the
 * previous one (CHIRP_RUNPOD_ENCRYPTION_KEY_PREVIOUS) that still decrypts older values.
 */
export function runpodEncryptionKeys(): { current: Buffer; previous: Buffer | undefined } {
  const name = "CHIRP_RUNPOD_ENCRYPTION_KEY";
  const configured = process.env[name]?.trim();
  let current: Buffer;
  if (configured) {
    current = decodeEncryptionKey(name, configured);
  } else if (databaseDriver() === "pglite") {
    current = decodeEncryptionKey(name, embeddedRunpodEncryptionKey());
  } else {
    throw new ConfigError(
      `${name} is not set. With DATABASE_URL pointing at Postgres, every app instance needs the same ${name} to read stored RunPod API keys; generate one with: openssl rand -base64 32`,
    );
  }
  const previous = process.env.CHIRP_RUNPOD_ENCRYPTION_KEY_PREVIOUS?.trim();
  return {
    current,
    previous: previous
      ? decodeEncryptionKey("CHIRP_RUNPOD_ENCRYPTION_KEY_PREVIOUS", previous)
      : undefined,
  };
}

export function authSecret(): string {
  return requiredSecret("AUTH_SECRET", "authSecret");
}

/** Returns the secret that signs new keys and the previous one, which is still accepted. */
export function keySigningSecrets(): { current: string; previous: string | undefined } {
  const previous = process.env.CHIRP_KEY_SECRET_PREVIOUS;
  return {
    current: requiredSecret("CHIRP_KEY_SECRET", "keySecret"),
    previous: previous === undefined || previous === "" ? undefined : previous,
  };
}

/** Returns the public URL of this server, used in the webhook URLs shown to users. */
export function publicBaseUrl(): string {
  const raw = process.env.CHIRP_BASE_URL ?? "http://localhost:3000";
  try {
    const url = new URL(raw);
    return url.origin + url.pathname.replace(/\/+$/, "");
  } catch {
    throw new ConfigError(
      `CHIRP_BASE_URL=${raw} is not a valid URL; expected https://chirp.example.com.`,
    );
  }
}

/** Returns the largest webhook body accepted, in bytes. RunPod outputs reach about 20 MB. */
export function maxWebhookBodyBytes(): number {
  return readInteger("CHIRP_MAX_WEBHOOK_BYTES", 32 * 1024 * 1024);
}

/** Returns how many bytes of each webhook body are kept in the delivery log. */
export function storedBodyBytes(): number {
  return readInteger("CHIRP_STORED_BODY_BYTES", 256 * 1024);
}

/** Returns how long an open card may go without a change before the board calls it stale. */
export function staleAfterMinutes(): number {
  return readInteger("CHIRP_STALE_AFTER_MINUTES", 15);
}

/** Returns RunPod's API base URL; tests and the demo point it at the simulator. */
export function runpodBaseUrl(): string {
  const raw = process.env.CHIRP_RUNPOD_BASE_URL?.trim() || "https://api.runpod.ai";
  if (!URL.canParse(raw) || !/^https?:$/.test(new URL(raw).protocol)) {
    throw new ConfigError(
      `CHIRP_RUNPOD_BASE_URL=${raw} is not an http or https URL; unset it to use https://api.runpod.ai.`,
    );
  }
  return raw.replace(/\/+$/, "");
}

/** Returns the time allowed for one request to RunPod, in milliseconds. */
export function runpodRequestTimeoutMs(): number {
  return readInteger("CHIRP_RUNPOD_TIMEOUT_MS", 10_000);
}

function readSeconds(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === "") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    throw new ConfigError(
      `${name}=${raw} is not a positive number of seconds; unset it to use ${fallback}.`,
    );
  }
  return value;
}

/** Settings of the watchdog that polls RunPod for open cards. Fractions of a second are allowed. */
export interface WatchdogSettings {
  /** Whether the app server runs the watchdog itself (CHIRP_WATCHDOG=off leaves it to a worker). */
  inApp: boolean;
  /** Seconds a card stays open before the first poll, unless its job has an execution timeout. */
  afterSeconds: number;
  /** Seconds between the watchdog's looks for due cards. */
  tickSeconds: number;
  /** Seconds before the second poll of a card; each later poll waits twice as long as the one before. */
  backoffSeconds: number;
  /** The maximum wait between two polls of one card, in seconds. */
  maxBackoffSeconds: number;
}

export function watchdogSettings(): WatchdogSettings {
  const mode = process.env.CHIRP_WATCHDOG?.trim().toLowerCase() || "on";
  if (mode !== "on" && mode !== "off") {
    throw new ConfigError(
      `CHIRP_WATCHDOG=${process.env.CHIRP_WATCHDOG} is not on or off; use off when a separate \`npm run chirp -- watchdog\` worker runs it.`,
    );
  }
  return {
    inApp: mode === "on",
    afterSeconds: readSeconds("CHIRP_WATCHDOG_AFTER_SECONDS", 600),
    tickSeconds: readSeconds("CHIRP_WATCHDOG_TICK_SECONDS", 5),
    backoffSeconds: readSeconds("CHIRP_WATCHDOG_BACKOFF_SECONDS", 30),
    maxBackoffSeconds: readSeconds("CHIRP_WATCHDOG_MAX_BACKOFF_SECONDS", 600),
  };
}

/** A token bucket: `perSecond` requests a second on average, up to `burst` at once. */
export interface RateLimit {
  perSecond: number;
  burst: number;
}

/**
 * Returns the rate limit of keys that have none of their own. RunPod sends one webhook per
 * job and retries a failed call up to 2 more times, so a busy endpoint of 100 jobs a
 * second makes at most 300 calls a second. The defaults admit that with room to spare.
 */
export function defaultRateLimit(): RateLimit {
  return {
    perSecond: readInteger("CHIRP_RATE_LIMIT_PER_SECOND", 300),
    burst: readInteger("CHIRP_RATE_LIMIT_BURST", 600),
  };
}
