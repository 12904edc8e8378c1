"use server";

import { revalidatePath } from "next/cache";
import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import { unlinkGitHubAccount } from "@/lib/accounts/github";
import { changePassword, raiseSessionVersion, signInMethods } from "@/lib/accounts/store";
import { requireAccountId, signIn } from "@/lib/auth";
import { githubUnlinkErrors } from "@/lib/auth/github";
import {
  createGitHubLinkIntent,
  GITHUB_LINK_COOKIE,
  GITHUB_LINK_COOKIE_PATH,
  GITHUB_LINK_LIFETIME_SECONDS,
} from "@/lib/auth/github-link";
import { reissueSession } from "@/lib/auth/reissue-session";
import { authSecret, ConfigError } from "@/lib/config";
import { saveDuplicateSettings } from "@/lib/duplicates/settings";
import { ApiError } from "@/lib/http/errors";
import { logger } from "@/lib/log";
import { removeConnection, saveConnection } from "@/lib/runpod/connection";

type PasswordField = "currentPassword" | "newPassword" | "confirmPassword";

/** The change-password form's result. Passwords are never sent back to the browser. */
export interface ChangePasswordState {
  changed: boolean;
  /** A problem with the attempt as a whole, shown as an alert. */
  message?: string;
  fieldErrors?: Partial<Record<PasswordField, string>>;
}

function readField(formData: FormData, name: PasswordField): string {
  const value = formData.get(name);
  return typeof value === "string" ? value : "";
}

function isPasswordField(field: string): field is PasswordField {
  return field === "currentPassword" || field === "newPassword" || field === "confirmPassword";
}

/**
 * Changes the signed-in account's password, which signs out the account's other sessions,
 * and keeps this browser signed in with a re-issued session. The account id comes from the
 * session only.
 */
export async function changePasswordFromForm(
  _previous: ChangePasswordState,
  formData: FormData,
): Promise<ChangePasswordState> {
  const currentPassword = readField(formData, "currentPassword");
  const newPassword = readField(formData, "newPassword");
  const confirmPassword = readField(formData, "confirmPassword");

  const fieldErrors: ChangePasswordState["fieldErrors"] = {};
  // The form of an account without a password has no current password field. The store
  // checks the current password against the account either way.
  const settingFirstPassword = formData.get("hasPassword") === "false";
  if (currentPassword === "" && !settingFirstPassword) {
    fieldErrors.currentPassword = "enter your current password";
  }
  if (newPassword === "") fieldErrors.newPassword = "enter a new password";
  if (confirmPassword !== newPassword) {
    fieldErrors.confirmPassword = "does not match the new password; type it again";
  }
  if (Object.keys(fieldErrors).length > 0) return { changed: false, fieldErrors };

  let accountId: string | undefined;
  try {
    accountId = await requireAccountId();
    const change = await changePassword({ accountId, currentPassword, newPassword });
    await reissueSession(change);
    logger.info(
      { accountId, first: settingFirstPassword, sessionVersion: change.sessionVersion },
      "password changed; other sessions signed out",
    );
    // The page shows "Set a password" until the account has one.
    if (settingFirstPassword) revalidatePath("/settings");
    return { changed: true };
  } catch (error) {
    if (error instanceof ApiError && error.fields) {
      const fields = error.fields.map((problem) => problem.field);
      logger.info({ accountId, fields }, "password change rejected");
      for (const problem of error.fields) {
        if (isPasswordField(problem.field)) fieldErrors[problem.field] = problem.message;
      }
      return { changed: false, fieldErrors };
    }
    if (error instanceof ApiError) {
      logger.info({ accountId, code: error.code }, "password change rejected");
      return { changed: false, message: error.message };
    }
    logger.error({ err: error, accountId }, "password change failed");
    return {
      changed: false,
      message: "Changing the password failed on the server. Try again in a moment.",
    };
  }
}

/** The "Sign out other sessions" form's result. */
export interface SignOutOtherSessionsState {
  signedOut: boolean;
  message?: string;
}

/**
 * Signs out every session of the signed-in account except this browser's, which is
 * re-issued at the account's new session version.
 */
export async function signOutOtherSessionsFromForm(): Promise<SignOutOtherSessionsState> {
  let accountId: string | undefined;
  try {
    accountId = await requireAccountId();
    const change = await raiseSessionVersion(accountId);
    await reissueSession(change);
    logger.info({ accountId, sessionVersion: change.sessionVersion }, "other sessions signed out");
    return { signedOut: true };
  } catch (error) {
    if (error instanceof ApiError) {
      logger.info({ accountId, code: error.code }, "signing out other sessions rejected");
      return { signedOut: false, message: error.message };
    }
    logger.error({ err: error, accountId }, "signing out other sessions failed");
    return {
      signedOut: false,
      message: "Signing out the other sessions failed on the server. Try again in a moment.",
    };
  }
}

type RunpodField = "apiKey" | "endpointId";

/** The RunPod connection form's result. The API key is never sent back to the browser. */
export interface RunpodConnectionState {
  saved: boolean;
  /** The endpoint id as submitted, to refill the field after an error. */
  endpointId?: string;
  message?: string;
  fieldErrors?: Partial<Record<RunpodField, string>>;
}

/**
 * Tests the submitted RunPod API key against `/health` of the submitted endpoint and
 * saves it for the signed-in account. The key is neither logged nor returned.
 */
export async function saveRunpodConnectionFromForm(
  _previous: RunpodConnectionState,
  formData: FormData,
): Promise<RunpodConnectionState> {
  const apiKey = formData.get("apiKey");
  const endpointId = String(formData.get("endpointId") ?? "");
  let accountId: string | undefined;
  try {
    accountId = await requireAccountId();
    await saveConnection({
      accountId,
      apiKey: typeof apiKey === "string" ? apiKey : "",
      endpointId,
    });
    revalidatePath("/settings");
    return { saved: true };
  } catch (error) {
    if (error instanceof ApiError && error.fields) {
      const fieldErrors: RunpodConnectionState["fieldErrors"] = {};
      for (const problem of error.fields) {
        if (problem.field === "apiKey" || problem.field === "endpointId") {
          fieldErrors[problem.field] = problem.message;
        }
      }
      return { saved: false, endpointId, fieldErrors };
    }
    if (error instanceof ApiError || error instanceof ConfigError) {
      logger.warn({ accountId, err: error.message }, "runpod connection not saved");
      return { saved: false, endpointId, message: error.message };
    }
    logger.error({ err: error, accountId }, "saving the runpod connection failed");
    return {
      saved: false,
      endpointId,
      message: "Saving the RunPod connection failed on the server. Try again in a moment.",
    };
  }
}

/** Removes the signed-in account's RunPod connection. */
export async function removeRunpodConnectionFromForm(): Promise<void> {
  const accountId = await requireAccountId();
  await removeConnection(accountId);
  revalidatePath("/settings");
}

/** The duplicate settings form's result. */
export interface DuplicateSettingsState {
  saved: boolean;
  message?: string;
}

/** Saves who opens the signed-in account's cards and whether duplicates merge automatically. */
export async function saveDuplicateSettingsFromForm(
  _previous: DuplicateSettingsState,
  formData: FormData,
): Promise<DuplicateSettingsState> {
  let accountId: string | undefined;
  try {
    accountId = await requireAccountId();
    const saved = await saveDuplicateSettings(accountId, {
      cardOpener: formData.get("cardOpener"),
      autoMerge: formData.get("autoMerge") === "on",
    });
    logger.info({ accountId, ...saved }, "duplicate settings saved");
    revalidatePath("/settings");
    return { saved: true };
  } catch (error) {
    if (error instanceof ApiError) return { saved: false, message: error.message };
    logger.error({ err: error, accountId }, "saving the duplicate settings failed");
    return {
      saved: false,
      message: "Saving the settings failed on the server. Try again in a moment.",
    };
  }
}

/**
 * Starts connecting GitHub to the signed-in account: stores a short-lived, signed link
 * intent for this account in an HttpOnly cookie, then sends the browser to GitHub. The
 * GitHub callback connects the GitHub user only when the intent is valid. `signIn`
 * redirects by throwing Next's redirect error, so nothing is caught.
 */
export async function connectGitHubFromForm(): Promise<void> {
  const accountId = await requireAccountId();
  const methods = await signInMethods(accountId);
  if (methods?.github) redirect("/settings?github_error=github_other_user_connected");

  const secure = (await headers()).get("x-forwarded-proto") === "https";
  (await cookies()).set(
    GITHUB_LINK_COOKIE,
    createGitHubLinkIntent({ accountId, secret: authSecret() }),
    {
      httpOnly: true,
      sameSite: "lax",
      secure,
      path: GITHUB_LINK_COOKIE_PATH,
      maxAge: GITHUB_LINK_LIFETIME_SECONDS,
    },
  );
  logger.info({ accountId }, "connecting GitHub started");
  await signIn("github", { redirectTo: "/settings?github=connected" });
}

/** The disconnect-GitHub form's result. */
export interface DisconnectGitHubState {
  message?: string;
}

/**
 * Disconnects GitHub from the signed-in account, unless it is the account's only sign-in.
 * This signs out the account's other sessions, also those that signed in through GitHub,
 * and keeps this browser signed in with a re-issued session.
 */
export async function disconnectGitHubFromForm(): Promise<DisconnectGitHubState> {
  const accountId = await requireAccountId();
  const result = await unlinkGitHubAccount(accountId);
  if ("error" in result) {
    logger.info({ accountId, reason: result.error }, "disconnecting GitHub rejected");
    return { message: githubUnlinkErrors[result.error] };
  }
  await reissueSession(result.session);
  logger.info(
    { accountId, sessionVersion: result.session.sessionVersion },
    "GitHub disconnected; other sessions signed out",
  );
  revalidatePath("/settings");
  redirect("/settings?github=disconnected");
}
