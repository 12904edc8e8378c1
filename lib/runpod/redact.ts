/**
 * RunPod echoes the webhook URL, key included, in every status object. These patterns
 * remove Chirp keys and `key=` query values from any text before it is stored or logged.
 */
const CHIRP_KEY = /chirp_(?:wh|api)_[0-9A-Za-z_]+/g;
const KEY_PARAMETER = /([?&](?:amp;)?key=)[^&"'\s\\#]+/gi;

export const REDACTED = "[redacted]";

export function redactSecrets(text: string): string {
  return text.replace(CHIRP_KEY, REDACTED).replace(KEY_PARAMETER, `$1${REDACTED}`);
}
