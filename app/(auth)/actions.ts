"use server";

import { AuthError } from "next-auth";
import { createAccount, validateCredentials } from "@/lib/accounts/store";
import { signIn } from "@/lib/auth";
import { callbackPath } from "@/lib/auth/callback-path";
import { ApiError } from "@/lib/http/errors";
import { logger } from "@/lib/log";

export interface CredentialsFormState {
  /** The email as typed, so a failed attempt keeps it. The password is never sent back. */
  email: string;
  /** A problem with the attempt as a whole, shown as an alert. */
  message?: string;
  fieldErrors?: { email?: string; password?: string };
}

function readCredentials(formData: FormData) {
  const email = formData.get("email");
  const password = formData.get("password");
  return {
    email: typeof email === "string" ? email : "",
    password: typeof password === "string" ? password : "",
  };
}

/**
 * Signs in, then redirects. `signIn` redirects by throwing Next's redirect error, which
 * must reach Next, so only Auth.js errors are caught.
 */
async function signInAndRedirect(
  email: string,
  password: string,
  redirectTo: string,
): Promise<CredentialsFormState> {
  try {
    await signIn("credentials", { email, password, redirectTo });
  } catch (error) {
    if (!(error instanceof AuthError)) throw error;
    if (error.type === "CredentialsSignin") return { email, message: "Wrong email or password." };
    logger.error({ err: error, type: error.type }, "sign-in failed");
    return { email, message: "Signing in failed on the server. Try again in a moment." };
  }
  return { email };
}

export async function signInWithPassword(
  _previous: CredentialsFormState,
  formData: FormData,
): Promise<CredentialsFormState> {
  const { email, password } = readCredentials(formData);
  return signInAndRedirect(email, password, callbackPath(formData.get("callbackUrl")));
}

export async function signUpWithPassword(
  _previous: CredentialsFormState,
  formData: FormData,
): Promise<CredentialsFormState> {
  const { email, password } = readCredentials(formData);
  try {
    validateCredentials(email, password);
    await createAccount({ email, password });
  } catch (error) {
    if (error instanceof ApiError && error.fields) {
      const fieldErrors: CredentialsFormState["fieldErrors"] = {};
      for (const problem of error.fields) {
        if (problem.field === "email" || problem.field === "password") {
          fieldErrors[problem.field] = problem.message;
        }
      }
      return { email, fieldErrors };
    }
    logger.error({ err: error }, "sign-up failed");
    return { email, message: "Creating the account failed on the server. Try again in a moment." };
  }
  return signInAndRedirect(email, password, "/");
}

/**
 * Starts GitHub sign-in: Auth.js redirects to GitHub, which returns to
 * /api/auth/callback/github. The redirect is Next's redirect error, so nothing is caught.
 */
export async function signInWithGitHub(formData: FormData): Promise<void> {
  await signIn("github", { redirectTo: callbackPath(formData.get("callbackUrl")) });
}
