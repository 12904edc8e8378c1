import { describe, expect, it } from "vitest";
import { REDACTED, redactSecrets } from "./redact";

const WEBHOOK_KEY =
  "chirp_wh_3f9a_k7m2q9x4v1b8n3pq_ABCDEFGHIJKLMNOPQRSTUVWXYZ012345_0123456789abcdef0123456789abcdef";
const API_KEY =
  "chirp_api_3f9a_p1awbdsmhschpq00_abcdefghijklmnopqrstuvwxyz012345_fedcba9876543210fedcba9876543210";

describe("redactSecrets", () => {
  it("removes the key from an echoed webhook URL", () => {
    const body = JSON.stringify({
      id: "3f2a9c4e-8b1d-4e7a-9c55-0d6e2b7f1a93-u1",
      status: "COMPLETED",
      webhook: `https://chirp.example.test/v1/webhooks/runpod?key=${WEBHOOK_KEY}`,
    });

    const redacted = redactSecrets(body);

    expect(redacted).not.toContain(WEBHOOK_KEY);
    expect(redacted).toContain(
      `"webhook":"https://chirp.example.test/v1/webhooks/runpod?key=${REDACTED}"`,
    );
    expect(redacted).toContain('"id":"3f2a9c4e-8b1d-4e7a-9c55-0d6e2b7f1a93-u1"');
  });

  it("removes a bare Chirp key of either kind", () => {
    expect(redactSecrets(`Bearer ${API_KEY}`)).toBe(`Bearer ${REDACTED}`);
    expect(redactSecrets(`key ${WEBHOOK_KEY} leaked`)).toBe(`key ${REDACTED} leaked`);
  });

  it("removes a truncated Chirp key", () => {
    expect(redactSecrets(`got ${WEBHOOK_KEY.slice(0, 40)}`)).toBe(`got ${REDACTED}`);
  });

  it.each([
    [
      "a later query parameter",
      "https://x.test/hook?a=1&key=s3cret&b=2",
      "https://x.test/hook?a=1&key=[redacted]&b=2",
    ],
    ["an HTML-escaped ampersand", "/hook?a=1&amp;key=s3cret", "/hook?a=1&amp;key=[redacted]"],
    ["an upper-case name", "/hook?KEY=s3cret", "/hook?KEY=[redacted]"],
    ["a fragment", "/hook?key=s3cret#top", "/hook?key=[redacted]#top"],
    [
      "a JSON-escaped URL",
      '"https:\\/\\/x.test\\/hook?key=s3cret"',
      '"https:\\/\\/x.test\\/hook?key=[redacted]"',
    ],
  ])("removes any key= value after %s", (_label, text, expected) => {
    expect(redactSecrets(text)).toBe(expected);
  });

  it("removes every occurrence", () => {
    const text = `${WEBHOOK_KEY} and again ?key=${WEBHOOK_KEY} and ${API_KEY}`;

    const redacted = redactSecrets(text);

    expect(redacted).not.toContain("chirp_wh_");
    expect(redacted).not.toContain("chirp_api_");
    expect(redacted.split(REDACTED)).toHaveLength(4);
  });

  it.each([
    "3f2a9c4e-8b1d-4e7a-9c55-0d6e2b7f1a93-u1",
    '{"monkey":"banana","keys":["a"]}',
    "https://x.test/hook?apikey=public&monkey=1",
    "chirp_example is not a key",
  ])("leaves %j unchanged", (text) => {
    expect(redactSecrets(text)).toBe(text);
  });
});
