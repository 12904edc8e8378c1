import { countActivitiesByState } from "@/lib/activities/board";
import { parseBoardFilters } from "@/lib/activities/filters";
import { requireAccountId } from "@/lib/auth";
import { countOpenGroups } from "@/lib/duplicates/queries";
import { ApiError } from "@/lib/http/errors";
import { withErrors } from "@/lib/http/handler";

export const dynamic = "force-dynamic";

/**
 * Returns the board's summary for the signed-in account: cards per state under the board's filters
 * in the query string, and the number of open duplicate groups.
 */
export const GET = withErrors("board.summary", async (request: Request) => {
  const accountId = await requireAccountId();
  const { filters, errors } = parseBoardFilters(
    Object.fromEntries(new URL(request.url).searchParams),
  );
  if (errors.length > 0) throw new ApiError("invalid_fields", errors.join(" "));
  const [counts, duplicateGroups] = await Promise.all([
    countActivitiesByState({ accountId, filters }),
    countOpenGroups({ accountId }),
  ]);
  return Response.json({ counts, duplicateGroups }, { headers: { "Cache-Control": "no-store" } });
});
