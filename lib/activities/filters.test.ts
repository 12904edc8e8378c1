import { describe, expect, it } from "vitest";
import {
  type FilterableActivity,
  filtersToParams,
  matchesFilters,
  parseBoardFilters,
} from "./filters";

const card: FilterableActivity = {
  key: "9f2c-Job-u1",
  jobName: "Render Frames",
  endpoint: "ep-video",
  state: "running",
  closedAt: null,
  updatedAt: "2026-12-04T12:00:00.000Z",
};

describe("parseBoardFilters", () => {
  it("accepts every valid parameter", () => {
    const { filters, errors } = parseBoardFilters({
      status: "open",
      state: "timed_out",
      endpoint: "abcdefgh012345",
      q: " frames ",
      since: "2026-12-01",
      until: "2026-12-04T21:30:00Z",
    });
    expect(errors).toEqual([]);
    expect(filters.status).toBe("open");
    expect(filters.state).toBe("timed_out");
    expect(filters.endpoint).toBe("abcdefgh012345");
    expect(filters.q).toBe("frames");
    expect(filters.since?.toISOString()).toBe("2026-12-01T00:00:00.000Z");
    expect(filters.until?.toISOString()).toBe("2026-12-04T21:30:00.000Z");
  });

  it("reads a date without a zone as UTC", () => {
    const { filters } = parseBoardFilters({ since: "2026-12-04T08:15" });
    expect(filters.since?.toISOString()).toBe("2026-12-04T08:15:00.000Z");
  });

  it("ignores empty parameters", () => {
    expect(parseBoardFilters({ status: "", q: "   ", state: undefined })).toEqual({
      filters: {},
      errors: [],
    });
  });

  it.each([
    ["status", "pending", "status=pending is not a status"],
    ["state", "done", "state=done is not a state"],
    ["endpoint", "ep-video", "endpoint=ep-video is not a RunPod endpoint id"],
    ["since", "yesterday", "since=yesterday is not a date"],
    ["until", "2026-13-45", "until=2026-13-45 is not a date"],
  ])("rejects %s=%s naming the value", (name, value, message) => {
    const { filters, errors } = parseBoardFilters({ [name]: value });
    expect(filters).toEqual({});
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(message);
  });

  it("rejects a search longer than the limit", () => {
    const { filters, errors } = parseBoardFilters({ q: "x".repeat(300) });
    expect(filters.q).toBeUndefined();
    expect(errors[0]).toContain("300 characters");
  });

  it("rejects since that is not before until", () => {
    const { filters, errors } = parseBoardFilters({ since: "2026-12-05", until: "2026-12-04" });
    expect(filters.since).toBeUndefined();
    expect(filters.until).toBeUndefined();
    expect(errors[0]).toContain("is not before until");
  });

  it("keeps valid parameters next to invalid ones", () => {
    const { filters, errors } = parseBoardFilters({ state: "bogus", endpoint: "abcdefgh012345" });
    expect(filters).toEqual({ endpoint: "abcdefgh012345" });
    expect(errors).toHaveLength(1);
  });

  it("round-trips through query parameters", () => {
    const { filters } = parseBoardFilters({ state: "failed", q: "abc", since: "2026-12-01" });
    const again = parseBoardFilters(Object.fromEntries(filtersToParams(filters)));
    expect(again).toEqual({ filters, errors: [] });
  });
});

describe("matchesFilters", () => {
  it("matches a card with no filters", () => {
    expect(matchesFilters(card, {})).toBe(true);
  });

  it("filters by open and closed", () => {
    expect(matchesFilters(card, { status: "open" })).toBe(true);
    expect(matchesFilters(card, { status: "closed" })).toBe(false);
    const closed = { ...card, state: "completed" as const, closedAt: card.updatedAt };
    expect(matchesFilters(closed, { status: "closed" })).toBe(true);
    expect(matchesFilters(closed, { status: "open" })).toBe(false);
  });

  it("filters by state and endpoint", () => {
    expect(matchesFilters(card, { state: "running" })).toBe(true);
    expect(matchesFilters(card, { state: "queued" })).toBe(false);
    expect(matchesFilters(card, { endpoint: "ep-video" })).toBe(true);
    expect(matchesFilters(card, { endpoint: "ep-audio" })).toBe(false);
    expect(matchesFilters({ ...card, endpoint: null }, { endpoint: "ep-video" })).toBe(false);
  });

  it("searches job id by prefix, ignoring case", () => {
    expect(matchesFilters(card, { q: "9F2C" })).toBe(true);
    expect(matchesFilters(card, { q: "9f2c-job-u1" })).toBe(true);
    expect(matchesFilters(card, { q: "job-u1" })).toBe(false);
  });

  it("searches job name by substring, ignoring case", () => {
    expect(matchesFilters(card, { q: "FRAMES" })).toBe(true);
    expect(matchesFilters(card, { q: "der fr" })).toBe(true);
    expect(matchesFilters(card, { q: "audio" })).toBe(false);
    expect(matchesFilters({ ...card, jobName: null }, { q: "frames" })).toBe(false);
  });

  it("treats since as inclusive and until as exclusive", () => {
    const at = new Date(card.updatedAt as string);
    expect(matchesFilters(card, { since: at })).toBe(true);
    expect(matchesFilters(card, { until: at })).toBe(false);
    expect(matchesFilters(card, { until: new Date(at.getTime() + 1) })).toBe(true);
    expect(matchesFilters(card, { since: new Date(at.getTime() + 1) })).toBe(false);
  });
});
