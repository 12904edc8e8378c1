"use client";

import { useActionState, useState } from "react";
import { type RevokeKeyResult, revokeKeyFromForm } from "@/app/(dashboard)/keys/actions";
import { Spinner } from "./spinner";
import { useToast } from "./toast";

/** A Revoke button that revokes the key only after a second click on "Confirm revoke". */
export function RevokeKeyButton({ keyId, keyName }: { keyId: string; keyName: string }) {
  const [confirming, setConfirming] = useState(false);
  const toast = useToast();
  const [result, formAction, pending] = useActionState<RevokeKeyResult | null, FormData>(
    async (_previous, formData) => {
      const outcome = await revokeKeyFromForm(formData);
      toast(
        outcome.ok ? `Revoked “${keyName}”.` : `Revoking the key failed: ${outcome.message}`,
        outcome.ok ? "success" : "error",
      );
      return outcome;
    },
    null,
  );

  if (!confirming) {
    return (
      <button
        type="button"
        onClick={() => setConfirming(true)}
        className="rounded-md border border-zinc-700 px-2.5 py-1 text-xs font-medium text-zinc-300 transition hover:border-red-500 hover:text-red-300"
      >
        Revoke
      </button>
    );
  }

  return (
    <form action={formAction} className="inline-flex flex-col items-end gap-1">
      <input type="hidden" name="keyId" value={keyId} />
      <span className="inline-flex flex-col items-stretch gap-1.5 whitespace-nowrap">
        <button
          type="submit"
          disabled={pending}
          aria-busy={pending}
          title={`Requests that use "${keyName}" will be rejected from now on.`}
          className="inline-flex items-center justify-center gap-1.5 rounded-md bg-red-600 px-2.5 py-1 text-xs font-medium text-white hover:bg-red-500 disabled:opacity-60"
        >
          {pending ? <Spinner /> : null}
          Confirm revoke
        </button>
        <button
          type="button"
          onClick={() => setConfirming(false)}
          disabled={pending}
          className="rounded-md border border-zinc-700 px-2.5 py-1 text-xs text-zinc-300 hover:border-zinc-500"
        >
          Cancel
        </button>
      </span>
      {result && !result.ok ? (
        <span role="alert" className="max-w-64 text-right text-xs whitespace-normal text-red-400">
          {result.message}
        </span>
      ) : null}
    </form>
  );
}
