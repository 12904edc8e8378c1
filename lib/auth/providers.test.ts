import { describe, expect, it } from "vitest";
import { ConfigError } from "@/lib/config";
import { githubCredentials } from "./github";
import { authProviders } from "./providers";

/** Returns the ids of the providers Auth.js is given for this environment. */
function providerIds(env: Record<string, string | undefined>): string[] {
  return authProviders(env).map((provider) =>
    typeof provider === "function" ? provider().id : provider.id,
  );
}

describe("authProviders", () => {
  it("without GitHub variables: password only", () => {
    expect(providerIds({})).toEqual(["credentials"]);
    expect(providerIds({ AUTH_GITHUB_ID: "", AUTH_GITHUB_SECRET: "" })).toEqual(["credentials"]);
  });

  it("with both GitHub variables: adds GitHub", () => {
    const env = { AUTH_GITHUB_ID: "Iv1.0123456789abcdef", AUTH_GITHUB_SECRET: "s3cret" };
    expect(providerIds(env)).toEqual(["credentials", "github"]);
  });
});

describe("githubCredentials", () => {
  it("returns the client id and secret", () => {
    expect(githubCredentials({ AUTH_GITHUB_ID: "id", AUTH_GITHUB_SECRET: "secret" })).toEqual({
      clientId: "id",
      clientSecret: "secret",
    });
  });

  it("names the missing secret", () => {
    expect(() => githubCredentials({ AUTH_GITHUB_ID: "id" })).toThrow(ConfigError);
    expect(() => githubCredentials({ AUTH_GITHUB_ID: "id" })).toThrow(
      "AUTH_GITHUB_ID is set but AUTH_GITHUB_SECRET is not.",
    );
  });

  it("names the missing id", () => {
    expect(() => githubCredentials({ AUTH_GITHUB_SECRET: "secret" })).toThrow(
      "AUTH_GITHUB_SECRET is set but AUTH_GITHUB_ID is not.",
    );
  });
});
