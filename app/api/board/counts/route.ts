import { countActivitiesByState } from "@/lib/activities/board";
import { parseBoardFilters } from "@/lib/activities/filters";
import { requireAccountId } from "@/lib/auth";
import { ApiError } from "@/lib/http/errors";
import { withErrors } from "@/lib/http/handler";

export const dynamic = "force-dynamic";

/** The signed-in account's cards per state, under the board's filters in the query string. */
export const GET = withErrors("board.counts", async (request: Request) => {
  const accountId = await requireAccountId();
  const { filters, errors } = parseBoardFilters(
    Object.fromEntries(new URL(request.url).searchParams),
  );
  if (errors.length > 0) throw new ApiError("invalid_fields", errors.join(" "));
  const counts = await countActivitiesByState({ accountId, filters });
  return Response.json({ counts }, { headers: { "Cache-Control": "no-store" } });
});
