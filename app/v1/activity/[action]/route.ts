import { handleActivityRequest, isActivityAction } from "@/lib/activities/api";
import { ApiError } from "@/lib/http/errors";
import { methodNotAllowed, readJsonObject, withErrors } from "@/lib/http/handler";
import { withApiKey } from "@/lib/keys/bearer";

export const dynamic = "force-dynamic";

/** `POST /v1/activity/start`, `/update` and `/end`, authenticated with an API key. */
export const POST = withErrors(
  "activity",
  async (request: Request, context: { params: Promise<{ action: string }> }) => {
    const { action } = await context.params;
    if (!isActivityAction(action)) {
      throw new ApiError("not_found", `No activity action "${action}"; use start, update or end.`);
    }
    return withApiKey(request, async (key) => {
      const body = await readJsonObject(request, `{"key": "<RunPod job id>"}`);
      const result = await handleActivityRequest(action, key.accountId, body);
      return Response.json(
        {
          activity: result.activity,
          changed: result.changed,
          ...(result.attachedTo ? { attachedTo: result.attachedTo } : {}),
        },
        { status: result.status },
      );
    });
  },
);

const onlyPost = methodNotAllowed("POST");

export { onlyPost as DELETE, onlyPost as GET, onlyPost as PATCH, onlyPost as PUT };
