"use client";

import { useActionState } from "react";
import type { CredentialsFormState } from "@/app/(auth)/actions";
import { Spinner } from "./spinner";

type CredentialsAction = (
  previous: CredentialsFormState,
  formData: FormData,
) => Promise<CredentialsFormState>;

const inputClass =
  "w-full rounded-lg border border-zinc-700 bg-zinc-900 px-3 py-2 text-zinc-100 outline-none transition focus:border-runpod-light focus:ring-2 focus:ring-runpod-light/30 aria-invalid:border-red-500";

/** The email and password form shared by the sign-in and sign-up pages. */
export function CredentialsForm({
  action,
  submitLabel,
  newPassword,
  callbackUrl,
  passwordHint,
}: {
  action: CredentialsAction;
  submitLabel: string;
  /** Whether the password is being chosen, which changes the browser's autofill. */
  newPassword: boolean;
  callbackUrl?: string;
  passwordHint?: string;
}) {
  const [state, formAction, pending] = useActionState(action, { email: "" });
  const emailError = state.fieldErrors?.email;
  const passwordError = state.fieldErrors?.password;
  let passwordDescription: string | undefined;
  if (passwordError) passwordDescription = "password-error";
  else if (passwordHint) passwordDescription = "password-hint";

  return (
    <form action={formAction} className="flex flex-col gap-4" noValidate>
      {callbackUrl ? <input type="hidden" name="callbackUrl" value={callbackUrl} /> : null}
      <div className="flex flex-col gap-1.5">
        <label htmlFor="email" className="text-sm font-medium text-zinc-300">
          Email
        </label>
        <input
          id="email"
          name="email"
          type="email"
          autoComplete="email"
          required
          defaultValue={state.email}
          aria-invalid={emailError ? true : undefined}
          aria-describedby={emailError ? "email-error" : undefined}
          className={inputClass}
        />
        {emailError ? (
          <p id="email-error" className="text-sm text-red-400">
            Email: {emailError}
          </p>
        ) : null}
      </div>
      <div className="flex flex-col gap-1.5">
        <label htmlFor="password" className="text-sm font-medium text-zinc-300">
          Password
        </label>
        <input
          id="password"
          name="password"
          type="password"
          autoComplete={newPassword ? "new-password" : "current-password"}
          required
          aria-invalid={passwordError ? true : undefined}
          aria-describedby={passwordDescription}
          className={inputClass}
        />
        {passwordError ? (
          <p id="password-error" className="text-sm text-red-400">
            Password: {passwordError}
          </p>
        ) : passwordHint ? (
          <p id="password-hint" className="text-sm text-zinc-500">
            {passwordHint}
          </p>
        ) : null}
      </div>
      {state.message ? (
        <p
          role="alert"
          className="rounded-lg border border-red-500/40 bg-red-500/10 px-3 py-2 text-sm text-red-300"
        >
          {state.message}
        </p>
      ) : null}
      <button
        type="submit"
        disabled={pending}
        aria-busy={pending}
        className="mt-2 inline-flex items-center justify-center gap-2 rounded-lg bg-runpod px-4 py-2 font-medium text-white transition hover:bg-runpod-light disabled:cursor-wait disabled:opacity-60"
      >
        {pending ? <Spinner /> : null}
        {submitLabel}
      </button>
    </form>
  );
}
