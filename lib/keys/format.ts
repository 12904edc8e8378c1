import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { keySigningSecrets } from "@/lib/config";
import type { KeyKind } from "@/lib/db/schema";
import { ApiError } from "@/lib/http/errors";
import { randomSecret, randomString } from "@/lib/ids";

/**
 * Key format: `chirp_<kind>_<signer>_<key id>_<secret>_<signature>`, for example
 * `chirp_wh_3f9a_k7m2q9x4v1b8n3pq_<32 letters and digits>_<32 hex digits>`.
 *
 * - kind: `wh` for webhook keys, `api` for API keys, so a key used in the wrong place is
 *   rejected before any lookup.
 * - signer: the first 4 hex digits of SHA-256 of the server secret that signed the key, so
 *   the server can keep accepting keys signed by its previous secret after a rotation.
 * - signature: HMAC-SHA256 over everything before it, truncated to 128 bits. A forged or
 *   mistyped key fails this check without a database query.
 *
 * Underscores separate the parts because they survive URLs and double-click selection.
 */

const KIND_PREFIX: Record<KeyKind, string> = { webhook: "wh", api: "api" };
const KEY_PATTERN =
  /^chirp_(wh|api)_([0-9a-f]{4})_([a-z0-9]{16})_([0-9A-Za-z]{32})_([0-9a-f]{32})$/;

export interface ParsedKey {
  kind: KeyKind;
  /** The record id, `key_` followed by the id part of the key. */
  keyId: string;
}

// Signer ids of the secrets used so far. Hashing the secret on every request was a
// measurable part of rejecting a forged key. The map contains the current and previous
// secret of each configuration the process has run with, so it stays small.
const signerIds = new Map<string, string>();

export function signerId(secret: string): string {
  let id = signerIds.get(secret);
  if (id === undefined) {
    id = createHash("sha256").update(secret).digest("hex").slice(0, 4);
    signerIds.set(secret, id);
  }
  return id;
}

/** Returns the 128-bit signature of a key: HMAC-SHA256 truncated to 16 bytes. */
function signatureBytes(secret: string, unsigned: string): Buffer {
  return createHmac("sha256", secret).update(unsigned).digest().subarray(0, 16);
}

function sign(secret: string, unsigned: string): string {
  return signatureBytes(secret, unsigned).toString("hex");
}

export function hashKey(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

/** Compares a presented key with a stored hash in constant time. */
export function keyMatchesHash(key: string, storedHash: string): boolean {
  const presented = Buffer.from(hashKey(key), "hex");
  const stored = Buffer.from(storedHash, "hex");
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}

export function kindLabel(kind: KeyKind): string {
  return kind === "webhook" ? "webhook key" : "API key";
}

function withArticle(kind: KeyKind): string {
  return kind === "webhook" ? "a webhook key" : "an API key";
}

export interface GeneratedKey {
  key: string;
  keyId: string;
  hash: string;
  /** The part of the key that is safe to show in lists: prefix, id and 4 secret characters. */
  displayStart: string;
}

const KEY_ID_PATTERN = /^key_([a-z0-9]{16})$/;

/**
 * Generates a key with a new secret. A reroll passes the record id of an existing key so
 * the new key keeps that id; otherwise a new id is drawn.
 */
export function generateKey(kind: KeyKind, keyId?: string): GeneratedKey {
  const { current } = keySigningSecrets();
  let id = randomString(16);
  if (keyId !== undefined) {
    const match = KEY_ID_PATTERN.exec(keyId);
    if (!match)
      throw new Error(`"${keyId}" is not a key id; key ids are key_ and 16 letters or digits.`);
    id = match[1]!;
  }
  const secret = randomSecret(32);
  const unsigned = `chirp_${KIND_PREFIX[kind]}_${signerId(current)}_${id}_${secret}`;
  const key = `${unsigned}_${sign(current, unsigned)}`;
  return {
    key,
    keyId: `key_${id}`,
    hash: hashKey(key),
    displayStart: `${unsigned.slice(0, unsigned.length - secret.length + 4)}…`,
  };
}

/**
 * Checks a key's shape, kind and signature without touching the database, and throws
 * the ApiError to return when any of them is wrong.
 */
export function verifyKeySignature(key: string, expected: KeyKind): ParsedKey {
  const where = expected === "webhook" ? "webhook URLs" : "the activity API and the RunPod proxy";
  const match = KEY_PATTERN.exec(key);
  if (!match) {
    const hint = key.startsWith("chirp_")
      ? "It starts like a Chirp key but its length or characters are wrong; copy it again in full."
      : `Chirp keys start with chirp_${KIND_PREFIX[expected]}_.`;
    throw new ApiError(
      "invalid_key",
      `The ${kindLabel(expected)} is not a valid Chirp key. ${hint}`,
    );
  }
  const [, prefix, signer, id, , signature] = match as unknown as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const kind: KeyKind = prefix === "wh" ? "webhook" : "api";
  if (kind !== expected) {
    throw new ApiError(
      "wrong_key_kind",
      `This is ${withArticle(kind)}, but ${where} take ${withArticle(expected)} (chirp_${KIND_PREFIX[expected]}_…). Create one on the keys page.`,
    );
  }
  const unsigned = key.slice(0, key.length - signature.length - 1);
  const { current, previous } = keySigningSecrets();
  const presentedSignature = Buffer.from(signature, "hex");
  const valid =
    (signerId(current) === signer &&
      timingSafeEqual(signatureBytes(current, unsigned), presentedSignature)) ||
    (previous !== undefined &&
      signerId(previous) === signer &&
      timingSafeEqual(signatureBytes(previous, unsigned), presentedSignature));
  if (!valid) {
    throw new ApiError(
      "invalid_key",
      `The ${kindLabel(expected)} has an invalid signature: it was mistyped, or signed by a server secret this server no longer accepts. Copy the key again or create a new one.`,
    );
  }
  return { kind, keyId: `key_${id}` };
}
