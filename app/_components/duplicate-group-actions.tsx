"use client";

import { useActionState } from "react";
import {
  type DuplicateActionResult,
  dismissGroupFromForm,
  mergeGroupFromForm,
  undoMergeFromForm,
} from "@/app/(dashboard)/duplicates/actions";
import { Spinner } from "./spinner";
import { useToast } from "./toast";

function useGroupAction(action: (formData: FormData) => Promise<DuplicateActionResult>) {
  const toast = useToast();
  return useActionState<DuplicateActionResult | null, FormData>(async (_previous, formData) => {
    const result = await action(formData);
    toast(result.message, result.ok ? "success" : "error");
    return result;
  }, null);
}

function ActionResult({
  result,
  testId,
}: {
  result: DuplicateActionResult | null;
  testId: string;
}) {
  if (!result || result.ok) return null;
  return (
    <p role="alert" data-testid={testId} className="text-sm text-red-400">
      {result.message}
    </p>
  );
}

const PRIMARY_BUTTON = "bg-runpod text-white hover:bg-runpod-light";
const SECONDARY_BUTTON =
  "border border-zinc-700 text-zinc-300 hover:border-zinc-500 hover:text-zinc-50";

/** Renders a one-button form that runs a group action with the group id. */
function GroupActionForm({
  groupId,
  action,
  pending,
  disabled,
  testId,
  tone,
  label,
  children,
}: {
  groupId: string;
  action: (formData: FormData) => void;
  pending: boolean;
  disabled: boolean;
  testId: string;
  tone: "primary" | "secondary";
  label?: string;
  children: string;
}) {
  return (
    <form action={action}>
      <input type="hidden" name="groupId" value={groupId} />
      <button
        type="submit"
        disabled={disabled}
        aria-busy={pending}
        aria-label={label}
        data-testid={testId}
        className={`inline-flex items-center gap-1.5 rounded-lg px-3 py-1.5 text-sm font-medium transition disabled:cursor-wait disabled:opacity-60 ${
          tone === "primary" ? PRIMARY_BUTTON : SECONDARY_BUTTON
        }`}
      >
        {pending ? <Spinner /> : null}
        {children}
      </button>
    </form>
  );
}

/** Renders the Merge and Not a duplicate buttons of an open duplicate group. */
export function DuplicateGroupActions({
  groupId,
  survivorTitle,
}: {
  groupId: string;
  survivorTitle: string;
}) {
  const [merged, mergeAction, merging] = useGroupAction(mergeGroupFromForm);
  const [dismissed, dismissAction, dismissing] = useGroupAction(dismissGroupFromForm);
  const pending = merging || dismissing;
  return (
    <div className="flex flex-col gap-2">
      <div className="flex flex-wrap items-center gap-2">
        <GroupActionForm
          groupId={groupId}
          action={mergeAction}
          pending={merging}
          disabled={pending}
          testId="merge-group"
          tone="primary"
          label={`Merge into ${survivorTitle}`}
        >
          Merge
        </GroupActionForm>
        <GroupActionForm
          groupId={groupId}
          action={dismissAction}
          pending={dismissing}
          disabled={pending}
          testId="dismiss-group"
          tone="secondary"
        >
          Not a duplicate
        </GroupActionForm>
      </div>
      <ActionResult result={merged ?? dismissed} testId="group-action-error" />
    </div>
  );
}

/** Renders the Undo merge button on the surviving card's timeline. */
export function UndoMergeButton({ groupId }: { groupId: string }) {
  const [result, undoAction, pending] = useGroupAction(undoMergeFromForm);
  return (
    <div className="flex flex-col gap-2">
      <GroupActionForm
        groupId={groupId}
        action={undoAction}
        pending={pending}
        disabled={pending}
        testId="undo-merge"
        tone="secondary"
      >
        Undo merge
      </GroupActionForm>
      <ActionResult result={result} testId="undo-merge-error" />
    </div>
  );
}
