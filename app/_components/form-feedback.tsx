import type { ReactNode } from "react";

/** Renders the settings forms' outcome lines: a red alert for a failure, a green status for success. */
export function FormFeedback({ error, success }: { error?: string; success?: ReactNode }) {
  return (
    <>
      {error ? (
        <p
          role="alert"
          className="rounded-lg border border-red-500/40 bg-red-500/10 px-3 py-2 text-sm text-red-300"
        >
          {error}
        </p>
      ) : null}
      {success ? (
        <p
          role="status"
          className="rounded-lg border border-emerald-500/40 bg-emerald-500/10 px-3 py-2 text-sm text-emerald-300"
        >
          {success}
        </p>
      ) : null}
    </>
  );
}
