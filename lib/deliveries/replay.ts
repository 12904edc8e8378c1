import { and, eq, isNull } from "drizzle-orm";
import { deliveries } from "@/lib/db/schema";
import { ApiError } from "@/lib/http/errors";
import {
  type AppliedStatus,
  applyStatusObject,
  parseStoredStatusObject,
} from "@/lib/runpod/status-object";
import { getDelivery } from "./queries";

export interface ReplayResult extends AppliedStatus {
  deliveryId: string;
}

/**
 * Re-applies a stored delivery's status object to its card, through the same path as a
 * live delivery. The replay's events name the delivery, so its page lists them. Replaying is safe to repeat: a terminal state is final, so a second
 * replay only records another event. Only deliveries accepted with 200 stored a status
 * object, so the others cannot be replayed.
 */
export async function replayDelivery({
  accountId,
  deliveryId,
}: {
  accountId: string;
  deliveryId: string;
}): Promise<ReplayResult> {
  const delivery = await getDelivery({ accountId, deliveryId });
  if (!delivery) {
    throw new ApiError("not_found", `No delivery "${deliveryId}" in this account.`);
  }
  if (delivery.statusObject === null) {
    const answer = `${delivery.responseStatus}${delivery.errorCode ? ` ${delivery.errorCode}` : ""}`;
    throw new ApiError(
      "not_replayable",
      `Delivery ${deliveryId} was rejected with ${answer}, so it carried no status object to replay. Fix the cause shown in its error code, then send the job's status object again.`,
    );
  }

  const applied = await applyStatusObject({
    accountId,
    statusObject: parseStoredStatusObject(delivery.statusObject),
    deliveryId,
    replayOf: deliveryId,
    // A delivery that touched no card on receipt links to the card its replay changed.
    alsoWrite: (tx, activityId) =>
      activityId === null
        ? Promise.resolve()
        : tx
            .update(deliveries)
            .set({ activityId })
            .where(and(eq(deliveries.id, deliveryId), isNull(deliveries.activityId))),
  });
  return { deliveryId, ...applied };
}
