import { handleActivityRequest, isActivityAction } from "@/lib/activities/api";
import { bearerToken } from "@/lib/http/bearer";
import { ApiError } from "@/lib/http/errors";
import { methodNotAllowed, readJsonObject, withErrors } from "@/lib/http/handler";
import { clientIp } from "@/lib/keys/audit";
import { enforceRateLimit, rateLimitHeaders, withRateLimitHeaders } from "@/lib/keys/rate-limit";
import { authenticateKey } from "@/lib/keys/store";
import { countKeyUse } from "@/lib/keys/usage";

export const dynamic = "force-dynamic";

/** `POST /v1/activity/start`, `/update` and `/end`, authenticated with an API key. */
export const POST = withErrors(
  "activity",
  async (request: Request, context: { params: Promise<{ action: string }> }) => {
    const { action } = await context.params;
    if (!isActivityAction(action)) {
      throw new ApiError("not_found", `No activity action "${action}"; use start, update or end.`);
    }
    const key = await authenticateKey(bearerToken(request), "api", {
      ip: clientIp(request.headers),
    });
    const decision = await enforceRateLimit(key);
    countKeyUse(key.id);
    const result = await withRateLimitHeaders(decision, async () =>
      handleActivityRequest(action, key.accountId, await readJsonObject(request)),
    );
    return Response.json(
      { activity: result.activity, changed: result.changed },
      { status: result.status, headers: rateLimitHeaders(decision) },
    );
  },
);

const onlyPost = methodNotAllowed("POST");

export { onlyPost as DELETE, onlyPost as GET, onlyPost as PATCH, onlyPost as PUT };
