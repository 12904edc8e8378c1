import type { Delivery } from "@/lib/db/schema";

/** The placeholder that stands for the webhook key in commands shown to users. */
export const WEBHOOK_KEY_PLACEHOLDER = "YOUR_WEBHOOK_KEY";

/** Quotes a value for a POSIX shell: single quotes, with each `'` written as `'\''`. */
function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/**
 * Builds a curl command that sends the stored body to the webhook URL again, with the
 * stored Content-Type. The key is a placeholder: Chirp stores only a hash of it. A body
 * that was truncated in storage is sent as the truncated copy.
 */
export function curlCommand(
  delivery: Pick<Delivery, "body" | "contentType">,
  baseUrl: string,
): string {
  const url = `${baseUrl}/v1/webhooks/runpod?key=${WEBHOOK_KEY_PLACEHOLDER}`;
  const lines = [`curl -X POST ${shellQuote(url)}`];
  if (delivery.contentType !== null) {
    lines.push(`  -H ${shellQuote(`content-type: ${delivery.contentType}`)}`);
  }
  lines.push(`  --data-binary ${shellQuote(delivery.body)}`);
  return lines.join(" \\\n");
}

const UNITS = ["KB", "MB", "GB"] as const;

/** Formats a byte count for people, in powers of 1024: "812 B", "1.5 KB", "20.0 MB". */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${UNITS[unit]}`;
}

/** The body pretty-printed when it is complete JSON, or null when it should be shown as text. */
export function prettyJson(delivery: Pick<Delivery, "body" | "bodyTruncated">): string | null {
  if (delivery.bodyTruncated) return null;
  try {
    return JSON.stringify(JSON.parse(delivery.body), null, 2);
  } catch {
    return null;
  }
}

/** Formats the response Chirp returned, such as "200" or "401 revoked_key". */
export function responseLabel(delivery: Pick<Delivery, "responseStatus" | "errorCode">): string {
  return delivery.errorCode
    ? `${delivery.responseStatus} ${delivery.errorCode}`
    : String(delivery.responseStatus);
}
