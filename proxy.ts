import { type NextRequest, NextResponse } from "next/server";
import { getToken } from "next-auth/jwt";
import { hasSecureSessionCookie } from "@/lib/auth/session-cookie";
import { authSecret } from "@/lib/config";

const PUBLIC_PAGES = new Set(["/sign-in", "/sign-up"]);

/**
 * Requires a session for every dashboard page and dashboard API. It only decodes the session
 * cookie, with no database query, so a session that was signed out by a newer session
 * version passes here and is rejected by `auth()` in the page or route (lib/auth/index.ts).
 * It reads the session cookie without rewriting it: Auth.js's own `auth` wrapper sends a refreshed cookie on
 * every response, and a response still in flight at sign-out would then sign the user
 * back in.
 */
export async function proxy(request: NextRequest): Promise<Response> {
  const { pathname, search } = request.nextUrl;
  if (PUBLIC_PAGES.has(pathname)) return NextResponse.next();

  const token = await getToken({
    req: request,
    secret: authSecret(),
    secureCookie: hasSecureSessionCookie(request.cookies.getAll().map(({ name }) => name)),
  });
  if (token?.sub) return NextResponse.next();

  // Dashboard APIs respond with 401 in JSON instead of redirecting to a page.
  if (pathname.startsWith("/api/")) {
    return Response.json(
      { error: { code: "unauthorized", message: "Sign in to use the dashboard API." } },
      { status: 401 },
    );
  }
  const signIn = new URL("/sign-in", request.url);
  signIn.searchParams.set("callbackUrl", `${pathname}${search}`);
  return NextResponse.redirect(signIn);
}

export const config = {
  // The public API authenticates with keys, not sessions, and must not be buffered by the
  // proxy: Next clones proxied request bodies and cuts them at 10 MB, and RunPod webhook
  // bodies reach 20 MB.
  matcher: ["/((?!v1/|api/auth|_next/static|_next/image|favicon.ico|runpod-logo.svg).*)"],
};
