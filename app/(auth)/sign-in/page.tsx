import type { Metadata } from "next";
import Link from "next/link";
import { CredentialsForm } from "@/app/_components/credentials-form";
import { signInWithPassword } from "../actions";

export const metadata: Metadata = { title: "Sign in" };

export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<{ callbackUrl?: string | string[] }>;
}) {
  const { callbackUrl } = await searchParams;
  return (
    <>
      <h1 className="mb-6 text-xl font-semibold">Sign in to Chirp</h1>
      <CredentialsForm
        action={signInWithPassword}
        submitLabel="Sign in"
        newPassword={false}
        callbackUrl={typeof callbackUrl === "string" ? callbackUrl : undefined}
      />
      <p className="mt-6 text-center text-sm text-zinc-400">
        No account yet?{" "}
        <Link href="/sign-up" className="font-medium text-runpod-light hover:underline">
          Create one
        </Link>
      </p>
    </>
  );
}
