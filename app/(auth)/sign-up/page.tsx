import type { Metadata } from "next";
import Link from "next/link";
import { CredentialsForm } from "@/app/_components/credentials-form";
import { MIN_PASSWORD_LENGTH } from "@/lib/accounts/store";
import { signUpWithPassword } from "../actions";

export const metadata: Metadata = { title: "Create account" };

export default function SignUpPage() {
  return (
    <>
      <h1 className="mb-6 text-xl font-semibold">Create your account</h1>
      <CredentialsForm
        action={signUpWithPassword}
        submitLabel="Create account"
        newPassword
        passwordHint={`At least ${MIN_PASSWORD_LENGTH} characters.`}
      />
      <p className="mt-6 text-center text-sm text-zinc-400">
        Already have an account?{" "}
        <Link href="/sign-in" className="font-medium text-runpod-light hover:underline">
          Sign in
        </Link>
      </p>
    </>
  );
}
