import type { NextAuthConfig } from "next-auth";
import { SESSION_MAX_AGE_SECONDS } from "./session-cookie";

/**
 * The part of the Auth.js configuration that needs no database. Pages and dashboard APIs
 * are guarded by `proxy.ts`, which reads the same JWT session cookie; the callbacks that
 * check a session against its account are in `./index.ts`.
 */
export const authConfig = {
  pages: { signIn: "/sign-in" },
  session: { strategy: "jwt", maxAge: SESSION_MAX_AGE_SECONDS },
  // Chirp is self-hosted behind whatever host name its operator chooses.
  trustHost: true,
  providers: [],
} satisfies NextAuthConfig;
