"use client";

import { useActionState } from "react";
import {
  type ReplayDeliveryResult,
  replayDeliveryFromForm,
} from "@/app/(dashboard)/deliveries/actions";
import { Spinner } from "./spinner";
import { useToast } from "./toast";

/**
 * Replays a stored delivery and shows what it did to the card. Without a status object
 * (a rejected delivery) the button is disabled and `disabledReason` explains why.
 */
export function ReplayDeliveryButton({
  deliveryId,
  disabledReason,
}: {
  deliveryId: string;
  disabledReason?: string;
}) {
  const toast = useToast();
  const [result, formAction, pending] = useActionState<ReplayDeliveryResult | null, FormData>(
    async (_previous, formData) => {
      const outcome = await replayDeliveryFromForm(formData);
      toast(
        outcome.ok ? "Delivery replayed." : "Replaying the delivery failed; the reason is below.",
        outcome.ok ? "success" : "error",
      );
      return outcome;
    },
    null,
  );

  return (
    <form action={formAction} className="flex flex-col gap-2">
      <input type="hidden" name="deliveryId" value={deliveryId} />
      <div>
        <button
          type="submit"
          disabled={pending || disabledReason !== undefined}
          aria-busy={pending}
          aria-describedby={disabledReason ? "replay-disabled-reason" : undefined}
          className="inline-flex items-center gap-1.5 rounded-lg bg-violet-600 px-3 py-1.5 text-sm font-medium text-white transition hover:bg-violet-500 disabled:cursor-not-allowed disabled:opacity-50"
        >
          {pending ? <Spinner /> : null}
          Replay
        </button>
      </div>
      {disabledReason ? (
        <p id="replay-disabled-reason" className="text-sm text-zinc-400">
          {disabledReason}
        </p>
      ) : null}
      {result ? (
        <p
          role={result.ok ? "status" : "alert"}
          data-testid="replay-result"
          className={`text-sm ${result.ok ? "text-emerald-300" : "text-red-400"}`}
        >
          {result.message}
        </p>
      ) : null}
    </form>
  );
}
