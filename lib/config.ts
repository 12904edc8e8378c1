import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
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
  return path.resolve(process.env.CHIRP_DATA_DIR ?? ".chirp-data");
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

function requiredSecret(name: string, embedded: keyof StoredSecrets): string {
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
