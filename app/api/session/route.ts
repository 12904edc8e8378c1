import { requireSignedInAccount } from "@/lib/auth";
import { withErrors } from "@/lib/http/handler";

export const dynamic = "force-dynamic";

/**
 * Checks the browser's session: 204 when it is current, or the error of the dashboard
 * APIs (401 `session_ended` or `unauthorized`, 503 `database_unavailable`). Unlike
 * /api/auth/session it never clears the session cookie, so the page that follows can still
 * show why the session ended.
 */
export const GET = withErrors("session", async () => {
  await requireSignedInAccount();
  return new Response(null, { status: 204, headers: { "Cache-Control": "no-store" } });
});
