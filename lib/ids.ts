import { randomInt } from "node:crypto";

const LOWER_ALPHANUMERIC = "abcdefghijklmnopqrstuvwxyz0123456789";
const ALPHANUMERIC = `ABCDEFGHIJKLMNOPQRSTUVWXYZ${LOWER_ALPHANUMERIC}`;

/** Returns a uniformly random string over `alphabet`, from the crypto RNG. */
export function randomString(length: number, alphabet = LOWER_ALPHANUMERIC): string {
  let out = "";
  for (let i = 0; i < length; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}

export function randomSecret(length: number): string {
  return randomString(length, ALPHANUMERIC);
}

/** Returns a new record id with a readable prefix, such as `act_3k9x…`. */
export function newId(prefix: "acc" | "act" | "dlv" | "dup"): string {
  return `${prefix}_${randomString(20)}`;
}
