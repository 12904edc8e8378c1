import type { ApiKey } from "@/lib/db/schema";
import { ApiError } from "@/lib/http/errors";
import { clientIp } from "./audit";
import { authenticateKey } from "./store";
import { countKeyUse } from "./usage";

function bearerToken(request: Request): string {
  const header = request.headers.get("authorization");
  if (!header) {
    throw new ApiError(
      "missing_key",
      "Missing Authorization header; send the header Authorization: Bearer chirp_api_…",
    );
  }
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) {
    throw new ApiError(
      "missing_key",
      "The Authorization header is not a bearer token; did you forget the Bearer prefix? Send the header Authorization: Bearer chirp_api_…",
    );
  }
  return match[1]!;
}

/**
 * Authenticates the API key in a request's `Authorization: Bearer` header and counts
 * its use. Throws the ApiError that explains a missing, malformed or rejected key.
 */
export async function authenticateApiRequest(request: Request): Promise<ApiKey> {
  const key = await authenticateKey(bearerToken(request), "api", {
    ip: clientIp(request.headers),
  });
  countKeyUse(key.id);
  return key;
}
