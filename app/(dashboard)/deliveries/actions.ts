"use server";

import { revalidatePath } from "next/cache";
import { requireAccountId } from "@/lib/auth";
import { replayDelivery } from "@/lib/deliveries/replay";
import { ApiError } from "@/lib/http/errors";
import { logger } from "@/lib/log";

export type ReplayDeliveryResult = { ok: true; message: string } | { ok: false; message: string };

function describeReplay(result: Awaited<ReturnType<typeof replayDelivery>>): string {
  if (result.activityId === null) {
    return `Replayed: no card was touched. ${result.note ?? ""}`.trim();
  }
  const before = result.stateBefore ?? "no card";
  const outcome = result.changed ? "changed" : "no change";
  return `Replayed: ${before} → ${result.state} (${outcome}).`;
}

export async function replayDeliveryFromForm(formData: FormData): Promise<ReplayDeliveryResult> {
  const deliveryId = formData.get("deliveryId");
  try {
    const accountId = await requireAccountId();
    if (typeof deliveryId !== "string" || deliveryId === "") {
      return { ok: false, message: "The form sent no delivery id; reload the page and try again." };
    }
    const result = await replayDelivery({ accountId, deliveryId });
    logger.info(
      {
        accountId,
        deliveryId,
        activityId: result.activityId,
        stateBefore: result.stateBefore,
        state: result.state,
        changed: result.changed,
      },
      "delivery replayed",
    );
    revalidatePath(`/deliveries/${deliveryId}`);
    return { ok: true, message: describeReplay(result) };
  } catch (error) {
    if (error instanceof ApiError) return { ok: false, message: error.message };
    logger.error({ err: error, deliveryId }, "delivery replay failed");
    return {
      ok: false,
      message: "The server failed to replay the delivery. Try again in a moment.",
    };
  }
}
