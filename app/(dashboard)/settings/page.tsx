import type { Metadata } from "next";
import { ChangePasswordForm } from "@/app/_components/change-password-form";
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from "@/lib/accounts/store";
import { requireSession } from "../session";

export const metadata: Metadata = { title: "Settings" };

export default async function SettingsPage() {
  const { email } = await requireSession();

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
        </dl>
      </section>

      <section
        aria-labelledby="password-heading"
        className="flex flex-col gap-4 rounded-2xl border border-zinc-800 bg-zinc-900/60 p-5"
      >
        <h2 id="password-heading" className="font-semibold">
          Change password
        </h2>
        <ChangePasswordForm minLength={MIN_PASSWORD_LENGTH} maxLength={MAX_PASSWORD_LENGTH} />
      </section>
    </div>
  );
}
