"use client";

import { useActionState } from "react";
import {
  type ChangePasswordState,
  changePasswordFromForm,
} from "@/app/(dashboard)/settings/actions";
import { Spinner } from "./spinner";
import { useToast } from "./toast";

const inputClass =
  "w-full rounded-lg border border-zinc-700 bg-zinc-900 px-3 py-2 text-zinc-100 outline-none transition focus:border-runpod-light focus:ring-2 focus:ring-runpod-light/30 aria-invalid:border-red-500";

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
  const errorId = `${name}-error`;
  const hintId = `${name}-hint`;
  let describedBy: string | undefined;
  if (error) describedBy = errorId;
  else if (hint) describedBy = hintId;

  return (
    <div className="flex flex-col gap-1.5">
      <label htmlFor={name} className="text-sm font-medium text-zinc-300">
        {label}
      </label>
      <input
        id={name}
        name={name}
        type="password"
        autoComplete={autoComplete}
        required
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy}
        className={inputClass}
      />
      {error ? (
        <p id={errorId} className="text-sm text-red-400">
          {label}: {error}
        </p>
      ) : hint ? (
        <p id={hintId} className="text-sm text-zinc-500">
          {hint}
        </p>
      ) : null}
    </div>
  );
}

/**
 * Renders the change-password form of the settings page. Every field is a password, so none
 * is refilled after an error, because the server never returns a password.
 */
export function ChangePasswordForm({
  minLength,
  maxLength,
}: {
  minLength: number;
  maxLength: number;
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

  return (
    <form action={formAction} className="flex flex-col gap-4" noValidate>
      <PasswordField
        name="currentPassword"
        label="Current password"
        autoComplete="current-password"
        error={errors.currentPassword}
      />
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
      {state.message ? (
        <p
          role="alert"
          className="rounded-lg border border-red-500/40 bg-red-500/10 px-3 py-2 text-sm text-red-300"
        >
          {state.message}
        </p>
      ) : null}
      {state.changed ? (
        <p
          role="status"
          className="rounded-lg border border-emerald-500/40 bg-emerald-500/10 px-3 py-2 text-sm text-emerald-300"
        >
          Password changed. Use the new password the next time you sign in.
        </p>
      ) : null}
      <button
        type="submit"
        disabled={pending}
        aria-busy={pending}
        className="inline-flex items-center justify-center gap-2 self-start rounded-lg bg-runpod px-4 py-2 text-sm font-medium text-white transition hover:bg-runpod-light disabled:cursor-wait disabled:opacity-60"
      >
        {pending ? <Spinner /> : null}
        Change password
      </button>
    </form>
  );
}
