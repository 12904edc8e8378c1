import { currentSessionVersion } from "@/lib/accounts/store";
import { requireSignedInAccount } from "@/lib/auth";
import { ApiError } from "@/lib/http/errors";
import { withErrors } from "@/lib/http/handler";
import { activityEventStream } from "@/lib/live/stream";

export const dynamic = "force-dynamic";

function resumePoint(request: Request): number {
  const raw =
    request.headers.get("last-event-id") ?? new URL(request.url).searchParams.get("after") ?? "0";
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new ApiError(
      "invalid_fields",
      `The resume point "${raw}" is not an event id; pass a whole number of 0 or more as ?after= or Last-Event-ID.`,
      [{ field: "after", message: "must be a whole number of 0 or more" }],
    );
  }
  return value;
}

/** Streams the signed-in account's activity events as Server-Sent Events. */
export const GET = withErrors("live", async (request: Request) => {
  const { accountId, sessionVersion } = await requireSignedInAccount();
  const stream = activityEventStream({
    accountId,
    afterId: resumePoint(request),
    signal: request.signal,
    // The session cookie is only checked when the stream opens, so the stream checks the
    // account's session version itself while it stays open.
    isSessionCurrent: async () => (await currentSessionVersion(accountId)) === sessionVersion,
  });
  return new Response(stream, {
    headers: {
      "Content-Type": "text/event-stream; charset=utf-8",
      // no-transform stops Next's compression from holding the stream back.
      "Cache-Control": "no-cache, no-transform",
      Connection: "keep-alive",
      "X-Accel-Buffering": "no",
    },
  });
});
