import { bearerToken } from "@/lib/http/bearer";
import { ApiError } from "@/lib/http/errors";
import { methodNotAllowed, readJsonObject, withErrors } from "@/lib/http/handler";
import { clientIp } from "@/lib/keys/audit";
import { authenticateKey } from "@/lib/keys/store";
import { countKeyUse } from "@/lib/keys/usage";
import {
  type ConnectionSummary,
  getConnectionSummary,
  removeConnection,
  saveConnection,
} from "@/lib/runpod/connection";

export const dynamic = "force-dynamic";

async function accountOf(request: Request): Promise<string> {
  const key = await authenticateKey(bearerToken(request), "api", {
    ip: clientIp(request.headers),
  });
  countKeyUse(key.id);
  return key.accountId;
}

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
export const PUT = withErrors("runpod-connection", async (request: Request) => {
  const accountId = await accountOf(request);
  const body = await readJsonObject(request);
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
});

/** `GET /v1/runpod-connection`: what settings shows about the saved key, never the key. */
export const GET = withErrors("runpod-connection", async (request: Request) => {
  const connection = await getConnectionSummary(await accountOf(request));
  if (!connection) {
    throw new ApiError(
      "not_found",
      "This account has no RunPod connection; save one with PUT /v1/runpod-connection or in Settings.",
    );
  }
  return Response.json(toBody(connection));
});

/** `DELETE /v1/runpod-connection`: removes the saved key; the watchdog stops polling. */
export const DELETE = withErrors("runpod-connection", async (request: Request) => {
  const removed = await removeConnection(await accountOf(request));
  return Response.json({ removed });
});

const allowed = methodNotAllowed("GET, PUT, DELETE");

export { allowed as PATCH, allowed as POST };
