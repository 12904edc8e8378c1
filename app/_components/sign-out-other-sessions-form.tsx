"use client";

import { useActionState } from "react";
import {
  type SignOutOtherSessionsState,
  signOutOtherSessionsFromForm,
} from "@/app/(dashboard)/settings/actions";
import { FormFeedback } from "./form-feedback";
import { SubmitButton } from "./submit-button";
import { useToast } from "./toast";

/** Renders the settings page's "Sign out other sessions" button and its outcome. */
export function SignOutOtherSessionsForm() {
  const toast = useToast();
  const [state, formAction, pending] = useActionState(
    async () => {
      const next = await signOutOtherSessionsFromForm();
      if (next.signedOut) toast("Other sessions signed out.");
      else toast("Signing out the other sessions failed.", "error");
      return next;
    },
    {
      signedOut: false,
    } as SignOutOtherSessionsState,
  );

  return (
    <form action={formAction} className="flex flex-col gap-4">
      <FormFeedback
        error={state.message}
        success={
          state.signedOut
            ? "Signed out every other browser and device. This browser stays signed in."
            : null
        }
      />
      <SubmitButton pending={pending} className="self-start">
        Sign out other sessions
      </SubmitButton>
    </form>
  );
}
