import { logger } from "@/lib/log";
import { ApiError, errorResponse, toApiError } from "./errors";

type Handler<Context> = (request: Request, context: Context) => Promise<Response>;

/**
 * Wraps a route handler so that thrown errors become the one error body, and every
 * request logs one line with its outcome. The path is logged without its query string,
 * which may hold a key.
 */
export function withErrors<Context = unknown>(
  route: string,
  handler: Handler<Context>,
): Handler<Context> {
  return async (request, context) => {
    const started = performance.now();
    let response: Response;
    let code: string | undefined;
    try {
      response = await handler(request, context);
    } catch (error) {
      const apiError = toApiError(error, { route });
      code = apiError.code;
      response = errorResponse(apiError);
    }
    logger.info(
      {
        route,
        method: request.method,
        status: response.status,
        code,
        ms: Math.round(performance.now() - started),
      },
      "request",
    );
    return response;
  };
}

/** A handler for the methods a route does not serve, with the one error body and `Allow`. */
export function methodNotAllowed(allowed: string): (request: Request) => Promise<Response> {
  return async (request) =>
    errorResponse(
      new ApiError(
        "method_not_allowed",
        `${request.method} is not supported on ${new URL(request.url).pathname}; use ${allowed}.`,
      ),
      { Allow: allowed },
    );
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Decodes a JSON body, or throws a 400 when it is not UTF-8. JSON must be UTF-8, and a
 * lenient decoder would turn the bad bytes into U+FFFD, so a job id with one bad byte
 * would silently name another card.
 */
export function decodeJsonText(bytes: Uint8Array): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    throw new ApiError(
      "invalid_json",
      "The request body is not valid UTF-8; send the JSON encoded as UTF-8.",
    );
  }
}

/**
 * Reads a JSON object body, or throws a 400 that names what is wrong with it. `example`
 * shows the expected object in the messages.
 */
export async function readJsonObject(
  request: Request,
  example?: string,
): Promise<Record<string, unknown>> {
  return parseJsonObject(decodeJsonText(new Uint8Array(await request.arrayBuffer())), example);
}

/**
 * Parses a request body that must be a JSON object, or throws a 400 that names what is
 * wrong with it. `example` shows the expected object in the messages, such as `{"input": {...}}`.
 */
export function parseJsonObject(text: string, example?: string): Record<string, unknown> {
  const expected = example ? `a JSON object such as ${example}` : "a JSON object";
  if (text.trim() === "")
    throw new ApiError("empty_body", `The request body is empty; send ${expected}.`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ApiError(
      "invalid_json",
      `The request body is not valid JSON: ${(error as Error).message}. Send ${expected}.`,
    );
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    const found = Array.isArray(parsed)
      ? "an array"
      : parsed === null
        ? "null"
        : `a ${typeof parsed}`;
    throw new ApiError("invalid_body", `The request body must be ${expected}, but it is ${found}.`);
  }
  return parsed as Record<string, unknown>;
}

/**
 * Reads a request body up to `maxBytes`, without buffering more than that. A body over
 * the limit, declared or found while reading, still returns its first `maxBytes` bytes
 * so the caller can log what was sent.
 */
export async function readBodyCapped(
  request: Request,
  maxBytes: number,
): Promise<{ bytes: Uint8Array; tooLarge: boolean }> {
  const declared = Number(request.headers.get("content-length"));
  const reader = request.body?.getReader();
  if (!reader) return { bytes: new Uint8Array(), tooLarge: false };
  const chunks: Uint8Array[] = [];
  let total = 0;
  let tooLarge = false;
  while (!tooLarge) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      chunks.push(value.subarray(0, value.byteLength - (total - maxBytes)));
      tooLarge = true;
      break;
    }
    chunks.push(value);
  }
  if (tooLarge) await reader.cancel().catch(() => {});
  return {
    bytes: Buffer.concat(chunks),
    tooLarge: tooLarge || (Number.isFinite(declared) && declared > maxBytes),
  };
}
