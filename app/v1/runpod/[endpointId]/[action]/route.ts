import { ApiError } from "@/lib/http/errors";
import { decodeJsonText, methodNotAllowed, readBodyCapped, withErrors } from "@/lib/http/handler";
import { withApiKey } from "@/lib/keys/bearer";
import {
  isProxyAction,
  JOB_NAME_HEADER,
  MAX_BODY_BYTES,
  submitThroughProxy,
} from "@/lib/runpod/proxy";

export const dynamic = "force-dynamic";

/**
 * `POST /v1/runpod/<endpoint_id>/run` and `/runsync`: submits a job to RunPod with the
 * account's RunPod API key and opens its card. Authenticated with a Chirp API key, and
 * returns RunPod's response unchanged, with the card's id in `X-Chirp-Activity-Id`.
 */
export const POST = withErrors(
  "runpod.proxy",
  async (
    request: Request,
    context: { params: Promise<{ endpointId: string; action: string }> },
  ) => {
    const { endpointId, action } = await context.params;
    if (!isProxyAction(action)) {
      throw new ApiError(
        "not_found",
        `No RunPod proxy action "${action}"; use /v1/runpod/<endpoint_id>/run or /runsync.`,
      );
    }
    return withApiKey(request, async (key) => {
      const { bytes, tooLarge } = await readBodyCapped(request, MAX_BODY_BYTES[action]);
      const result = await submitThroughProxy({
        accountId: key.accountId,
        action,
        endpointId,
        query: new URL(request.url).searchParams,
        jobName: request.headers.get(JOB_NAME_HEADER),
        // A cut-off body is rejected as too large before it is read.
        body: tooLarge ? "" : decodeJsonText(bytes),
        tooLarge,
      });
      const headers: Record<string, string> = {};
      if (result.response.contentType) headers["Content-Type"] = result.response.contentType;
      if (result.activityId) headers["X-Chirp-Activity-Id"] = result.activityId;
      return new Response(result.response.body, { status: result.response.status, headers });
    });
  },
);

const onlyPost = methodNotAllowed("POST");

export { onlyPost as DELETE, onlyPost as GET, onlyPost as PATCH, onlyPost as PUT };
