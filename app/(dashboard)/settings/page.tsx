import type { Metadata } from "next";
import type { ReactNode } from "react";
import { ChangePasswordForm } from "@/app/_components/change-password-form";
import { DuplicateSettingsForm } from "@/app/_components/duplicate-settings-form";
import { FormFeedback } from "@/app/_components/form-feedback";
import { GitHubDisconnectForm } from "@/app/_components/github-disconnect-form";
import { LocalTime } from "@/app/_components/local-time";
import { RunpodConnectionForm } from "@/app/_components/runpod-connection-form";
import { SignOutOtherSessionsForm } from "@/app/_components/sign-out-other-sessions-form";
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, signInMethods } from "@/lib/accounts/store";
import { githubLinkErrors, githubSignInEnabled, isGitHubLinkError } from "@/lib/auth/github";
import { getDuplicateSettings } from "@/lib/duplicates/settings";
import { type ConnectionSummary, getConnectionSummary } from "@/lib/runpod/connection";
import { requireSession } from "../session";
import { connectGitHubFromForm, removeRunpodConnectionFromForm } from "./actions";

export const metadata: Metadata = { title: "Settings" };

export default async function SettingsPage({
  searchParams,
}: {
  searchParams: Promise<{ github?: string | string[]; github_error?: string | string[] }>;
}) {
  const { accountId, email } = await requireSession();
  const { github, github_error: githubError } = await searchParams;
  const connection = await getConnectionSummary(accountId);
  const methods = await signInMethods(accountId);
  const duplicates = await getDuplicateSettings(accountId);
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

      {githubSignInEnabled() ? (
        <GitHubSection
          connected={methods?.github ?? false}
          hasPassword={hasPassword}
          outcome={typeof github === "string" ? github : undefined}
          error={typeof githubError === "string" ? githubError : undefined}
        />
      ) : null}

      <SettingsPanel id="runpod" title="RunPod connection">
        <p className="text-sm text-zinc-400">
          With your RunPod API key, Chirp polls RunPod for a card whose webhook has not come within
          its deadline, and closes it with the job's real status. The key is stored encrypted and
          never shown again.
        </p>
        {connection ? <ConnectionStatus connection={connection} /> : null}
        <RunpodConnectionForm replacing={connection !== null} endpointId={connection?.endpointId} />
      </SettingsPanel>

      <SettingsPanel id="duplicates" title="Duplicate cards">
        <p className="text-sm text-zinc-400">
          Two cards for one job come from two sources opening it. Choose one source, and the other
          attaches to its card instead of opening another.
        </p>
        <DuplicateSettingsForm
          cardOpener={duplicates.cardOpener}
          autoMerge={duplicates.autoMerge}
        />
      </SettingsPanel>

      <SettingsPanel id="password" title={hasPassword ? "Change password" : "Set a password"}>
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
      </SettingsPanel>

      <SettingsPanel id="sessions" title="Sessions">
        <p className="text-sm text-zinc-400">
          Signs out every other browser and device signed in to this account, such as a forgotten or
          lost one. This browser stays signed in. Changing the password does this too.
        </p>
        <SignOutOtherSessionsForm />
      </SettingsPanel>
    </div>
  );
}

/** A bordered settings panel, labelled by its heading. */
function SettingsPanel({
  id,
  title,
  testId,
  children,
}: {
  id: string;
  title: string;
  testId?: string;
  children: ReactNode;
}) {
  return (
    <section
      aria-labelledby={`${id}-heading`}
      data-testid={testId}
      className="flex flex-col gap-4 rounded-2xl border border-zinc-800 bg-zinc-900/60 p-5"
    >
      <h2 id={`${id}-heading`} className="font-semibold">
        {title}
      </h2>
      {children}
    </section>
  );
}

function ConnectionStatus({ connection }: { connection: ConnectionSummary }) {
  return (
    <div data-testid="runpod-connection" className="flex flex-col gap-3 text-sm">
      <p>
        Key saved <LocalTime iso={connection.savedAt.toISOString()} />, ends in{" "}
        <span className="font-mono">…{connection.apiKeyLast4}</span>, tested with endpoint{" "}
        <span className="font-mono">{connection.endpointId}</span>.
      </p>
      {connection.failingSince ? (
        <p
          role="alert"
          data-testid="runpod-connection-failing"
          className="rounded-lg border border-red-500/40 bg-red-500/10 px-3 py-2 text-red-300"
        >
          Failing since <LocalTime iso={connection.failingSince.toISOString()} />:{" "}
          {connection.failureMessage} The watchdog has stopped polling RunPod for this account; save
          a working key to resume.
        </p>
      ) : (
        <p data-testid="runpod-connection-ok" className="text-emerald-300">
          Working: the watchdog polls RunPod for overdue cards.
        </p>
      )}
      <form action={removeRunpodConnectionFromForm}>
        <button
          type="submit"
          className="rounded-md border border-zinc-700 px-2.5 py-1 text-xs font-medium text-zinc-300 transition hover:border-red-500 hover:text-red-300"
        >
          Remove RunPod key
        </button>
      </form>
    </div>
  );
}

const githubOutcomes: Record<string, string> = {
  connected: "GitHub is connected. You can now sign in with GitHub.",
  disconnected:
    "GitHub is disconnected, and every other browser signed in to this account is signed out. Sign in with your email and password from now on.",
};

/**
 * Renders the GitHub sign-in section: "Connect GitHub" or the connected state with
 * "Disconnect", and the outcome the GitHub callback put in the URL.
 */
function GitHubSection({
  connected,
  hasPassword,
  outcome,
  error,
}: {
  connected: boolean;
  hasPassword: boolean;
  /** `connected` or `disconnected` after a successful change. */
  outcome?: string;
  /** A code from the GitHub callback. Unknown codes are not shown, because anyone can link here. */
  error?: string;
}) {
  const errorMessage =
    error !== undefined && isGitHubLinkError(error) ? githubLinkErrors[error] : undefined;
  // An own-key check, because anyone can link here with `?github=constructor`.
  const outcomeMessage =
    outcome !== undefined && Object.hasOwn(githubOutcomes, outcome)
      ? githubOutcomes[outcome]
      : undefined;
  return (
    <SettingsPanel id="github" title="GitHub" testId="github-connection">
      <FormFeedback error={errorMessage} success={errorMessage ? undefined : outcomeMessage} />
      {connected ? (
        <>
          <p className="text-sm text-zinc-400">Connected: you can sign in with GitHub.</p>
          {/* Setting a password remounts the form, which clears the rejection it showed. */}
          <GitHubDisconnectForm key={String(hasPassword)} />
        </>
      ) : (
        <>
          <p className="text-sm text-zinc-400">
            Connect a GitHub account to sign in with GitHub. Chirp sends you to GitHub to approve
            it, then back here.
          </p>
          <form action={connectGitHubFromForm}>
            <button
              type="submit"
              className="rounded-lg border border-zinc-600 bg-zinc-950 px-4 py-2 text-sm font-medium text-zinc-50 transition hover:border-zinc-400"
            >
              Connect GitHub
            </button>
          </form>
        </>
      )}
    </SettingsPanel>
  );
}
