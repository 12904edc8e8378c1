"use server";

import { revalidatePath } from "next/cache";
import { endActivityFromDashboard } from "@/lib/activities/manual-end";
import { requireAccountId } from "@/lib/auth";
import { ApiError } from "@/lib/http/errors";
import { logger } from "@/lib/log";
import { statusWord } from "@/lib/runpod/status";

export type EndActivityResult =
  | { ok: true; message: string }
  | { ok: false; message: string; fieldErrors?: { status?: string; error?: string } };

/** Closes the card named by the form's activityId with the chosen status and message. */
export async function endActivityFromForm(formData: FormData): Promise<EndActivityResult> {
  try {
    const accountId = await requireAccountId();
    const activityId = formData.get("activityId");
    if (typeof activityId !== "string" || activityId === "") {
      return { ok: false, message: "The form sent no activity id; reload the page and try again." };
    }
    const result = await endActivityFromDashboard({
      accountId,
      activityId,
      status: formData.get("status") ?? undefined,
      error: formData.get("error") ?? undefined,
    });
    const { state } = result.activity;
    logger.info(
      { accountId, activityId, state, changed: result.transitioned },
      "activity ended from the dashboard",
    );
    revalidatePath(`/activities/${activityId}`);
    revalidatePath("/");
    if (!result.transitioned) {
      return {
        ok: false,
        message: `The card had already closed as ${statusWord(state)}; it keeps that state.`,
      };
    }
    return { ok: true, message: `Card ended as ${statusWord(state)}.` };
  } catch (error) {
    if (error instanceof ApiError) {
      const fieldErrors: { status?: string; error?: string } = {};
      for (const problem of error.fields ?? []) {
        if (problem.field === "status" || problem.field === "error") {
          fieldErrors[problem.field] = problem.message;
        }
      }
      return { ok: false, message: error.message, fieldErrors };
    }
    logger.error({ err: error, action: "end activity" }, "activity action failed");
    return { ok: false, message: "The server failed to end the card. Try again in a moment." };
  }
}
