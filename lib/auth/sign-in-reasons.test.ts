import { describe, expect, it } from "vitest";
import { SESSION_ENDED_MESSAGE, SESSION_ENDED_REASON, signInNotice } from "./sign-in-reasons";

describe("signInNotice", () => {
  it("session ended: explains why", () => {
    expect(signInNotice(SESSION_ENDED_REASON)).toBe(SESSION_ENDED_MESSAGE);
  });

  it("no reason: no notice", () => {
    expect(signInNotice(undefined)).toBeUndefined();
    expect(signInNotice("")).toBeUndefined();
  });

  it("unknown reason: no notice", () => {
    for (const reason of ["SESSION-ENDED", "session_ended", "Call us at 555"]) {
      expect(signInNotice(reason), reason).toBeUndefined();
    }
  });

  it("prototype property names: no notice", () => {
    for (const reason of ["constructor", "toString", "__proto__", "hasOwnProperty"]) {
      expect(signInNotice(reason), reason).toBeUndefined();
    }
  });

  it("repeated reason: no notice", () => {
    expect(signInNotice([SESSION_ENDED_REASON, SESSION_ENDED_REASON])).toBeUndefined();
  });
});
