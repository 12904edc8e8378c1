import NextAuth from "next-auth";
import { authConfig } from "@/lib/auth/config";
import { authSecret } from "@/lib/config";

const { auth } = NextAuth(() => ({ ...authConfig, secret: authSecret() }));

// `next build` finds the proxy function only through a declaration or an export specifier
// named `proxy`; a destructuring export fails the build.
export { auth as proxy };

export const config = {
  // The public API authenticates with keys, not sessions, and must not be buffered by the
  // proxy: Next clones proxied request bodies and cuts them at 10 MB, and RunPod webhook
  // bodies reach 20 MB.
  matcher: ["/((?!v1/|api/auth|_next/static|_next/image|favicon.ico|runpod-logo.svg).*)"],
};
