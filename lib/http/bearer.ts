import { ApiError } from "./errors";

/** Returns the token of an `Authorization: Bearer` header, or throws `missing_key`. */
export function bearerToken(request: Request): string {
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
