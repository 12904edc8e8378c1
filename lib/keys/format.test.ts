import { createHash } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import type { KeyKind } from "@/lib/db/schema";
import { ApiError } from "@/lib/http/errors";
import { generateKey, hashKey, keyMatchesHash, signerId, verifyKeySignature } from "./format";

const OLD_SECRET = "old-signing-secret-0123456789abcdefghijkl";
const NEW_SECRET = "new-signing-secret-0123456789abcdefghijkl";
const UNKNOWN_SECRET = "unknown-signing-secret-0123456789abcdefgh";

const savedEnvironment = {
  CHIRP_KEY_SECRET: process.env.CHIRP_KEY_SECRET,
  CHIRP_KEY_SECRET_PREVIOUS: process.env.CHIRP_KEY_SECRET_PREVIOUS,
};

afterEach(() => {
  for (const [name, value] of Object.entries(savedEnvironment)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

function useSecrets(current: string, previous?: string) {
  process.env.CHIRP_KEY_SECRET = current;
  if (previous === undefined) delete process.env.CHIRP_KEY_SECRET_PREVIOUS;
  else process.env.CHIRP_KEY_SECRET_PREVIOUS = previous;
}

/** Returns the ApiError code that `verifyKeySignature` throws, or null when the key verifies. */
function rejectionOf(key: string, kind: KeyKind): string | null {
  try {
    verifyKeySignature(key, kind);
    return null;
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    return error.code;
  }
}

describe("key format", () => {
  it.each<[KeyKind, string]>([
    ["webhook", "wh"],
    ["api", "api"],
  ])("%s key round trip", (kind, prefix) => {
    const generated = generateKey(kind);

    expect(generated.key).toMatch(
      new RegExp(`^chirp_${prefix}_[0-9a-f]{4}_[a-z0-9]{16}_[0-9A-Za-z]{32}_[0-9a-f]{32}$`),
    );
    expect(verifyKeySignature(generated.key, kind)).toEqual({ kind, keyId: generated.keyId });
    expect(generated.keyId).toBe(`key_${generated.key.split("_")[3]}`);
    expect(generated.hash).toBe(createHash("sha256").update(generated.key).digest("hex"));
    expect(generated.key.split("_")[2]).toBe(signerId(process.env.CHIRP_KEY_SECRET!));
  });

  it("display start hides all but 4 secret characters", () => {
    const { key, displayStart } = generateKey("webhook");
    const secret = key.split("_")[4]!;

    expect(displayStart.endsWith("…")).toBe(true);
    expect(key.startsWith(displayStart.slice(0, -1))).toBe(true);
    expect(displayStart).toContain(`_${secret.slice(0, 4)}…`);
    expect(displayStart).not.toContain(secret.slice(0, 5));
  });

  it("two keys share no id or secret", () => {
    const first = generateKey("api").key.split("_");
    const second = generateKey("api").key.split("_");

    expect(first[3]).not.toBe(second[3]);
    expect(first[4]).not.toBe(second[4]);
  });

  it("rejects a key of the other kind", () => {
    expect(rejectionOf(generateKey("api").key, "webhook")).toBe("wrong_key_kind");
    expect(rejectionOf(generateKey("webhook").key, "api")).toBe("wrong_key_kind");
  });

  it.each([
    ["the id", 3],
    ["the secret", 4],
    ["the signature", 5],
  ])("rejects a change to %s", (_label, part) => {
    const parts = generateKey("webhook").key.split("_");
    const original = parts[part]!;
    parts[part] = (original.startsWith("a") ? "b" : "a") + original.slice(1);

    expect(rejectionOf(parts.join("_"), "webhook")).toBe("invalid_key");
  });

  it.each([
    ["a truncated key", (key: string) => key.slice(0, -1), /copy it again in full/],
    ["a key with a trailing space", (key: string) => `${key} `, /copy it again in full/],
    ["another service's key", () => "sk_live_51H8xJ2eZvKYlo2C", /start with chirp_wh_/],
    ["an empty key", () => "", /start with chirp_wh_/],
  ])("rejects %s with a hint", (_label, mangle, hint) => {
    const key = mangle(generateKey("webhook").key);

    expect(() => verifyKeySignature(key, "webhook")).toThrow(hint);
    expect(rejectionOf(key, "webhook")).toBe("invalid_key");
  });
});

describe("signing secret rotation", () => {
  it("previous secret still verifies after rotation", () => {
    useSecrets(OLD_SECRET);
    const signedBefore = generateKey("webhook").key;

    useSecrets(NEW_SECRET, OLD_SECRET);
    const signedAfter = generateKey("webhook").key;

    expect(rejectionOf(signedBefore, "webhook")).toBeNull();
    expect(rejectionOf(signedAfter, "webhook")).toBeNull();
    expect(signedBefore.split("_")[2]).toBe(signerId(OLD_SECRET));
    expect(signedAfter.split("_")[2]).toBe(signerId(NEW_SECRET));
  });

  it("retired secret no longer verifies", () => {
    useSecrets(OLD_SECRET);
    const signedBefore = generateKey("api").key;

    useSecrets(NEW_SECRET);

    expect(rejectionOf(signedBefore, "api")).toBe("invalid_key");
  });

  it("unknown secret never verifies", () => {
    useSecrets(UNKNOWN_SECRET);
    const foreign = generateKey("webhook").key;

    useSecrets(NEW_SECRET, OLD_SECRET);

    expect(rejectionOf(foreign, "webhook")).toBe("invalid_key");
  });

  it("signer field cannot borrow another secret", () => {
    useSecrets(UNKNOWN_SECRET);
    const parts = generateKey("webhook").key.split("_");
    parts[2] = signerId(NEW_SECRET);

    useSecrets(NEW_SECRET, OLD_SECRET);

    expect(rejectionOf(parts.join("_"), "webhook")).toBe("invalid_key");
  });
});

describe("keyMatchesHash", () => {
  it("matches the key's own hash", () => {
    const { key, hash } = generateKey("api");

    expect(keyMatchesHash(key, hash)).toBe(true);
    expect(hashKey(key)).toBe(hash);
  });

  it("rejects another key's hash", () => {
    const { key } = generateKey("api");
    const other = generateKey("api");

    expect(keyMatchesHash(key, other.hash)).toBe(false);
  });

  it("rejects a malformed stored hash", () => {
    const { key, hash } = generateKey("api");

    expect(keyMatchesHash(key, "")).toBe(false);
    expect(keyMatchesHash(key, hash.slice(0, 32))).toBe(false);
    expect(keyMatchesHash(key, "z".repeat(64))).toBe(false);
  });
});
