import { ApiError } from "@/lib/http/errors";
import { methodNotAllowed, readJsonObject, withErrors } from "@/lib/http/handler";
import { withApiKey } from "@/lib/keys/bearer";
import {
  type ConnectionSummary,
  getConnectionSummary,
  removeConnection,
  saveConnection,
} from "@/lib/runpod/connection";

export const dynamic = "force-dynamic";

function toBody(connection: ConnectionSummary) {
  return {
    connection: {
      endpointId: connection.endpointId,
      apiKeyLast4: connection.apiKeyLast4,
      savedAt: connection.savedAt.toISOString(),
      failingSince: connection.failingSince?.toISOString() ?? null,
      failureMessage: connection.failureMessage,
    },
  };
}

/**
 * `PUT /v1/runpod-connection` with `{"apiKey", "endpointId"}`: the same as saving the
 * RunPod key in settings, for scripts. The key is tested against the endpoint's `/health`
 * first and is never returned.
 */
export const PUT = withErrors("runpod-connection", (request: Request) =>
  withApiKey(request, async ({ accountId }) => {
    const body = await readJsonObject(
      request,
      `{"apiKey": "<RunPod API key>", "endpointId": "<endpoint id>"}`,
    );
    const fields = [];
    for (const name of ["apiKey", "endpointId"] as const) {
      if (typeof body[name] !== "string") {
        fields.push({ field: name, message: "required: a string" });
      }
    }
    if (fields.length > 0) {
      throw new ApiError(
        "invalid_fields",
        `Invalid fields: ${fields.map((problem) => `${problem.field}: ${problem.message}`).join("; ")}.`,
        fields,
      );
    }
    const connection = await saveConnection({
      accountId,
      apiKey: body.apiKey as string,
      endpointId: body.endpointId as string,
    });
    return Response.json(toBody(connection));
  }),
);

/** `GET /v1/runpod-connection`: what settings shows about the saved key, never the key. */
export const GET = withErrors("runpod-connection", (request: Request) =>
  withApiKey(request, async ({ accountId }) => {
    const connection = await getConnectionSummary(accountId);
    if (!connection) {
      throw new ApiError(
        "not_found",
        "This account has no RunPod connection; save one with PUT /v1/runpod-connection or in Settings.",
      );
    }
    return Response.json(toBody(connection));
  }),
);

/** `DELETE /v1/runpod-connection`: removes the saved key; the watchdog stops polling. */
export const DELETE = withErrors("runpod-connection", (request: Request) =>
  withApiKey(request, async ({ accountId }) =>
    Response.json({ removed: await removeConnection(accountId) }),
  ),
);

const allowed = methodNotAllowed("GET, PUT, DELETE");

export { allowed as PATCH, allowed as POST };
