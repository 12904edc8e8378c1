"use client";

import { useActionState } from "react";
import {
  type DisconnectGitHubState,
  disconnectGitHubFromForm,
} from "@/app/(dashboard)/settings/actions";
import { FormFeedback } from "./form-feedback";
import { Spinner } from "./spinner";

/** Renders the "Disconnect" button of a connected GitHub account and why it was rejected. */
export function GitHubDisconnectForm() {
  const [state, formAction, pending] = useActionState<DisconnectGitHubState, FormData>(
    disconnectGitHubFromForm,
    {},
  );

  return (
    <form action={formAction} className="flex flex-col gap-3">
      <FormFeedback error={state.message} />
      <button
        type="submit"
        disabled={pending}
        aria-busy={pending}
        className="inline-flex items-center gap-2 self-start rounded-md border border-zinc-700 px-2.5 py-1 text-xs font-medium text-zinc-300 transition hover:border-red-500 hover:text-red-300 disabled:cursor-wait disabled:opacity-60"
      >
        {pending ? <Spinner /> : null}
        Disconnect
      </button>
    </form>
  );
}
