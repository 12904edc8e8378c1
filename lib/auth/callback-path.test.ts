import { describe, expect, it } from "vitest";
import { callbackPath } from "./callback-path";

describe("callbackPath", () => {
  it("keeps a local path with its query", () => {
    expect(callbackPath("/keys?tab=webhook")).toBe("/keys?tab=webhook");
  });

  it("keeps only the path of a full URL", () => {
    expect(callbackPath("http://127.0.0.1:3000/keys")).toBe("/keys");
  });

  it("never leaves the site", () => {
    expect(callbackPath("https://evil.example/keys")).toBe("/keys");
    expect(callbackPath("//evil.example/keys")).toBe("/keys");
    expect(callbackPath("http://localhost//evil.example/keys")).toBe("/evil.example/keys");
    expect(callbackPath("/\\evil.example/keys")).toBe("/keys");
  });

  it("leads to the board from the sign-in pages", () => {
    expect(callbackPath("/sign-in")).toBe("/");
    expect(callbackPath("http://localhost:3000/sign-up")).toBe("/");
  });

  it("leads to the board without a value", () => {
    expect(callbackPath(undefined)).toBe("/");
    expect(callbackPath("")).toBe("/");
    expect(callbackPath(["/keys"])).toBe("/");
  });
});
