import { parseArgs } from "node:util";
import { isEmailAddress } from "@/lib/accounts/store";
import type { RateLimit } from "@/lib/config";
import { type KeyKind, keyKinds } from "@/lib/db/schema";
import { ApiError } from "@/lib/http/errors";
import { parseEndpointIds } from "@/lib/keys/endpoints";
import { MAX_BURST, MAX_RATE_PER_SECOND } from "@/lib/keys/rate-limit";
import { type RerollGracePeriod, rerollGracePeriods } from "@/lib/keys/store";
import { UsageError } from "./errors";

export type Command =
  | { name: "help" }
  | { name: "user add"; email: string }
  | { name: "user password"; email: string }
  | {
      name: "key add";
      email: string;
      kind: KeyKind;
      keyName: string | undefined;
      endpointIds: string[] | null;
    }
  | { name: "key list"; email: string }
  | { name: "key revoke"; keyId: string }
  | { name: "key reroll"; keyId: string; grace: RerollGracePeriod }
  | { name: "key expire"; keyId: string; expiresAt: Date | null }
  | { name: "key audit"; keyId: string }
  | { name: "key limit"; keyId: string; limit: RateLimit | null }
  | { name: "key scope"; keyId: string; endpointIds: string[] | null }
  | { name: "watchdog"; accountId: string | undefined }
  | { name: "runpod reencrypt" };

type ValueOptionName =
  | "user"
  | "kind"
  | "name"
  | "grace"
  | "at"
  | "rate"
  | "burst"
  | "endpoints"
  | "account";
type OptionName = ValueOptionName | "never" | "default" | "any";

/** The placeholder each value option shows in messages, as in the help text. */
const OPTION_VALUES: Record<ValueOptionName, string> = {
  user: "EMAIL",
  kind: "webhook|api",
  name: "NAME",
  grace: "none|1h|24h",
  at: "ISO_TIME",
  rate: "N",
  burst: "N",
  endpoints: "ID,ID",
  account: "ACCOUNT_ID",
};

/** Options that take no value. */
const FLAGS = new Set(["help", "never", "default", "any"]);

function optionUsage(name: OptionName): string {
  return FLAGS.has(name) ? `--${name}` : `--${name} ${OPTION_VALUES[name as ValueOptionName]}`;
}

// The record id of a key: `key_` and the 16-character id part of the key (lib/keys/format.ts).
const KEY_ID_PATTERN = /^key_[a-z0-9]{16}$/;
const KEY_ID_EXAMPLE = "key_k7m2q9x4v1b8n3pq";
// Account ids come from newId("acc") in lib/ids.ts.
const ACCOUNT_ID_PATTERN = /^acc_[a-z0-9]{20}$/;

interface ParsedLine {
  positionals: string[];
  options: Map<string, string | undefined>;
}

/**
 * Parses the arguments after `npm run chirp --` into a command, or throws a UsageError
 * whose message names the wrong value and the fix.
 */
export function parseCommandLine(argv: readonly string[]): Command {
  if (argv.length === 0) return { name: "help" };
  const line = tokenize(argv);
  if (line.options.has("help")) return { name: "help" };

  const [group, action, ...rest] = line.positionals;
  if (group === undefined) {
    throw new UsageError(
      `No command given, only options (${[...line.options.keys()].map(optionLabel).join(", ")}).`,
    );
  }
  if (group === "help") return { name: "help" };

  if (group === "user") {
    if (action === "add") {
      allowOptions("user add", line, []);
      return { name: "user add", email: emailArgument("user add", rest) };
    }
    if (action === "password") {
      allowOptions("user password", line, []);
      return { name: "user password", email: emailArgument("user password", rest) };
    }
    throw unknownAction("user", action, ["add", "password"]);
  }

  if (group === "key") {
    if (action === "add") {
      allowOptions("key add", line, ["user", "kind", "name", "endpoints"]);
      noPositionals("key add", rest);
      const endpoints = line.options.get("endpoints");
      return {
        name: "key add",
        email: emailOption(requiredOption("key add", line, "user")),
        kind: parseKind(requiredOption("key add", line, "kind")),
        keyName: line.options.get("name"),
        endpointIds:
          endpoints === undefined
            ? null
            : parseEndpoints(endpoints, "leave out --endpoints to allow any endpoint"),
      };
    }
    if (action === "list") {
      allowOptions("key list", line, ["user"]);
      noPositionals("key list", rest);
      return { name: "key list", email: emailOption(requiredOption("key list", line, "user")) };
    }
    if (action === "revoke") {
      allowOptions("key revoke", line, []);
      return { name: "key revoke", keyId: keyIdArgument("key revoke", rest) };
    }
    if (action === "reroll") {
      allowOptions("key reroll", line, ["grace"]);
      const grace = line.options.get("grace");
      return {
        name: "key reroll",
        keyId: keyIdArgument("key reroll", rest),
        grace: grace === undefined ? "none" : parseGrace(grace),
      };
    }
    if (action === "expire") {
      allowOptions("key expire", line, ["at", "never"]);
      const keyId = keyIdArgument("key expire", rest);
      return { name: "key expire", keyId, expiresAt: parseExpiry(line) };
    }
    if (action === "audit") {
      allowOptions("key audit", line, []);
      return { name: "key audit", keyId: keyIdArgument("key audit", rest) };
    }
    if (action === "limit") {
      allowOptions("key limit", line, ["rate", "burst", "default"]);
      const keyId = keyIdArgument("key limit", rest);
      return { name: "key limit", keyId, limit: parseLimit(line) };
    }
    if (action === "scope") {
      allowOptions("key scope", line, ["endpoints", "any"]);
      const keyId = keyIdArgument("key scope", rest);
      return { name: "key scope", keyId, endpointIds: parseScope(line) };
    }
    throw unknownAction("key", action, [
      "add",
      "list",
      "revoke",
      "reroll",
      "expire",
      "audit",
      "limit",
      "scope",
    ]);
  }

  if (group === "watchdog") {
    allowOptions("watchdog", line, ["account"]);
    noPositionals("watchdog", action === undefined ? rest : [action, ...rest]);
    const accountId = line.options.get("account");
    if (accountId !== undefined && !ACCOUNT_ID_PATTERN.test(accountId)) {
      throw new UsageError(
        `--account ${accountId} is not an account id; account ids look like acc_ and 20 lowercase letters and digits.`,
      );
    }
    return { name: "watchdog", accountId };
  }

  if (group === "runpod") {
    if (action === "reencrypt") {
      allowOptions("runpod reencrypt", line, []);
      noPositionals("runpod reencrypt", rest);
      return { name: "runpod reencrypt" };
    }
    throw unknownAction("runpod", action, ["reencrypt"]);
  }

  throw new UsageError(
    `Unknown command "${group}"; the commands are user add, user password, key add, key list, key revoke, key reroll, key expire, key audit, key limit, key scope, watchdog, runpod reencrypt and help.`,
  );
}

/**
 * Splits the arguments with node:util parseArgs in its non-strict mode, which keeps
 * unknown options as tokens so the errors here can name the command they were given to.
 */
function tokenize(argv: readonly string[]): ParsedLine {
  const { tokens } = parseArgs({
    args: [...argv],
    options: {
      help: { type: "boolean", short: "h" },
      user: { type: "string" },
      kind: { type: "string" },
      name: { type: "string" },
      grace: { type: "string" },
      at: { type: "string" },
      account: { type: "string" },
      never: { type: "boolean" },
      rate: { type: "string" },
      burst: { type: "string" },
      default: { type: "boolean" },
      endpoints: { type: "string" },
      any: { type: "boolean" },
    },
    allowPositionals: true,
    strict: false,
    tokens: true,
  });

  const line: ParsedLine = { positionals: [], options: new Map() };
  for (const token of tokens) {
    if (token.kind === "positional") {
      line.positionals.push(token.value);
      continue;
    }
    if (token.kind !== "option") continue;

    if (line.options.has(token.name)) {
      throw new UsageError(`${token.rawName} is given twice; give it once.`);
    }
    if (FLAGS.has(token.name)) {
      if (token.value !== undefined) throw new UsageError(`${token.rawName} takes no value.`);
      line.options.set(token.name, undefined);
      continue;
    }
    if (!(token.name in OPTION_VALUES)) {
      // Checked later against the command, so the message can list what the command takes.
      line.options.set(token.rawName, undefined);
      continue;
    }

    const placeholder = OPTION_VALUES[token.name as ValueOptionName];
    // parseArgs takes the next argument as the value even when it is another option,
    // as in `--user --kind api`: that is a missing value, unless written as --user=VALUE.
    if (token.value === undefined || (!token.inlineValue && token.value.startsWith("-"))) {
      throw new UsageError(
        `${token.rawName} needs a value: ${token.rawName} ${placeholder} (write ${token.rawName}=VALUE for a value that starts with "-").`,
      );
    }
    line.options.set(token.name, token.value);
  }
  return line;
}

function allowOptions(command: string, line: ParsedLine, allowed: OptionName[]): void {
  for (const name of line.options.keys()) {
    if ((allowed as string[]).includes(name)) continue;
    const takes =
      allowed.length === 0
        ? "it takes no options"
        : `it takes ${allowed.map(optionUsage).join(", ")}`;
    throw new UsageError(`Unknown option ${optionLabel(name)} for "${command}"; ${takes}.`);
  }
}

// Known options are stored by name, unknown ones as typed (`--usr`, `-u`).
function optionLabel(name: string): string {
  return name.startsWith("-") ? name : `--${name}`;
}

function requiredOption(command: string, line: ParsedLine, name: ValueOptionName): string {
  const value = line.options.get(name);
  if (value === undefined) {
    throw new UsageError(`"${command}" needs --${name} ${OPTION_VALUES[name]}.`);
  }
  return value;
}

function onePositional(command: string, placeholder: string, values: string[]): string {
  const [value, extra] = values;
  if (value === undefined) {
    throw new UsageError(
      `"${command}" needs ${placeholder}: npm run chirp -- ${command} ${placeholder}.`,
    );
  }
  if (extra !== undefined) {
    throw new UsageError(
      `Unexpected argument "${extra}" after "${command} ${value}"; it takes one ${placeholder}.`,
    );
  }
  return value;
}

function noPositionals(command: string, values: string[]): void {
  const [extra] = values;
  if (extra !== undefined) {
    throw new UsageError(`Unexpected argument "${extra}" for "${command}"; it takes only options.`);
  }
}

function unknownAction(group: string, action: string | undefined, actions: string[]): UsageError {
  const choices = actions.map((name) => `${group} ${name}`).join(", ");
  return action === undefined
    ? new UsageError(`"${group}" needs a subcommand: ${choices}.`)
    : new UsageError(`Unknown command "${group} ${action}"; use ${choices}.`);
}

function parseKind(value: string): KeyKind {
  if ((keyKinds as readonly string[]).includes(value)) return value as KeyKind;
  throw new UsageError(
    `--kind ${value} is not a key kind; use --kind webhook (for the RunPod webhook URL) or --kind api (for the activity API).`,
  );
}

function parseGrace(value: string): RerollGracePeriod {
  if ((rerollGracePeriods as readonly string[]).includes(value)) return value as RerollGracePeriod;
  throw new UsageError(
    `--grace ${value} is not a grace period; use --grace none (the old value stops working now), 1h or 24h (it keeps working that long).`,
  );
}

// A date and time with a time zone, so the expiry does not depend on the machine's zone.
const ISO_TIME_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

function parseExpiry(line: ParsedLine): Date | null {
  const at = line.options.get("at");
  const never = line.options.has("never");
  if (never && at !== undefined) {
    throw new UsageError('"key expire" takes either --at ISO_TIME or --never, not both.');
  }
  if (never) return null;
  if (at === undefined) {
    throw new UsageError(
      '"key expire" needs --at ISO_TIME (such as 2030-01-31T12:00:00Z) or --never to remove the expiry.',
    );
  }
  const expiresAt = new Date(at);
  if (!ISO_TIME_PATTERN.test(at) || Number.isNaN(expiresAt.getTime()) || !isCalendarDate(at)) {
    throw new UsageError(
      `--at ${at} is not an ISO 8601 time with a time zone; write it like 2030-01-31T12:00:00Z.`,
    );
  }
  return expiresAt;
}

// Date parses 2030-02-31 as March 3 instead of rejecting it.
function isCalendarDate(iso: string): boolean {
  const [year, month, day] = iso.slice(0, 10).split("-").map(Number) as [number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

function parseLimit(line: ParsedLine): RateLimit | null {
  const rate = line.options.get("rate");
  const burst = line.options.get("burst");
  if (line.options.has("default")) {
    if (rate !== undefined || burst !== undefined) {
      throw new UsageError('"key limit" takes either --rate N --burst N or --default, not both.');
    }
    return null;
  }
  if (rate === undefined || burst === undefined) {
    throw new UsageError(
      '"key limit" needs --rate N (requests per second) and --burst N (requests at once), such as --rate 300 --burst 600, or --default for the server\'s default.',
    );
  }
  return {
    perSecond: parseWholeNumber("--rate", rate, MAX_RATE_PER_SECOND),
    burst: parseWholeNumber("--burst", burst, MAX_BURST),
  };
}

function parseScope(line: ParsedLine): string[] | null {
  const endpoints = line.options.get("endpoints");
  const any = line.options.has("any");
  if (any && endpoints !== undefined) {
    throw new UsageError('"key scope" takes either --endpoints ID,ID or --any, not both.');
  }
  if (any) return null;
  if (endpoints === undefined) {
    throw new UsageError(
      '"key scope" needs --endpoints ID,ID (the RunPod endpoint ids the key may change cards of) or --any to allow every endpoint.',
    );
  }
  return parseEndpoints(endpoints, "use --any to allow every endpoint");
}

/** Parses --endpoints. `allowAny` is the command's wording for allowing every endpoint. */
function parseEndpoints(value: string, allowAny: string): string[] {
  try {
    return parseEndpointIds(value, allowAny);
  } catch (error) {
    if (error instanceof ApiError) throw new UsageError(`--endpoints: ${error.message}`);
    throw error;
  }
}

function parseWholeNumber(option: string, value: string, max: number): number {
  const number = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(number) || number < 1 || number > max) {
    throw new UsageError(
      `${option} ${value} is not a whole number from 1 to ${max}; write it like ${option} 300.`,
    );
  }
  return number;
}

function emailArgument(command: string, values: string[]): string {
  const email = onePositional(command, "EMAIL", values);
  if (!isEmailAddress(email)) {
    throw new UsageError(
      `"${email}" is not an email address; give the account's email: npm run chirp -- ${command} EMAIL.`,
    );
  }
  return email;
}

function emailOption(email: string): string {
  if (!isEmailAddress(email)) {
    throw new UsageError(
      `--user ${email} is not an email address; give the email of the account that owns the keys.`,
    );
  }
  return email;
}

function keyIdArgument(command: string, values: string[]): string {
  return parseKeyId(command, onePositional(command, "KEY_ID", values));
}

function parseKeyId(command: string, value: string): string {
  // Never echo a key: the command line may be shared when asking for help.
  if (value.startsWith("chirp_")) {
    throw new UsageError(
      `"${command}" takes a key id such as ${KEY_ID_EXAMPLE}, not the key itself; find the id with: npm run chirp -- key list --user EMAIL.`,
    );
  }
  if (!KEY_ID_PATTERN.test(value)) {
    throw new UsageError(
      `"${value}" is not a key id; key ids look like ${KEY_ID_EXAMPLE}. Find it with: npm run chirp -- key list --user EMAIL.`,
    );
  }
  return value;
}
