import { describe, expect, it } from "vitest";
import { parsePresentation, withPresentation } from "./card-presentation";

describe("parsePresentation", () => {
  it("defaults to the Lock Screen without a parameter", () => {
    expect(parsePresentation({})).toEqual({ presentation: "lock-screen" });
    expect(parsePresentation({ presentation: " " })).toEqual({ presentation: "lock-screen" });
  });

  it.each(["lock-screen", "compact", "minimal", "expanded"])("accepts %s", (name) => {
    expect(parsePresentation({ presentation: name })).toEqual({ presentation: name });
  });

  it("takes the first of repeated parameters", () => {
    expect(parsePresentation({ presentation: ["minimal", "compact"] }).presentation).toBe(
      "minimal",
    );
  });

  it("names an unknown value and falls back", () => {
    const parsed = parsePresentation({ presentation: "island" });
    expect(parsed.presentation).toBe("lock-screen");
    expect(parsed.error).toBe(
      "presentation=island is not a card presentation; use one of lock-screen, compact, minimal, expanded.",
    );
  });
});

describe("withPresentation", () => {
  it("keeps the filters and sets the presentation", () => {
    const params = withPresentation(new URLSearchParams("state=failed&q=sdxl"), "compact");
    expect(params.toString()).toBe("state=failed&q=sdxl&presentation=compact");
  });

  it("leaves the default out of the URL", () => {
    const params = withPresentation(
      new URLSearchParams("state=failed&presentation=minimal"),
      "lock-screen",
    );
    expect(params.toString()).toBe("state=failed");
  });

  it("does not change the parameters it is given", () => {
    const original = new URLSearchParams("presentation=minimal");
    withPresentation(original, "expanded");
    expect(original.toString()).toBe("presentation=minimal");
  });
});
