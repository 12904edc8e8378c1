import { redirect } from "next/navigation";
import { currentSession } from "@/lib/auth";

/**
 * Returns the signed-in account for a dashboard page, or redirects to /sign-in. The
 * request proxy already guards these pages, but layouts and pages render independently,
 * so each one checks again. This check, unlike the proxy's, compares the session with the
 * account's session version, so a session signed out from another browser is redirected
 * here. Throws when the database
 * is unreachable, so an outage shows an error page instead of signing the user out.
 */
export async function requireSession(): Promise<{ accountId: string; email: string }> {
  const session = await currentSession();
  if (session?.unverified) {
    throw new Error("The database is unreachable, so the session could not be checked.");
  }
  const accountId = session?.user?.id;
  if (!accountId) redirect("/sign-in");
  return { accountId, email: session?.user?.email ?? "" };
}
