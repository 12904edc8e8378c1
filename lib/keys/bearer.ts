import type { ApiKey } from "@/lib/db/schema";
import { bearerToken } from "@/lib/http/bearer";
import { clientIp } from "./audit";
import { enforceRateLimit, rateLimitHeaders, withRateLimitHeaders } from "./rate-limit";
import { authenticateKey } from "./store";
import { countKeyUse } from "./usage";

/**
 * Authenticates the API key in a request's `Authorization: Bearer` header, counts the
 * request against the key's rate limit and its use, then runs `work` with the key. The
 * response, or the ApiError `work` throws, carries the rate limit headers. Throws the
 * ApiError that explains a missing, malformed, rejected or rate-limited key.
 */
export async function withApiKey(
  request: Request,
  work: (key: ApiKey) => Promise<Response>,
): Promise<Response> {
  const key = await authenticateKey(bearerToken(request), "api", {
    ip: clientIp(request.headers),
  });
  const decision = await enforceRateLimit(key);
  countKeyUse(key.id);
  const response = await withRateLimitHeaders(decision, () => work(key));
  for (const [name, value] of Object.entries(rateLimitHeaders(decision))) {
    response.headers.set(name, value);
  }
  return response;
}
