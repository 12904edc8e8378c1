import { expect } from "@playwright/test";
import type { AccountKeys } from "../fixtures";
import type { KeysPage } from "../pages/keys-page";
import {
  type ApiResponse,
  completedStatusObject,
  newJobId,
  postWebhook,
  startActivity,
} from "./chirp-api";

/** The endpoint the webhook key is limited to; cards open on ENDPOINT_ID, outside it. */
export const SCOPED_ENDPOINT_ID = "scopedendpt001";

/**
 * Limits the webhook key to SCOPED_ENDPOINT_ID on the keys page, opens a card on another
 * endpoint and posts the job's COMPLETED status object, which the key's scope leaves
 * unapplied. Returns the webhook's response.
 */
export async function postOutOfScopeDelivery(
  keys: AccountKeys,
  keysPage: KeysPage,
): Promise<ApiResponse> {
  await keysPage.goto();
  await keysPage.setEndpoints(keys.webhookKeyId, SCOPED_ENDPOINT_ID);
  await expect(keysPage.row(keys.webhookKeyId).getByTestId("key-endpoints")).toHaveText(
    `Endpoints: ${SCOPED_ENDPOINT_ID}`,
  );
  const jobId = newJobId();
  expect((await startActivity(keys.apiKey, jobId)).status).toBe(201);

  const delivery = await postWebhook(keys.webhookUrl, completedStatusObject(jobId));
  expect(delivery.status).toBe(200);
  expect(delivery.json.changed).toBe(false);
  return delivery;
}
