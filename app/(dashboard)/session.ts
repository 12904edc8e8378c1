import { redirect } from "next/navigation";
import { auth } from "@/lib/auth";

/**
 * Returns the signed-in account for a dashboard page, or redirects to /sign-in. The
 * request proxy already guards these pages, but layouts and pages render independently,
 * so each one checks again.
 */
export async function requireSession(): Promise<{ accountId: string; email: string }> {
  const session = await auth();
  const accountId = session?.user?.id;
  if (!accountId) redirect("/sign-in");
  return { accountId, email: session?.user?.email ?? "" };
}
