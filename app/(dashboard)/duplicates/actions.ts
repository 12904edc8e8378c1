"use server";

import { revalidatePath } from "next/cache";
import { requireAccountId } from "@/lib/auth";
import { dismissDuplicateGroup, mergeDuplicateGroup, undoMerge } from "@/lib/duplicates/merge";
import { ApiError } from "@/lib/http/errors";
import { logger } from "@/lib/log";

export type DuplicateActionResult = { ok: boolean; message: string };

function groupIdOf(formData: FormData): string | null {
  const groupId = formData.get("groupId");
  return typeof groupId === "string" && groupId !== "" ? groupId : null;
}

const MISSING_GROUP: DuplicateActionResult = {
  ok: false,
  message: "The form sent no group id; reload the page and try again.",
};

/** Runs one action on a group and turns its errors into a message for the page. */
async function onGroup(
  formData: FormData,
  name: string,
  run: (accountId: string, groupId: string) => Promise<string>,
): Promise<DuplicateActionResult> {
  const groupId = groupIdOf(formData);
  if (groupId === null) return MISSING_GROUP;
  let accountId: string | undefined;
  try {
    accountId = await requireAccountId();
    const message = await run(accountId, groupId);
    logger.info({ accountId, groupId }, `duplicate group ${name}`);
    revalidatePath("/duplicates");
    revalidatePath("/");
    revalidatePath("/activities/[id]", "page");
    return { ok: true, message };
  } catch (error) {
    if (error instanceof ApiError) return { ok: false, message: error.message };
    logger.error({ err: error, accountId, groupId }, `duplicate group ${name} failed`);
    return {
      ok: false,
      message: `The server failed to ${name.replace(/d$/, "")} the group. Try again in a moment.`,
    };
  }
}

/** Merges the group named by the form's groupId into its surviving card. */
export async function mergeGroupFromForm(formData: FormData): Promise<DuplicateActionResult> {
  return onGroup(formData, "merged", async (accountId, groupId) => {
    const { survivor, merged } = await mergeDuplicateGroup({ accountId, groupId });
    return `Merged ${merged.length + 1} cards into "${survivor.jobName ?? survivor.key}".`;
  });
}

/** Marks the group named by the form's groupId as not a duplicate. */
export async function dismissGroupFromForm(formData: FormData): Promise<DuplicateActionResult> {
  return onGroup(formData, "dismissed", async (accountId, groupId) => {
    await dismissDuplicateGroup({ accountId, groupId });
    return "Group dismissed; these cards will not be grouped again.";
  });
}

/** Undoes the merge of the group named by the form's groupId. */
export async function undoMergeFromForm(formData: FormData): Promise<DuplicateActionResult> {
  return onGroup(formData, "unmerged", async (accountId, groupId) => {
    const { cards } = await undoMerge({ accountId, groupId });
    return `Merge undone; ${cards.length} cards are back as they were.`;
  });
}
