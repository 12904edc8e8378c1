import { z } from "zod";
import { ApiError } from "@/lib/http/errors";
import { endChange, endFields, fieldProblems, invalid, terminalStatus } from "./api";
import { type ChangeResult, changeActivity, getActivity } from "./store";

const manualEnd = z.strictObject({
  status: terminalStatus,
  // A form sends an empty field for "no message".
  error: z.preprocess((value) => (value === "" ? undefined : value), endFields.error),
});

/**
 * Closes an account's card by hand from the dashboard, through the same change as
 * `POST /v1/activity/end`, recorded with source "dashboard". Throws a 404 ApiError for
 * an id the account does not own and a 422 naming each invalid field. A card that is
 * already closed keeps its state; the attempt is recorded as an event like any late change.
 */
export async function endActivityFromDashboard({
  accountId,
  activityId,
  status,
  error,
}: {
  accountId: string;
  activityId: string;
  status: unknown;
  error?: unknown;
}): Promise<ChangeResult> {
  const parsed = manualEnd.safeParse({ status, error }, { reportInput: true });
  if (!parsed.success) throw invalid(fieldProblems(parsed.error, ""));

  const activity = await getActivity({ accountId, activityId });
  if (!activity) {
    throw new ApiError(
      "not_found",
      `No activity with id "${activityId}" in this account. Open it from the board.`,
    );
  }
  return changeActivity(
    endChange({
      accountId,
      schemaId: activity.schemaId,
      key: activity.key,
      source: "dashboard",
      status: parsed.data.status,
      error: parsed.data.error,
      detail: { request: { status: parsed.data.status, error: parsed.data.error ?? null } },
    }),
  );
}
