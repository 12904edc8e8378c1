import type { NextAuthConfig } from "next-auth";

/**
 * The part of the Auth.js configuration that needs no database, shared by the request
 * proxy and the full configuration in `./index.ts`.
 */
export const authConfig = {
  pages: { signIn: "/sign-in" },
  session: { strategy: "jwt" },
  // Chirp is self-hosted behind whatever host name its operator chooses.
  trustHost: true,
  providers: [],
  callbacks: {
    authorized({ auth, request }) {
      const { pathname } = request.nextUrl;
      const isPublic = pathname === "/sign-in" || pathname === "/sign-up";
      if (isPublic) return true;
      if (auth?.user) return true;
      // Dashboard APIs answer 401 in JSON instead of redirecting to a page.
      if (pathname.startsWith("/api/")) {
        return Response.json(
          { error: { code: "unauthorized", message: "Sign in to use the dashboard API." } },
          { status: 401 },
        );
      }
      return false;
    },
    jwt({ token, user }) {
      if (user?.id) token.sub = user.id;
      return token;
    },
    session({ session, token }) {
      if (token.sub) session.user.id = token.sub;
      return session;
    },
  },
} satisfies NextAuthConfig;
