import { describe, expect, it } from "vitest";
import { ConfigError } from "@/lib/config";
import { isDatabaseUnreachable } from "@/lib/http/errors";
import { connectionRejection, describeDatabaseUrl } from "./connection-errors";

const URL_WITH_PASSWORD = "postgres://chirp:s3cret-pass@db.internal:6543/chirp_prod";

/** Builds an error shaped like node-postgres's DatabaseError for a FATAL server message. */
function serverError(message: string, code: string): Error {
  return Object.assign(new Error(message), { severity: "FATAL", code });
}

describe("describeDatabaseUrl", () => {
  it("names database, host, port and user", () => {
    expect(describeDatabaseUrl(URL_WITH_PASSWORD)).toBe(
      'database "chirp_prod" on db.internal:6543 as user "chirp"',
    );
  });

  it("leaves out the password", () => {
    expect(describeDatabaseUrl(URL_WITH_PASSWORD)).not.toContain("s3cret-pass");
  });

  it("uses the node-postgres defaults", () => {
    expect(describeDatabaseUrl("postgresql://app@db")).toBe(
      'database "app" on db:5432 as user "app"',
    );
  });

  it("reads a socket folder from the host parameter", () => {
    expect(describeDatabaseUrl("postgres://app@localhost/chirp?host=/var/run/postgresql")).toBe(
      'database "chirp" on /var/run/postgresql:5432 as user "app"',
    );
  });

  it("decodes escaped names", () => {
    expect(describeDatabaseUrl("postgres://my%20user:p@db:5432/my%2Ddb")).toBe(
      'database "my-db" on db:5432 as user "my user"',
    );
  });

  it.each([
    ["not a URL", "chirp:s3cret-pass at db"],
    ["another scheme", "mysql://chirp:s3cret-pass@db/chirp"],
  ])("reports %s without echoing it", (_label, url) => {
    expect(describeDatabaseUrl(url)).toBe(
      "the database in DATABASE_URL (the value is not a postgres:// URL)",
    );
  });
});

describe("connectionRejection", () => {
  it.each([
    [
      "wrong password",
      serverError('password authentication failed for user "chirp"', "28P01"),
      /password authentication failed.*SQLSTATE 28P01\)\. Fix the user name or the password in DATABASE_URL/,
    ],
    [
      "missing role",
      serverError('role "chirp" does not exist', "28000"),
      /role "chirp" does not exist \(SQLSTATE 28000\)\. Fix the user name in DATABASE_URL/,
    ],
    [
      "missing database",
      serverError('database "chirp_prod" does not exist', "3D000"),
      /SQLSTATE 3D000\)\. Create the database on the server \(createdb\)/,
    ],
    [
      "no CONNECT privilege",
      serverError('permission denied for database "chirp_prod"', "42501"),
      /SQLSTATE 42501\)\. Grant the user CONNECT/,
    ],
    [
      "server error wrapped by drizzle",
      new Error("Failed query: select pg_advisory_lock($1)", {
        cause: serverError('database "chirp_prod" does not exist', "3D000"),
      }),
      /database "chirp_prod" does not exist \(SQLSTATE 3D000\)/,
    ],
    [
      "TLS on a server without TLS",
      new Error("The server does not support SSL connections"),
      /The TLS connection to .* failed: The server does not support SSL connections\. Fix the TLS settings/,
    ],
    [
      "untrusted certificate",
      Object.assign(new Error("self-signed certificate in certificate chain"), {
        code: "SELF_SIGNED_CERT_IN_CHAIN",
      }),
      /failed: self-signed certificate in certificate chain\. Fix the TLS settings/,
    ],
    [
      "no password in the URL",
      new Error("SASL: SCRAM-SERVER-FIRST-MESSAGE: client password must be a string"),
      /requested a password for .*, and DATABASE_URL has none/,
    ],
  ])("%s is a configuration error", (_label, error, message) => {
    const rejection = connectionRejection(error, URL_WITH_PASSWORD);

    expect(rejection).toBeInstanceOf(ConfigError);
    expect(rejection?.message).toMatch(message);
    expect(rejection?.message).toContain(
      'database "chirp_prod" on db.internal:6543 as user "chirp"',
    );
    expect(rejection?.message).not.toContain("s3cret-pass");
    expect(rejection?.cause).toBe(error);
  });

  it.each([
    [
      "refused connection",
      Object.assign(new Error("connect ECONNREFUSED 10.0.0.5:6543"), { code: "ECONNREFUSED" }),
    ],
    ["unknown host", Object.assign(new Error("getaddrinfo ENOTFOUND db"), { code: "ENOTFOUND" })],
    ["server starting up", serverError("the database system is starting up", "57P03")],
    ["too many clients", serverError("sorry, too many clients already", "53300")],
    ["connect timeout", new Error("Connection terminated due to connection timeout")],
  ])("%s is left to the retries", (_label, error) => {
    expect(connectionRejection(error, URL_WITH_PASSWORD)).toBeUndefined();
    expect(isDatabaseUnreachable(error)).toBe(true);
  });

  it("leaves other server errors to the caller", () => {
    const error = serverError('relation "activities" already exists', "42P07");
    expect(connectionRejection(error, URL_WITH_PASSWORD)).toBeUndefined();
  });
});
