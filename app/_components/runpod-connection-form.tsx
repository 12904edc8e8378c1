"use client";

import { useActionState } from "react";
import {
  type RunpodConnectionState,
  saveRunpodConnectionFromForm,
} from "@/app/(dashboard)/settings/actions";
import { FormFeedback } from "./form-feedback";
import { FormField } from "./form-field";
import { SubmitButton } from "./submit-button";

/**
 * Renders the form that saves a RunPod API key. The key field is a password field and is never
 * refilled, because the server never returns the key.
 */
export function RunpodConnectionForm({
  replacing,
  endpointId,
}: {
  /** True when a key is saved already, so the button reads "Test and replace key". */
  replacing: boolean;
  endpointId?: string;
}) {
  const [state, formAction, pending] = useActionState<RunpodConnectionState, FormData>(
    saveRunpodConnectionFromForm,
    { saved: false },
  );
  const errors = state.fieldErrors ?? {};

  return (
    <form action={formAction} className="flex flex-col gap-4" noValidate>
      <FormField
        name="apiKey"
        label="RunPod API key"
        type="password"
        autoComplete="off"
        spellCheck={false}
        className="font-mono text-sm"
        hint="From RunPod's Settings > API Keys. The watchdog only reads job status; submitting through Chirp's proxy needs a key that can run jobs."
        error={errors.apiKey}
      />
      <FormField
        name="endpointId"
        label="Endpoint id to test with"
        type="text"
        autoComplete="off"
        spellCheck={false}
        className="font-mono text-sm"
        hint="The 14 letters and digits of its console URL, or the URL itself. Chirp calls this endpoint's /health with the key before saving it."
        error={errors.endpointId}
        defaultValue={state.endpointId ?? endpointId}
      />
      <FormFeedback
        error={state.message}
        success={state.saved ? "RunPod accepted the key, and it is saved." : null}
      />
      <SubmitButton pending={pending} className="self-start">
        {replacing ? "Test and replace key" : "Test and save key"}
      </SubmitButton>
    </form>
  );
}
