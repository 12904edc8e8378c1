import type { Provider } from "next-auth/providers";
import Credentials from "next-auth/providers/credentials";
import GitHub from "next-auth/providers/github";
import { verifyPassword } from "@/lib/accounts/store";
import { githubCredentials } from "./github";

/**
 * Returns the sign-in providers: email and password always, GitHub only when
 * AUTH_GITHUB_ID and AUTH_GITHUB_SECRET are set.
 */
export function authProviders(
  env: Readonly<Record<string, string | undefined>> = process.env,
): Provider[] {
  const providers: Provider[] = [
    Credentials({
      credentials: { email: { type: "email" }, password: { type: "password" } },
      async authorize(credentials) {
        const { email, password } = credentials ?? {};
        if (typeof email !== "string" || typeof password !== "string") return null;
        const account = await verifyPassword(email, password);
        if (!account) return null;
        return { id: account.id, email: account.email, sessionVersion: account.sessionVersion };
      },
    }),
  ];
  const github = githubCredentials(env);
  if (github) providers.push(GitHub(github));
  return providers;
}
