import type { Metadata } from "next";
import Link from "next/link";
import { CredentialsForm } from "@/app/_components/credentials-form";
import { githubSignInEnabled, githubSignInErrors } from "@/lib/auth/github";
import { signInNotice } from "@/lib/auth/sign-in-reasons";
import { signInWithGitHub, signInWithPassword } from "../actions";

export const metadata: Metadata = { title: "Sign in" };

export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<{
    callbackUrl?: string | string[];
    error?: string | string[];
    reason?: string | string[];
  }>;
}) {
  const { callbackUrl, error, reason } = await searchParams;
  const callback = typeof callbackUrl === "string" ? callbackUrl : undefined;
  const errorMessage = signInErrorMessage(error);
  const notice = signInNotice(reason);
  return (
    <>
      <h1 className="mb-6 text-xl font-semibold">Sign in to Chirp</h1>
      {notice ? (
        <p
          role="status"
          data-testid="sign-in-notice"
          className="mb-4 rounded-lg border border-zinc-600 bg-zinc-900 px-3 py-2 text-sm text-zinc-200"
        >
          {notice}
        </p>
      ) : null}
      {errorMessage ? (
        <p
          role="alert"
          data-testid="sign-in-error"
          className="mb-4 rounded-lg border border-red-500/40 bg-red-500/10 px-3 py-2 text-sm text-red-300"
        >
          {errorMessage}
        </p>
      ) : null}
      {githubSignInEnabled() ? (
        <form action={signInWithGitHub} className="mb-6 flex flex-col gap-4">
          {callback ? <input type="hidden" name="callbackUrl" value={callback} /> : null}
          <button
            type="submit"
            className="rounded-lg border border-zinc-600 bg-zinc-950 px-4 py-2 text-sm font-medium text-zinc-50 transition hover:border-zinc-400"
          >
            Sign in with GitHub
          </button>
          <p className="text-center text-xs text-zinc-500">or with your email and password</p>
        </form>
      ) : null}
      <CredentialsForm
        action={signInWithPassword}
        submitLabel="Sign in"
        newPassword={false}
        callbackUrl={callback}
      />
      <p className="mt-6 text-center text-sm text-zinc-400">
        No account yet?{" "}
        <Link href="/sign-up" className="font-medium text-runpod-light hover:underline">
          Create one
        </Link>
      </p>
    </>
  );
}

/**
 * Returns the message for the `error` Auth.js or the GitHub account mapping put in the
 * URL, or undefined when there is none.
 */
function signInErrorMessage(error: string | string[] | undefined): string | undefined {
  if (typeof error !== "string" || error === "") return undefined;
  // An own-key check, because anyone can link here with `?error=constructor`.
  if (Object.hasOwn(githubSignInErrors, error))
    return githubSignInErrors[error as keyof typeof githubSignInErrors];
  if (error === "AccessDenied")
    return "Sign-in was denied. Try again, or sign in with your password.";
  // Other codes are not echoed, because anyone can put text in a link to this page.
  return "Signing in failed. Try again, or sign in with your password.";
}
