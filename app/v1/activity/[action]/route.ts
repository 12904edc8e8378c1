import { handleActivityRequest, isActivityAction } from "@/lib/activities/api";
import { bearerToken } from "@/lib/http/bearer";
import { ApiError } from "@/lib/http/errors";
import { methodNotAllowed, readJsonObject, withErrors } from "@/lib/http/handler";
import { clientIp } from "@/lib/keys/audit";
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
    countKeyUse(key.id);
    const body = await readJsonObject(request);
    const result = await handleActivityRequest(action, key.accountId, body);
    return Response.json(
      { activity: result.activity, changed: result.changed },
      { status: result.status },
    );
  },
);

const onlyPost = methodNotAllowed("POST");

export { onlyPost as DELETE, onlyPost as GET, onlyPost as PATCH, onlyPost as PUT };
