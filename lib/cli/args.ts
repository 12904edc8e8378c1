import { parseArgs } from "node:util";
import { type KeyKind, keyKinds } from "@/lib/db/schema";
import { UsageError } from "./errors";

export type Command =
  | { name: "help" }
  | { name: "user add"; email: string }
  | { name: "key add"; email: string; kind: KeyKind; keyName: string | undefined }
  | { name: "key list"; email: string }
  | { name: "key revoke"; keyId: string };

type OptionName = "user" | "kind" | "name";

/** The placeholder each value option shows in messages, as in the help text. */
const OPTION_VALUES: Record<OptionName, string> = {
  user: "EMAIL",
  kind: "webhook|api",
  name: "NAME",
};

// The record id of a key: `key_` and the 16-character id part of the key (lib/keys/format.ts).
const KEY_ID_PATTERN = /^key_[a-z0-9]{16}$/;
const KEY_ID_EXAMPLE = "key_k7m2q9x4v1b8n3pq";

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
      return { name: "user add", email: onePositional("user add", "EMAIL", rest) };
    }
    throw unknownAction("user", action, ["add"]);
  }

  if (group === "key") {
    if (action === "add") {
      allowOptions("key add", line, ["user", "kind", "name"]);
      noPositionals("key add", rest);
      return {
        name: "key add",
        email: requiredOption("key add", line, "user"),
        kind: parseKind(requiredOption("key add", line, "kind")),
        keyName: line.options.get("name"),
      };
    }
    if (action === "list") {
      allowOptions("key list", line, ["user"]);
      noPositionals("key list", rest);
      return { name: "key list", email: requiredOption("key list", line, "user") };
    }
    if (action === "revoke") {
      allowOptions("key revoke", line, []);
      return { name: "key revoke", keyId: parseKeyId(onePositional("key revoke", "KEY_ID", rest)) };
    }
    throw unknownAction("key", action, ["add", "list", "revoke"]);
  }

  throw new UsageError(
    `Unknown command "${group}"; the commands are user add, key add, key list, key revoke and help.`,
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
    if (token.name === "help") {
      if (token.value !== undefined) throw new UsageError(`${token.rawName} takes no value.`);
      line.options.set("help", undefined);
      continue;
    }
    if (!(token.name in OPTION_VALUES)) {
      // Checked later against the command, so the message can list what the command takes.
      line.options.set(token.rawName, undefined);
      continue;
    }

    const placeholder = OPTION_VALUES[token.name as OptionName];
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
        : `it takes ${allowed.map((option) => `--${option} ${OPTION_VALUES[option]}`).join(", ")}`;
    throw new UsageError(`Unknown option ${optionLabel(name)} for "${command}"; ${takes}.`);
  }
}

// Known options are stored by name, unknown ones as typed (`--usr`, `-u`).
function optionLabel(name: string): string {
  return name.startsWith("-") ? name : `--${name}`;
}

function requiredOption(command: string, line: ParsedLine, name: OptionName): string {
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

function parseKeyId(value: string): string {
  // Never echo a key: the command line may be shared when asking for help.
  if (value.startsWith("chirp_")) {
    throw new UsageError(
      `"key revoke" takes a key id such as ${KEY_ID_EXAMPLE}, not the key itself; find the id with: npm run chirp -- key list --user EMAIL.`,
    );
  }
  if (!KEY_ID_PATTERN.test(value)) {
    throw new UsageError(
      `"${value}" is not a key id; key ids look like ${KEY_ID_EXAMPLE}. Find it with: npm run chirp -- key list --user EMAIL.`,
    );
  }
  return value;
}
