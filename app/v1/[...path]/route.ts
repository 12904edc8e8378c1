import { ApiError, errorResponse } from "@/lib/http/errors";

export const dynamic = "force-dynamic";

/** Unknown API paths get the one error body instead of the HTML 404 page. */
async function notFound(request: Request): Promise<Response> {
  const { pathname } = new URL(request.url);
  return errorResponse(
    new ApiError(
      "not_found",
      `No API route ${request.method} ${pathname}. The API serves POST /v1/webhooks/runpod, POST /v1/activity/start, /update and /end, POST /v1/runpod/<endpoint_id>/run and /runsync, GET, PUT and DELETE /v1/runpod-connection, and /v1/ping.`,
    ),
  );
}

export {
  notFound as DELETE,
  notFound as GET,
  notFound as PATCH,
  notFound as POST,
  notFound as PUT,
};
