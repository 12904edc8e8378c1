import { describe, expect, it } from "vitest";
import { ApiError, errorResponse, isDatabaseUnreachable, toApiError } from "./errors";

function withCode(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

describe("database errors", () => {
  it.each([
    ["connection refused", withCode("connect ECONNREFUSED 127.0.0.1:5432", "ECONNREFUSED")],
    [
      "server shutting down",
      withCode("terminating connection due to administrator command", "57P01"),
    ],
    ["server starting up", withCode("the database system is starting up", "57P03")],
    ["statement timeout", withCode("canceling statement due to statement timeout", "57014")],
    ["pool connect timeout", new Error("timeout exceeded when trying to connect")],
    ["dropped connection", new Error("Connection terminated unexpectedly")],
    [
      "rollback after a dropped connection",
      new Error("Failed query: rollback", {
        cause: new Error("Client has encountered a connection error and is not queryable"),
      }),
    ],
    [
      "wrapped by drizzle",
      new Error("Failed query: select 1", {
        cause: withCode("connect ECONNREFUSED", "ECONNREFUSED"),
      }),
    ],
  ])("%s: 503 database_unavailable", (_label, error) => {
    expect(isDatabaseUnreachable(error)).toBe(true);
    expect(toApiError(error, {}).code).toBe("database_unavailable");
  });

  it("other errors stay 500", () => {
    const error = withCode('duplicate key value violates unique constraint "x"', "23505");
    expect(isDatabaseUnreachable(error)).toBe(false);
    expect(toApiError(error, {}).code).toBe("internal_error");
  });
});

describe("error responses", () => {
  it("503 tells the client when to retry", () => {
    const response = errorResponse(new ApiError("database_unavailable", "Retry."));
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toMatch(/^\d+$/);
  });

  it("other statuses have no Retry-After", () => {
    const response = errorResponse(new ApiError("invalid_key", "Bad key."), { Allow: "POST" });
    expect(response.status).toBe(401);
    expect(response.headers.get("retry-after")).toBeNull();
    expect(response.headers.get("allow")).toBe("POST");
  });
});
