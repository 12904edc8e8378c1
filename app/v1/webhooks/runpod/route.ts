import { maxWebhookBodyBytes } from "@/lib/config";
import { methodNotAllowed, readBodyCapped, withErrors } from "@/lib/http/handler";
import {
  checkWebhookKey,
  misplacedKeyHint,
  receiveWebhook,
  webhookKeyOf,
} from "@/lib/runpod/webhook";

export const dynamic = "force-dynamic";

/**
 * RunPod's completion webhook. RunPod sends no signature and no documented headers, so
 * the `key` query parameter is the only credential, and the body is read as bytes
 * whatever its Content-Type header claims.
 */
export const POST = withErrors("webhook.runpod", async (request: Request) => {
  const url = new URL(request.url);
  const key = webhookKeyOf(url);
  checkWebhookKey(key, key ? undefined : misplacedKeyHint(url, request.headers));
  const maxBytes = maxWebhookBodyBytes();
  const { bytes, tooLarge } = await readBodyCapped(request, maxBytes);
  const result = await receiveWebhook({
    key,
    headers: request.headers,
    body: bytes,
    tooLarge,
    maxBytes,
  });
  return Response.json(result.body, { status: result.status, headers: result.headers });
});

const onlyPost = methodNotAllowed("POST");

export { onlyPost as DELETE, onlyPost as GET, onlyPost as PATCH, onlyPost as PUT };
