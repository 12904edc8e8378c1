import type { NextAuthConfig } from "next-auth";

/**
 * The part of the Auth.js configuration that needs no database. Pages and dashboard APIs
 * are guarded by `proxy.ts`, which reads the same JWT session cookie.
 */
export const authConfig = {
  pages: { signIn: "/sign-in" },
  session: { strategy: "jwt" },
  // Chirp is self-hosted behind whatever host name its operator chooses.
  trustHost: true,
  providers: [],
  callbacks: {
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
