import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import { runpodEncryptionKeys } from "@/lib/config";

/**
 * Encryption of stored RunPod API keys with AES-256-GCM. A stored value is
 * `v1:<key id>:<iv>:<ciphertext>:<tag>` (base64url parts), where the key id is the start
 * of the SHA-256 of the encryption key, so a value names the key that encrypted it
 * without revealing it. The account id is the additional authenticated data, so a value
 * copied to another account's row does not decrypt.
 */

const VERSION = "v1";
const IV_BYTES = 12;

export class ApiKeyDecryptionError extends Error {
  override name = "ApiKeyDecryptionError";
}

/** Returns the id that a stored value carries for `key`: 8 bytes of its SHA-256, in hex. */
export function encryptionKeyId(key: Buffer): string {
  return createHash("sha256").update(key).digest("hex").slice(0, 16);
}

/** Encrypts `apiKey` for `accountId` under the current encryption key. */
export function encryptApiKey(apiKey: string, accountId: string): string {
  const { current } = runpodEncryptionKeys();
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", current, iv);
  cipher.setAAD(Buffer.from(accountId));
  const ciphertext = Buffer.concat([cipher.update(apiKey, "utf8"), cipher.final()]);
  return [
    VERSION,
    encryptionKeyId(current),
    iv.toString("base64url"),
    ciphertext.toString("base64url"),
    cipher.getAuthTag().toString("base64url"),
  ].join(":");
}

/**
 * Decrypts a stored value with the current or the previous encryption key, whichever it
 * names. `stale` is true when the previous key was used, so the caller re-encrypts it.
 * Throws ApiKeyDecryptionError when neither key matches or the value was altered.
 */
export function decryptApiKey(
  stored: string,
  accountId: string,
): { apiKey: string; stale: boolean } {
  const [version, keyId, iv, ciphertext, tag, ...rest] = stored.split(":");
  if (version !== VERSION || !keyId || !iv || !ciphertext || !tag || rest.length > 0) {
    throw new ApiKeyDecryptionError("The stored RunPod API key is not in the v1 format.");
  }
  const { current, previous } = runpodEncryptionKeys();
  let key: Buffer;
  if (keyId === encryptionKeyId(current)) key = current;
  else if (previous && keyId === encryptionKeyId(previous)) key = previous;
  else {
    throw new ApiKeyDecryptionError(
      `The stored RunPod API key was encrypted with key ${keyId}, which is neither CHIRP_RUNPOD_ENCRYPTION_KEY nor CHIRP_RUNPOD_ENCRYPTION_KEY_PREVIOUS; set the old key as CHIRP_RUNPOD_ENCRYPTION_KEY_PREVIOUS, or save the RunPod key again.`,
    );
  }
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
    decipher.setAAD(Buffer.from(accountId));
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    const plaintext = Buffer.concat([
      decipher.update(Buffer.from(ciphertext, "base64url")),
      decipher.final(),
    ]).toString("utf8");
    return { apiKey: plaintext, stale: key !== current };
  } catch {
    throw new ApiKeyDecryptionError(
      "The stored RunPod API key failed authentication: it was altered or belongs to another account. Save the RunPod key again.",
    );
  }
}
