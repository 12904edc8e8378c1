import NextAuth from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { verifyPassword } from "@/lib/accounts/store";
import { authSecret } from "@/lib/config";
import { ApiError } from "@/lib/http/errors";
import { logger } from "@/lib/log";
import { authConfig } from "./config";

// Lazy so that `next build`, which imports every route, reads no secret.
export const { handlers, auth, signIn, signOut } = NextAuth(() => ({
  ...authConfig,
  secret: authSecret(),
  // Auth.js prints every failed sign-in as an error with a stack. A wrong password is an
  // ordinary outcome, so it is dropped, and other errors go to the structured log.
  logger: {
    error(error) {
      if (error.name === "CredentialsSignin") return;
      logger.error({ err: error }, "authentication failed");
    },
    warn(code) {
      logger.warn({ code }, "authentication warning");
    },
    debug() {},
  },
  providers: [
    Credentials({
      credentials: { email: { type: "email" }, password: { type: "password" } },
      async authorize(credentials) {
        const { email, password } = credentials ?? {};
        if (typeof email !== "string" || typeof password !== "string") return null;
        const account = await verifyPassword(email, password);
        return account ? { id: account.id, email: account.email } : null;
      },
    }),
  ],
}));

/** Returns the signed-in account's id, or throws an ApiError that becomes a 401. */
export async function requireAccountId(): Promise<string> {
  const session = await auth();
  const id = session?.user?.id;
  if (!id) throw new ApiError("unauthorized", "Sign in to use the dashboard API.");
  return id;
}
