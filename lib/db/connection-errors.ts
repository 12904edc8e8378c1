import { ConfigError } from "@/lib/config";

/**
 * Finds an error reported by the Postgres server (node-postgres and the Neon driver give
 * it a `severity` and a SQLSTATE `code`). Drizzle wraps it in an error whose message lists
 * the query parameters, so only the server's own message is returned.
 */
export function findDatabaseError(error: unknown): { message: string; code: string } | undefined {
  for (let current = error; current instanceof Error; current = current.cause) {
    const { severity, code } = current as { severity?: unknown; code?: unknown };
    if (typeof severity === "string" && typeof code === "string") {
      return { message: current.message, code };
    }
  }
  return undefined;
}

// Node reports a refused connection to a host with several addresses as an
// AggregateError with an empty message and the code alone.
export function connectionFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  return error.message || (typeof code === "string" ? code : error.name);
}

/**
 * Describes the database that a postgres:// URL names, without its password, for
 * messages: `database "chirp" on db:5432 as user "chirp"`. The defaults are those of
 * node-postgres: host localhost, port 5432, and a database named like the user.
 */
export function describeDatabaseUrl(url: string): string {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (parsed?.protocol !== "postgres:" && parsed?.protocol !== "postgresql:") {
    return "the database in DATABASE_URL (the value is not a postgres:// URL)";
  }
  const user = decodeURIComponent(parsed.username);
  const host = parsed.searchParams.get("host") || parsed.hostname || "localhost";
  const port = parsed.port || "5432";
  const database = decodeURIComponent(parsed.pathname.slice(1)) || user;
  const userPart = user ? ` as user "${user}"` : " with no user name";
  return `database "${database}" on ${host}:${port}${userPart}`;
}

// Fixes for the SQLSTATEs that a Postgres server (15) reports when it rejects a connection
// for a reason that lasts until a setting changes.
const REJECTION_FIXES: Record<string, string> = {
  // invalid_password, also reported for a role that does not exist when the server
  // requests a password.
  "28P01":
    "Fix the user name or the password in DATABASE_URL, or set that user's password on the server.",
  // invalid_authorization_specification: a role that does not exist (on a server that
  // requests no password), or no pg_hba.conf entry for this user, host and TLS setting.
  "28000":
    "Fix the user name in DATABASE_URL, or create that role on the server; check too that the server's pg_hba.conf lets it connect from this host with the sslmode in DATABASE_URL.",
  // invalid_catalog_name
  "3D000":
    "Create the database on the server (createdb), or fix the database name in DATABASE_URL.",
  // insufficient_privilege: no CONNECT on the database, or no CREATE for the migrations.
  "42501":
    "Grant the user CONNECT on the database and CREATE on its public schema, or use another user in DATABASE_URL.",
};

// Node's TLS errors when the server's certificate fails verification (Node 20).
const CERTIFICATE_CODES = new Set([
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_HAS_EXPIRED",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);

const TLS_FIX =
  "Fix the TLS settings in DATABASE_URL: give sslrootcert the server's CA certificate for sslmode=verify-full, or use an sslmode the server supports.";

/**
 * Returns a ConfigError that names the database and the fix when the server rejected the
 * connection for a reason that retrying cannot fix. Those reasons are a wrong password, a
 * missing role or database, missing privileges and TLS settings the server does not
 * accept. Returns undefined for any other error.
 */
export function connectionRejection(error: unknown, url: string): ConfigError | undefined {
  const database = describeDatabaseUrl(url);
  const serverError = findDatabaseError(error);
  const fix = serverError ? REJECTION_FIXES[serverError.code] : undefined;
  if (serverError && fix) {
    return new ConfigError(
      `The server rejected the connection to ${database}: ${serverError.message} (SQLSTATE ${serverError.code}). ${fix}`,
      { cause: error },
    );
  }

  for (let current = error; current instanceof Error; current = current.cause) {
    const code = (current as { code?: unknown }).code;
    const certificateFailed = typeof code === "string" && CERTIFICATE_CODES.has(code);
    // node-postgres (8.x) throws these two with no code: one for sslmode=require on a
    // server without TLS, the other when the server requests a password and the URL has
    // none.
    const tlsUnsupported = current.message === "The server does not support SSL connections";
    if (certificateFailed || tlsUnsupported) {
      return new ConfigError(
        `The TLS connection to ${database} failed: ${connectionFailure(current)}. ${TLS_FIX}`,
        { cause: error },
      );
    }
    if (/client password must be a string/.test(current.message)) {
      return new ConfigError(
        `The server requested a password for ${database}, and DATABASE_URL has none. Add the password to DATABASE_URL (postgres://user:password@host:port/database).`,
        { cause: error },
      );
    }
  }
  return undefined;
}
