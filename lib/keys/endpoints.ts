import type { KeyKind } from "@/lib/db/schema";
import { ApiError } from "@/lib/http/errors";
import { ENDPOINT_ID_PATTERN } from "@/lib/runpod/status";

/**
 * Endpoint scopes: a webhook key may be limited to a list of RunPod endpoint ids. A
 * delivery for a card on another endpoint is recorded but leaves the card as it was.
 */

/** The maximum number of endpoint ids in one key's scope. */
export const MAX_SCOPED_ENDPOINTS = 100;

function invalidScope(message: string): ApiError {
  return new ApiError("invalid_fields", message, [{ field: "endpointIds", message }]);
}

// The dashboard key forms' wording for allowing every endpoint.
const ALLOW_ANY_IN_FORMS = "allow any endpoint";

/**
 * Splits a list of endpoint ids written with commas or spaces ("a,b" or "a, b") and
 * checks it like `checkEndpointIds`. `allowAny` is the caller's wording for allowing every
 * endpoint, used in the message about an empty list.
 */
export function parseEndpointIds(text: string, allowAny = ALLOW_ANY_IN_FORMS): string[] {
  return checkEndpointIds(
    text.split(/[\s,]+/).filter((id) => id !== ""),
    allowAny,
  );
}

/**
 * Returns the endpoint ids sorted and without repeats, or throws `invalid_fields` naming
 * the first id that is not a RunPod endpoint id. An empty list is invalid, because a key
 * that may change no card is better revoked. `allowAny` is the caller's wording for
 * allowing every endpoint instead.
 */
export function checkEndpointIds(ids: readonly string[], allowAny = ALLOW_ANY_IN_FORMS): string[] {
  if (ids.length === 0) {
    throw invalidScope(
      `The endpoint list is empty; give at least one RunPod endpoint id, or ${allowAny}.`,
    );
  }
  for (const id of ids) {
    if (!ENDPOINT_ID_PATTERN.test(id)) {
      throw invalidScope(
        `"${id}" is not a RunPod endpoint id; endpoint ids are 14 lowercase letters and digits, such as isxbq1e254mbjz, as in the endpoint's URL in the RunPod console.`,
      );
    }
  }
  const unique = [...new Set(ids)].sort();
  if (unique.length > MAX_SCOPED_ENDPOINTS) {
    throw invalidScope(
      `The list has ${unique.length} endpoint ids; a key can be limited to at most ${MAX_SCOPED_ENDPOINTS}. Use a key per group of endpoints.`,
    );
  }
  return unique;
}

/** Throws `invalid_fields` when a scope is given for an API key, which scopes do not apply to. */
export function checkScopeKind(kind: KeyKind, endpointIds: readonly string[] | null): void {
  if (kind === "api" && endpointIds !== null) {
    throw invalidScope(
      "Only webhook keys can be limited to endpoints; create the key as a webhook key, or leave the endpoints empty.",
    );
  }
}

/** Describes a scope for people: the endpoint ids, or "any endpoint". */
export function describeEndpoints(endpointIds: readonly string[] | null): string {
  return endpointIds === null ? "any endpoint" : endpointIds.join(", ");
}
