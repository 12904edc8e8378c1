"use client";

import { startTransition, useActionState, useState } from "react";
import {
  type EndActivityResult,
  endActivityFromForm,
} from "@/app/(dashboard)/activities/[id]/actions";
import { Spinner } from "./spinner";
import { useToast } from "./toast";

const STATUSES = [
  { value: "COMPLETED", label: "COMPLETED (green)" },
  { value: "FAILED", label: "FAILED (red)" },
  { value: "TIMED_OUT", label: "TIMED_OUT (red)" },
  { value: "CANCELLED", label: "CANCELLED (orange)" },
] as const;

const fieldClass =
  "rounded-lg border border-zinc-700 bg-zinc-900 px-3 py-2 text-sm text-zinc-100 outline-none transition focus:border-runpod-light focus:ring-2 focus:ring-runpod-light/30 aria-invalid:border-red-500";

/**
 * Ends an open card by hand, as `POST /v1/activity/end` does, after a confirmation
 * step. Once the card is closed only the outcome message stays, so the page keeps this
 * component mounted with `open` false instead of removing it.
 */
export function EndActivityForm({ activityId, open }: { activityId: string; open: boolean }) {
  const [confirming, setConfirming] = useState(false);
  const [status, setStatus] = useState<string>("CANCELLED");
  const [message, setMessage] = useState("");
  const toast = useToast();
  const [result, formAction, pending] = useActionState<EndActivityResult | null, FormData>(
    async (_previous, formData) => {
      const outcome = await endActivityFromForm(formData);
      setConfirming(false);
      toast(
        outcome.ok ? "Card closed." : "Ending the card failed; the reason is on the page.",
        outcome.ok ? "success" : "error",
      );
      return outcome;
    },
    null,
  );
  const fieldErrors = result && !result.ok ? result.fieldErrors : undefined;
  const outcome = result ? (
    <p
      role={result.ok ? "status" : "alert"}
      data-testid="end-activity-result"
      className={`text-sm ${result.ok ? "text-emerald-300" : "text-red-400"}`}
    >
      {result.message}
    </p>
  ) : null;

  if (!open) return outcome;

  return (
    <section
      aria-labelledby="end-heading"
      className="rounded-2xl border border-zinc-800 bg-zinc-900/50 p-4"
    >
      <h2 id="end-heading" className="text-base font-semibold">
        End this card
      </h2>
      <p className="mt-1 text-sm text-zinc-400">
        For a job whose webhook never came. The card closes now in the status you choose, and a
        later webhook will not change it.
      </p>
      <form
        // Submitting through onSubmit keeps the typed values, because a form `action`
        // resets the fields after the request, also when it failed.
        onSubmit={(event) => {
          event.preventDefault();
          const formData = new FormData(event.currentTarget);
          startTransition(() => formAction(formData));
        }}
        className="mt-4 flex flex-col gap-3"
      >
        <input type="hidden" name="activityId" value={activityId} />
        <label className="flex flex-col gap-1 text-sm">
          <span className="text-zinc-300">Status</span>
          <select
            name="status"
            value={status}
            onChange={(event) => {
              setStatus(event.target.value);
              setConfirming(false);
            }}
            aria-invalid={fieldErrors?.status ? true : undefined}
            className={fieldClass}
          >
            {STATUSES.map((option) => (
              <option key={option.value} value={option.value}>
                {option.label}
              </option>
            ))}
          </select>
          {fieldErrors?.status ? (
            <span className="text-xs text-red-400">{fieldErrors.status}</span>
          ) : null}
        </label>
        <label className="flex flex-col gap-1 text-sm">
          <span className="text-zinc-300">
            Error message <span className="text-zinc-500">(optional, not kept for COMPLETED)</span>
          </span>
          <textarea
            name="error"
            rows={2}
            dir="auto"
            value={message}
            onChange={(event) => setMessage(event.target.value)}
            aria-invalid={fieldErrors?.error ? true : undefined}
            className={fieldClass}
          />
          {fieldErrors?.error ? (
            <span className="text-xs text-red-400">{fieldErrors.error}</span>
          ) : null}
        </label>
        {confirming ? (
          <div className="flex flex-wrap items-center gap-2">
            <span className="text-sm text-zinc-300">End the card as {status}?</span>
            <button
              type="submit"
              disabled={pending}
              aria-busy={pending}
              className="inline-flex items-center gap-1.5 rounded-lg bg-red-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-red-500 disabled:opacity-60"
            >
              {pending ? <Spinner /> : null}
              Confirm end as {status}
            </button>
            <button
              type="button"
              disabled={pending}
              onClick={() => setConfirming(false)}
              className="rounded-lg border border-zinc-700 px-3 py-1.5 text-sm text-zinc-300 hover:border-zinc-500"
            >
              Back
            </button>
          </div>
        ) : (
          <div>
            <button
              type="button"
              onClick={() => setConfirming(true)}
              className="rounded-lg border border-zinc-700 px-3 py-1.5 text-sm font-medium text-zinc-200 transition hover:border-red-500 hover:text-red-300"
            >
              End card…
            </button>
          </div>
        )}
        {outcome}
      </form>
    </section>
  );
}
