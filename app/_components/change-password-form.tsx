"use client";

import { useActionState } from "react";
import {
  type ChangePasswordState,
  changePasswordFromForm,
} from "@/app/(dashboard)/settings/actions";
import { FormFeedback } from "./form-feedback";
import { FormField } from "./form-field";
import { SubmitButton } from "./submit-button";
import { useToast } from "./toast";

function PasswordField({
  name,
  label,
  autoComplete,
  error,
  hint,
}: {
  name: keyof NonNullable<ChangePasswordState["fieldErrors"]>;
  label: string;
  autoComplete: "current-password" | "new-password";
  error?: string;
  hint?: string;
}) {
  return (
    <FormField
      name={name}
      label={label}
      type="password"
      autoComplete={autoComplete}
      error={error}
      hint={hint}
    />
  );
}

/**
 * Renders the change-password form of the settings page. Every field is a password, so none
 * is refilled after an error, because the server never returns a password.
 */
export function ChangePasswordForm({
  minLength,
  maxLength,
  hasPassword,
}: {
  minLength: number;
  maxLength: number;
  /** False for an account without a password yet, which sets one without a current password. */
  hasPassword: boolean;
}) {
  const toast = useToast();
  const [state, formAction, pending] = useActionState(
    async (previous: ChangePasswordState, formData: FormData) => {
      const next = await changePasswordFromForm(previous, formData);
      if (next.changed) toast("Password changed.");
      else toast("Changing the password failed; see the form.", "error");
      return next;
    },
    { changed: false },
  );
  const errors = state.fieldErrors ?? {};
  const successMessage = hasPassword
    ? "Password changed. Every other browser and device is signed out; use the new password the next time you sign in."
    : "Password set. Every other browser and device is signed out. You can now also sign in with your email and this password.";

  return (
    <form action={formAction} className="flex flex-col gap-4" noValidate>
      {hasPassword ? (
        <PasswordField
          name="currentPassword"
          label="Current password"
          autoComplete="current-password"
          error={errors.currentPassword}
        />
      ) : (
        <input type="hidden" name="hasPassword" value="false" />
      )}
      <PasswordField
        name="newPassword"
        label="New password"
        autoComplete="new-password"
        error={errors.newPassword}
        hint={`Use ${minLength} to ${maxLength} characters.`}
      />
      <PasswordField
        name="confirmPassword"
        label="Confirm new password"
        autoComplete="new-password"
        error={errors.confirmPassword}
      />
      <FormFeedback error={state.message} success={state.changed ? successMessage : null} />
      <SubmitButton pending={pending} className="self-start">
        {hasPassword ? "Change password" : "Set password"}
      </SubmitButton>
    </form>
  );
}
