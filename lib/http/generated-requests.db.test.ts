import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { POST as activityRoute } from "@/app/v1/activity/[action]/route";
import { POST as webhookRoute } from "@/app/v1/webhooks/runpod/route";
import { MAX_JOB_NAME_LENGTH } from "@/lib/activities/api";
import { getActivityByKey, listBoard } from "@/lib/activities/store";
import { ENDPOINT_ID_PATTERN } from "@/lib/runpod/status";
import {
  createTestAccount,
  jobId,
  postActivity,
  postWebhook,
  runpodStart,
} from "@/lib/testing/fixtures";
import { eventsOf } from "@/lib/testing/records";

// Generated requests through the real route handlers. Whatever arrives, the API responds
// with a status below 500 and the one error body, and a request it rejects leaves the
// account's cards and events exactly as they were.
//
// Generators produce small descriptions (a depth, a length) and the body is built from
// them inside the property, because fast-check prints every counterexample and cannot
// print a value nested thousands of levels deep.

// Enough runs to reach every generator branch several times on each driver, in seconds.
const RUNS = 40;

interface Target {
  account: Awaited<ReturnType<typeof createTestAccount>>;
  openKey: string;
  closedKey: string;
}

/** A piece of JSON text: a value, a string of `length` x's, or arrays nested `depth` deep. */
type Piece = { json: unknown } | { length: number } | { depth: number };

const encoder = new TextEncoder();

function utf8(text: string): Uint8Array<ArrayBuffer> {
  return encoder.encode(text) as Uint8Array<ArrayBuffer>;
}

function pieceText(piece: Piece): string {
  if ("depth" in piece) return "[".repeat(piece.depth) + "]".repeat(piece.depth);
  if ("length" in piece) return `"${"x".repeat(piece.length)}"`;
  return JSON.stringify(piece.json) ?? "null";
}

/** Builds a JSON object's text from pieces, so that any field can be nested deeply. */
function objectText(fields: Record<string, Piece>): string {
  const members = Object.entries(fields).map(
    ([name, piece]) => `${JSON.stringify(name)}:${pieceText(piece)}`,
  );
  return `{${members.join(",")}}`;
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

const deep = fc.integer({ min: 1000, max: 100_000 }).map((depth): Piece => ({ depth }));
const huge = fc.integer({ min: 257, max: 300_000 }).map((length): Piece => ({ length }));
const anyJson = fc.jsonValue().map((json): Piece => ({ json }));
/** Pieces that are not a JSON string. */
const notAString = fc.oneof(
  fc
    .jsonValue()
    .filter((value) => typeof value !== "string")
    .map((json): Piece => ({ json })),
  deep,
);

// Byte sequences that are not UTF-8: a lone 0xFF, a cut two-byte character, an encoded
// surrogate, a lone continuation byte and a five-byte form.
const invalidUtf8 = fc.constantFrom<number[]>(
  [0xff],
  [0xc3],
  [0xed, 0xa0, 0x80],
  [0x80],
  [0xf8, 0x88, 0x80, 0x80, 0x80],
);

/** JSON object text with `bytes` spliced into the string value that starts at `marker`. */
function withBytesAfter(text: string, marker: string, bytes: number[]): Uint8Array<ArrayBuffer> {
  const at = text.indexOf(marker) + marker.length;
  return new Uint8Array(
    Buffer.concat([utf8(text.slice(0, at)), new Uint8Array(bytes), utf8(text.slice(at))]),
  );
}

const contentType = fc.oneof(
  fc.constantFrom(
    "application/json",
    "application/json; charset=latin1",
    "text/plain",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=chirp",
    "application/octet-stream",
    "",
  ),
  fc.string({ unit: "grapheme-ascii", maxLength: 40 }),
);

async function snapshot(accountId: string) {
  return {
    cards: await listBoard({ accountId, limit: 1000 }),
    events: await eventsOf(accountId),
  };
}

/** Checks that a response is below 500 and JSON, with the one error body on a 4xx. */
async function expectWellFormed(response: Response, label: string): Promise<void> {
  expect(response.status, label).toBeLessThan(500);
  const json = (await response.json()) as { error?: { code?: unknown; message?: unknown } };
  if (response.status >= 400) {
    expect(typeof json.error?.code, label).toBe("string");
    expect(typeof json.error?.message, label).toBe("string");
  }
}

function sendWebhook(
  query: string,
  body: Uint8Array<ArrayBuffer>,
  headers: Record<string, string> = { "content-type": "application/json" },
): Promise<Response> {
  return webhookRoute(
    new Request(`http://chirp.test/v1/webhooks/runpod${query}`, { method: "POST", headers, body }),
    undefined,
  );
}

function sendActivity(
  action: string,
  body: Uint8Array<ArrayBuffer>,
  headers: Record<string, string>,
): Promise<Response> {
  return activityRoute(
    new Request(`http://chirp.test/v1/activity/${action}`, { method: "POST", headers, body }),
    { params: Promise.resolve({ action }) },
  );
}

async function prepareTarget(): Promise<Target> {
  const account = await createTestAccount();
  const openKey = jobId();
  const closedKey = jobId();
  expect((await postActivity("start", account.apiKey, runpodStart(openKey))).status).toBe(201);
  const closing = await postWebhook(account.webhookKey, { id: closedKey, status: "FAILED" });
  expect(closing.status).toBe(200);
  return { account, openKey, closedKey };
}

type InvalidBody =
  | { kind: "not an object"; value: unknown }
  | { kind: "not JSON"; text: string }
  | { kind: "random bytes"; bytes: number[] }
  | { kind: "no id"; fields: Record<string, Piece> }
  | { kind: "id not a string"; id: Piece; status: Piece }
  | { kind: "id empty, too long or with a control character"; id: Piece }
  | { kind: "invalid UTF-8"; card: "open" | "closed"; field: string; bytes: number[] };

/** Webhook bodies that must be rejected whatever the key, each naming its defect. */
const invalidWebhookBody: fc.Arbitrary<InvalidBody> = fc.oneof(
  fc
    .jsonValue()
    .filter((value) => value === null || typeof value !== "object" || Array.isArray(value))
    .map((value) => ({ kind: "not an object" as const, value })),
  fc
    .string()
    .filter((text) => !isJson(text))
    .map((text) => ({ kind: "not JSON" as const, text })),
  fc
    .array(fc.integer({ min: 0, max: 255 }), { maxLength: 300 })
    .filter((bytes) => bytes[0] !== 0x7b)
    .map((bytes) => ({ kind: "random bytes" as const, bytes })),
  fc
    .dictionary(
      fc.string().filter((name) => name !== "id"),
      fc.oneof(anyJson, deep),
      { maxKeys: 4 },
    )
    .map((fields) => ({ kind: "no id" as const, fields })),
  fc
    .record({ id: notAString, status: anyJson })
    .map((fields) => ({ kind: "id not a string" as const, ...fields })),
  fc
    .oneof(
      huge,
      fc.constant<Piece>({ json: "" }),
      fc.string().map((text): Piece => ({ json: `${text}\n${text}` })),
    )
    .map((id) => ({ kind: "id empty, too long or with a control character" as const, id })),
  fc
    .record({
      card: fc.constantFrom("open" as const, "closed" as const),
      field: fc.constantFrom("id", "error", "workerId"),
      bytes: invalidUtf8,
    })
    .map((fields) => ({ kind: "invalid UTF-8" as const, ...fields })),
);

function invalidWebhookBytes(body: InvalidBody, target: Target): Uint8Array<ArrayBuffer> {
  switch (body.kind) {
    case "not an object":
      return utf8(JSON.stringify(body.value));
    case "not JSON":
      return utf8(body.text);
    case "random bytes":
      return new Uint8Array(body.bytes);
    case "no id":
      return utf8(objectText({ status: { json: "COMPLETED" }, ...body.fields }));
    case "id not a string":
      return utf8(objectText({ id: body.id, status: body.status }));
    case "id empty, too long or with a control character":
      return utf8(objectText({ id: body.id, status: { json: "COMPLETED" } }));
    case "invalid UTF-8": {
      const key = body.card === "open" ? target.openKey : target.closedKey;
      const text = JSON.stringify({ id: key, status: "FAILED", error: "oom", workerId: "w1" });
      return withBytesAfter(text, `"${body.field}":"`, body.bytes);
    }
  }
}

describe("generated webhook requests", () => {
  let target: Target;
  beforeAll(async () => {
    target = await prepareTarget();
  });

  it("invalid bodies change no card", async () => {
    await fc.assert(
      fc.asyncProperty(invalidWebhookBody, contentType, async (body, type) => {
        const accountId = target.account.account.id;
        const before = await snapshot(accountId);

        const response = await sendWebhook(
          `?key=${target.account.webhookKey}`,
          invalidWebhookBytes(body, target),
          { "content-type": type },
        );

        await expectWellFormed(response, body.kind);
        expect(response.status, body.kind).toBeGreaterThanOrEqual(400);
        expect(await snapshot(accountId), body.kind).toEqual(before);
      }),
      { numRuns: RUNS },
    );
  });

  it("bad keys change no card", async () => {
    const { webhookKey, apiKey } = target.account;
    const forged = `${webhookKey.slice(0, -1)}${webhookKey.endsWith("0") ? "1" : "0"}`;
    const named = {
      "no key": "",
      "empty key": "?key=",
      "key in another case": `?Key=${webhookKey}`,
      "API key": `?key=${apiKey}`,
      "forged key": `?key=${forged}`,
      "valid key, then a forged one": `?key=${webhookKey}&key=${forged}`,
      "forged key, then a valid one": `?key=${forged}&key=${webhookKey}`,
      "valid key, then an API key": `?key=${webhookKey}&key=${apiKey}`,
    };
    const query = fc.oneof(
      fc.constantFrom(...Object.keys(named)).map((label) => ({
        label,
        query: named[label as keyof typeof named],
      })),
      fc.string({ maxLength: 300 }).map((text) => ({
        label: `key ${JSON.stringify(text)}`,
        query: `?key=${encodeURIComponent(text)}`,
      })),
      fc.integer({ min: 300, max: 100_000 }).map((length) => ({
        label: `key of ${length} characters`,
        query: `?key=${"k".repeat(length)}`,
      })),
    );
    await fc.assert(
      fc.asyncProperty(
        query,
        fc.constantFrom("COMPLETED", "FAILED", "CANCELLED"),
        async ({ label, query: search }, status) => {
          const accountId = target.account.account.id;
          const before = await snapshot(accountId);

          const response = await sendWebhook(
            search,
            utf8(JSON.stringify({ id: target.openKey, status })),
          );

          await expectWellFormed(response, label);
          expect(response.status, label).toBe(401);
          expect(await snapshot(accountId), label).toEqual(before);
        },
      ),
      {
        numRuns: RUNS,
        examples: Object.keys(named).map((label) => [
          { label, query: named[label as keyof typeof named] },
          "FAILED",
        ]),
      },
    );
  });

  it("any fields with a valid id are accepted", async () => {
    const field = fc.oneof(
      anyJson,
      fc.double().map((json): Piece => ({ json })),
      fc
        .constantFrom(1e300, -1, 2 ** 63, Number.MAX_SAFE_INTEGER + 2)
        .map((json): Piece => ({ json })),
      huge,
      deep,
    );
    const fields = fc.dictionary(
      fc.constantFrom(
        "delayTime",
        "executionTime",
        "workerId",
        "error",
        "output",
        "input",
        "webhook",
      ),
      field,
    );
    const status = fc.oneof(
      fc.constantFrom("COMPLETED", "failed", "TIMED_OUT", "CANCELLED", "IN_QUEUE", "IN_PROGRESS"),
      fc.string(),
    );
    await fc.assert(
      fc.asyncProperty(status, fields, async (word, extra) => {
        const id = jobId();
        const label = `${word} ${JSON.stringify(extra)}`;

        const response = await sendWebhook(
          `?key=${target.account.webhookKey}`,
          utf8(objectText({ ...extra, id: { json: id }, status: { json: word } })),
        );

        expect(response.status, label).toBe(200);
        const body = (await response.json()) as { activityId: string | null };
        const card = await getActivityByKey({ accountId: target.account.account.id, key: id });
        expect(card?.id ?? null, label).toBe(body.activityId);
      }),
      {
        numRuns: RUNS,
        examples: [
          ["FAILED", { error: { depth: 10_000 } }],
          ["FAILED", { error: { json: { error_message: [[["deep"]]] } } }],
          ["COMPLETED", { delayTime: { json: 1e300 }, executionTime: { json: 2 ** 63 } }],
        ],
      },
    );
  });
});

const activityFields = [
  "key",
  "jobName",
  "endpoint",
  "queuePosition",
  "gpuType",
  "progress",
  "status",
  "error",
];

/** One data field with a value that no activity action accepts. */
const badDataField: fc.Arbitrary<Record<string, Piece>> = fc.oneof(
  fc.record({
    jobName: fc.oneof(
      notAString,
      fc
        .integer({ min: MAX_JOB_NAME_LENGTH + 1, max: 300_000 })
        .map((length): Piece => ({ length })),
      fc.constantFrom<Piece>({ json: "   " }, { json: "a\u0000b" }),
    ),
  }),
  fc.record({
    endpoint: fc.oneof(
      notAString,
      fc
        .string()
        .filter((text) => !ENDPOINT_ID_PATTERN.test(text))
        .map((json): Piece => ({ json })),
    ),
  }),
  fc.record({
    queuePosition: fc.oneof(
      fc.integer({ max: -1 }).map((json): Piece => ({ json })),
      fc
        .double({ noInteger: true, noNaN: true, noDefaultInfinity: true })
        .map((json): Piece => ({ json })),
      fc
        .constantFrom(2 ** 31, 1e12, Number.MAX_SAFE_INTEGER, 1e300)
        .map((json): Piece => ({ json })),
      fc.string().map((json): Piece => ({ json })),
    ),
  }),
  fc.record({ gpuType: fc.oneof(notAString, huge, fc.constant<Piece>({ json: "" })) }),
  fc.record({
    progress: fc.oneof(
      huge,
      fc.integer().map((json): Piece => ({ json })),
    ),
  }),
  fc.record({
    status: fc.oneof(
      notAString,
      fc
        .string()
        .filter((text) => !/^(completed|failed|timed_out|cancelled)$/i.test(text))
        .map((json): Piece => ({ json })),
    ),
  }),
  fc.record({ error: fc.oneof(notAString, fc.constant<Piece>({ length: 2001 })) }),
  fc.dictionary(
    fc.string().filter((name) => !activityFields.includes(name)),
    fc.oneof(anyJson, deep),
    { minKeys: 1, maxKeys: 3 },
  ),
);

type MalformedActivityBody =
  | { kind: "any JSON"; value: unknown }
  | { kind: "random bytes"; bytes: number[] }
  | { kind: "data nested deeply"; depth: number }
  | { kind: "schema_id not a string"; card: "open" | "closed"; schemaId: Piece }
  | { kind: "invalid UTF-8"; card: "open" | "closed"; field: "key" | "jobName"; bytes: number[] };

const card = fc.constantFrom("open" as const, "closed" as const);

const malformedActivityBody: fc.Arbitrary<MalformedActivityBody> = fc.oneof(
  fc.jsonValue().map((value) => ({ kind: "any JSON" as const, value })),
  fc
    .array(fc.integer({ min: 0, max: 255 }), { maxLength: 300 })
    .map((bytes) => ({ kind: "random bytes" as const, bytes })),
  fc
    .integer({ min: 1000, max: 100_000 })
    .map((depth) => ({ kind: "data nested deeply" as const, depth })),
  fc
    .record({ card, schemaId: notAString })
    .map((fields) => ({ kind: "schema_id not a string" as const, ...fields })),
  fc
    .record({
      card,
      field: fc.constantFrom("key" as const, "jobName" as const),
      bytes: invalidUtf8,
    })
    .map((fields) => ({ kind: "invalid UTF-8" as const, ...fields })),
);

function malformedActivityBytes(body: MalformedActivityBody, target: Target) {
  const keyOf = (which: "open" | "closed") =>
    which === "open" ? target.openKey : target.closedKey;
  switch (body.kind) {
    case "any JSON":
      return utf8(JSON.stringify(body.value));
    case "random bytes":
      return new Uint8Array(body.bytes);
    case "data nested deeply":
      return utf8(objectText({ schema_id: { json: "@runpod" }, data: { depth: body.depth } }));
    case "schema_id not a string":
      return utf8(
        objectText({
          schema_id: body.schemaId,
          data: { json: { key: keyOf(body.card), status: "FAILED" } },
        }),
      );
    case "invalid UTF-8": {
      const data = { key: keyOf(body.card), jobName: "render", status: "FAILED" };
      const text = JSON.stringify({ schema_id: "@runpod", data });
      return withBytesAfter(text, `"${body.field}":"`, body.bytes);
    }
  }
}

describe("generated activity requests", () => {
  let target: Target;
  beforeAll(async () => {
    target = await prepareTarget();
  });

  const action = fc.constantFrom("start", "update", "end");
  const authorized = (apiKey: string) => ({
    authorization: `Bearer ${apiKey}`,
    "content-type": "application/json",
  });

  it("invalid fields change no card", async () => {
    await fc.assert(
      fc.asyncProperty(action, card, badDataField, async (name, which, bad) => {
        const accountId = target.account.account.id;
        const key = which === "open" ? target.openKey : target.closedKey;
        const label = `${name} ${JSON.stringify(bad)}`;
        const before = await snapshot(accountId);

        const data = objectText({ key: { json: key }, queuePosition: { json: 2 }, ...bad });
        const response = await sendActivity(
          name,
          utf8(`{"schema_id":"@runpod","data":${data}}`),
          authorized(target.account.apiKey),
        );

        await expectWellFormed(response, label);
        expect(response.status, label).toBe(422);
        expect(await snapshot(accountId), label).toEqual(before);
      }),
      {
        numRuns: RUNS,
        examples: [
          ["update", "open", { queuePosition: { json: 2 ** 31 } }],
          ["start", "open", { jobName: { depth: 10_000 } }],
        ],
      },
    );
  });

  it("malformed bodies change no card", async () => {
    await fc.assert(
      fc.asyncProperty(action, malformedActivityBody, contentType, async (name, body, type) => {
        const accountId = target.account.account.id;
        const before = await snapshot(accountId);

        const response = await sendActivity(name, malformedActivityBytes(body, target), {
          ...authorized(target.account.apiKey),
          "content-type": type,
        });

        await expectWellFormed(response, body.kind);
        // Any JSON may, rarely, be a valid request for a new key and open a card.
        if (body.kind !== "any JSON") {
          expect(response.status, body.kind).toBeGreaterThanOrEqual(400);
          expect(await snapshot(accountId), body.kind).toEqual(before);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it("bad credentials change no card", async () => {
    const { apiKey, webhookKey } = target.account;
    const authorization = fc.oneof(
      fc.constantFrom(
        undefined,
        "",
        apiKey,
        `Basic ${apiKey}`,
        `Bearer ${webhookKey}`,
        `Bearer ${apiKey} ${apiKey}`,
        `Bearer ${apiKey.slice(0, -1)}${apiKey.endsWith("0") ? "1" : "0"}`,
      ),
      fc.string({ unit: "grapheme-ascii", maxLength: 200 }).map((text) => `Bearer ${text}`),
    );
    await fc.assert(
      fc.asyncProperty(action, authorization, async (name, header) => {
        const accountId = target.account.account.id;
        const label = `${name} ${header}`;
        const before = await snapshot(accountId);

        const headers: Record<string, string> = { "content-type": "application/json" };
        if (header !== undefined) headers.authorization = header;
        const data = { key: target.openKey, status: "FAILED" };
        const response = await sendActivity(
          name,
          utf8(JSON.stringify({ schema_id: "@runpod", data })),
          headers,
        );

        await expectWellFormed(response, label);
        expect(response.status, label).toBe(401);
        expect(await snapshot(accountId), label).toEqual(before);
      }),
      { numRuns: RUNS },
    );
  });
});
