import { redirect } from "next/navigation";
import { currentSession, sessionEndedElsewhere } from "@/lib/auth";
import { SESSION_ENDED_REASON } from "@/lib/auth/sign-in-reasons";

/**
 * Returns the signed-in account for a dashboard page, or redirects to /sign-in. The
 * request proxy already guards these pages, but layouts and pages render independently,
 * so each one checks again. This check, unlike the proxy's, compares the session with the
 * account's session version, so a session signed out from another browser is redirected
 * here, with `?reason=session-ended` so the sign-in page shows why. Throws when the
 * database is unreachable, so an outage shows an error page instead of signing the user
 * out.
 */
export async function requireSession(): Promise<{ accountId: string; email: string }> {
  const session = await currentSession();
  if (session?.unverified) {
    throw new Error("The database is unreachable, so the session could not be checked.");
  }
  const accountId = session?.user?.id;
  if (!accountId) {
    redirect(
      (await sessionEndedElsewhere()) ? `/sign-in?reason=${SESSION_ENDED_REASON}` : "/sign-in",
    );
  }
  return { accountId, email: session?.user?.email ?? "" };
}
