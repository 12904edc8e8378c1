import type { Metadata } from "next";
import { ChangePasswordForm } from "@/app/_components/change-password-form";
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, signInMethods } from "@/lib/accounts/store";
import { requireSession } from "../session";

export const metadata: Metadata = { title: "Settings" };

export default async function SettingsPage() {
  const { accountId, email } = await requireSession();
  const methods = await signInMethods(accountId);
  const hasPassword = methods?.password ?? true;

  return (
    <div className="flex max-w-xl flex-col gap-8">
      <h1 className="text-2xl font-semibold tracking-tight">Settings</h1>

      <section aria-labelledby="account-heading" className="flex flex-col gap-2">
        <h2 id="account-heading" className="font-semibold">
          Account
        </h2>
        <dl className="text-sm">
          <dt className="text-zinc-400">Email</dt>
          <dd className="mt-0.5 font-medium break-all" data-testid="settings-email">
            {email}
          </dd>
          {methods?.github ? (
            <>
              <dt className="mt-3 text-zinc-400">Sign-in</dt>
              <dd className="mt-0.5" data-testid="settings-sign-in">
                GitHub{hasPassword ? " and password" : ""}
              </dd>
            </>
          ) : null}
        </dl>
      </section>

      <section
        aria-labelledby="password-heading"
        className="flex flex-col gap-4 rounded-2xl border border-zinc-800 bg-zinc-900/60 p-5"
      >
        <h2 id="password-heading" className="font-semibold">
          {hasPassword ? "Change password" : "Set a password"}
        </h2>
        {hasPassword ? null : (
          <p className="text-sm text-zinc-400">
            This account signs in with GitHub. A password lets you sign in with your email too.
          </p>
        )}
        <ChangePasswordForm
          minLength={MIN_PASSWORD_LENGTH}
          maxLength={MAX_PASSWORD_LENGTH}
          hasPassword={hasPassword}
        />
      </section>
    </div>
  );
}
