import { describe, expect, it } from "vitest";
import { parseCommandLine } from "./args";
import { UsageError } from "./errors";

function usageError(argv: string[]): string {
  try {
    parseCommandLine(argv);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as UsageError).message;
  }
  throw new Error(`parseCommandLine(${JSON.stringify(argv)}) did not throw`);
}

describe("parseCommandLine commands", () => {
  it.each([
    [[]],
    [["help"]],
    [["--help"]],
    [["-h"]],
    [["key", "add", "--help"]],
    [["help", "key"]],
  ])("%j is help", (argv) => {
    expect(parseCommandLine(argv)).toEqual({ name: "help" });
  });

  it("user password takes the email", () => {
    expect(parseCommandLine(["user", "password", "ada@example.com"])).toEqual({
      name: "user password",
      email: "ada@example.com",
    });
  });

  it("user add takes the email", () => {
    expect(parseCommandLine(["user", "add", "ada@example.com"])).toEqual({
      name: "user add",
      email: "ada@example.com",
    });
  });

  it("key add takes user, kind and name", () => {
    expect(
      parseCommandLine([
        "key",
        "add",
        "--user",
        "ada@example.com",
        "--kind",
        "webhook",
        "--name",
        "sdxl",
      ]),
    ).toEqual({
      name: "key add",
      email: "ada@example.com",
      kind: "webhook",
      keyName: "sdxl",
      endpointIds: null,
    });
  });

  it("key add accepts --option=value and any order", () => {
    expect(parseCommandLine(["--kind=api", "key", "--user=ada@example.com", "add"])).toEqual({
      name: "key add",
      email: "ada@example.com",
      kind: "api",
      keyName: undefined,
      endpointIds: null,
    });
  });

  it("key add allows a name starting with a dash inline", () => {
    const command = parseCommandLine([
      "key",
      "add",
      "--user",
      "a@b.co",
      "--kind",
      "api",
      "--name=-x",
    ]);
    expect(command).toMatchObject({ keyName: "-x" });
  });

  it("key list takes the user", () => {
    expect(parseCommandLine(["key", "list", "--user", "ada@example.com"])).toEqual({
      name: "key list",
      email: "ada@example.com",
    });
  });

  it("key revoke takes the key id", () => {
    expect(parseCommandLine(["key", "revoke", "key_k7m2q9x4v1b8n3pq"])).toEqual({
      name: "key revoke",
      keyId: "key_k7m2q9x4v1b8n3pq",
    });
  });

  it("key reroll takes the key id and a grace period", () => {
    expect(parseCommandLine(["key", "reroll", KEY_ID, "--grace", "24h"])).toEqual({
      name: "key reroll",
      keyId: KEY_ID,
      grace: "24h",
    });
    expect(parseCommandLine(["key", "reroll", KEY_ID])).toMatchObject({ grace: "none" });
  });

  it("key expire takes --at or --never", () => {
    expect(
      parseCommandLine(["key", "expire", KEY_ID, "--at", "2030-01-31T12:00:00+02:00"]),
    ).toEqual({ name: "key expire", keyId: KEY_ID, expiresAt: new Date("2030-01-31T10:00:00Z") });
    expect(parseCommandLine(["key", "expire", KEY_ID, "--never"])).toEqual({
      name: "key expire",
      keyId: KEY_ID,
      expiresAt: null,
    });
  });

  it("key audit takes the key id", () => {
    expect(parseCommandLine(["key", "audit", KEY_ID])).toEqual({
      name: "key audit",
      keyId: KEY_ID,
    });
  });

  it("watchdog takes an optional account", () => {
    expect(parseCommandLine(["watchdog"])).toEqual({ name: "watchdog", accountId: undefined });
    expect(parseCommandLine(["watchdog", "--account", "acc_abcdefghij0123456789"])).toEqual({
      name: "watchdog",
      accountId: "acc_abcdefghij0123456789",
    });
  });

  it("runpod reencrypt takes nothing", () => {
    expect(parseCommandLine(["runpod", "reencrypt"])).toEqual({ name: "runpod reencrypt" });
  });
});

describe("parseCommandLine watchdog errors", () => {
  it("names a malformed account id", () => {
    expect(usageError(["watchdog", "--account", "ada@example.com"])).toContain(
      "--account ada@example.com is not an account id",
    );
  });

  it("rejects an argument after watchdog", () => {
    expect(usageError(["watchdog", "now"])).toContain('Unexpected argument "now"');
  });
});

const KEY_ID = "key_k7m2q9x4v1b8n3pq";

describe("parseCommandLine lifecycle errors", () => {
  it("names a bad --grace and the valid periods", () => {
    expect(usageError(["key", "reroll", KEY_ID, "--grace", "2h"])).toBe(
      "--grace 2h is not a grace period; use --grace none (the old value stops working now), 1h or 24h (it keeps working that long).",
    );
  });

  it("requires --at or --never for key expire", () => {
    expect(usageError(["key", "expire", KEY_ID])).toBe(
      '"key expire" needs --at ISO_TIME (such as 2030-01-31T12:00:00Z) or --never to remove the expiry.',
    );
  });

  it("rejects --at together with --never", () => {
    expect(usageError(["key", "expire", KEY_ID, "--never", "--at", "2030-01-31T12:00:00Z"])).toBe(
      '"key expire" takes either --at ISO_TIME or --never, not both.',
    );
  });

  it.each([["tomorrow"], ["2030-01-31"], ["2030-01-31T12:00:00"], ["2030-02-31T12:00:00Z"]])(
    "rejects --at %s without an ISO time and zone",
    (value) => {
      expect(usageError(["key", "expire", KEY_ID, "--at", value])).toBe(
        `--at ${value} is not an ISO 8601 time with a time zone; write it like 2030-01-31T12:00:00Z.`,
      );
    },
  );

  it("rejects a value for --never", () => {
    expect(usageError(["key", "expire", KEY_ID, "--never=yes"])).toBe("--never takes no value.");
  });

  it("rejects --grace on key audit", () => {
    expect(usageError(["key", "audit", KEY_ID, "--grace", "1h"])).toBe(
      'Unknown option --grace for "key audit"; it takes no options.',
    );
  });

  it("names the command when a key replaces its id", () => {
    const key =
      "chirp_api_3f9a_k7m2q9x4v1b8n3pq_ABCDEFGHIJKLMNOPQRSTUVWXYZ012345_0123456789abcdef0123456789abcdef";
    const message = usageError(["key", "reroll", key]);
    expect(message).toMatch(/^"key reroll" takes a key id/);
    expect(message).not.toContain("ABCDEFGHIJ");
  });
});

describe("parseCommandLine errors", () => {
  it("names an unknown command", () => {
    expect(usageError(["users", "add", "a@b.co"])).toBe(
      'Unknown command "users"; the commands are user add, user password, key add, key list, key revoke, key reroll, key expire, key audit, key limit, key scope, watchdog, runpod reencrypt and help.',
    );
  });

  it("names an unknown subcommand", () => {
    expect(usageError(["key", "remove", "key_k7m2q9x4v1b8n3pq"])).toBe(
      'Unknown command "key remove"; use key add, key list, key revoke, key reroll, key expire, key audit, key limit, key scope.',
    );
  });

  it("asks for a missing subcommand", () => {
    expect(usageError(["user"])).toBe('"user" needs a subcommand: user add, user password.');
  });

  it("rejects options without a command", () => {
    expect(usageError(["--user", "a@b.co"])).toBe("No command given, only options (--user).");
    expect(usageError(["--usr", "-x"])).toBe("No command given, only options (--usr, -x).");
  });

  it("names an unknown option and lists the valid ones", () => {
    expect(usageError(["key", "list", "--usr", "a@b.co"])).toBe(
      'Unknown option --usr for "key list"; it takes --user EMAIL.',
    );
  });

  it("rejects an option the command does not take", () => {
    expect(usageError(["key", "list", "--user", "a@b.co", "--kind", "api"])).toBe(
      'Unknown option --kind for "key list"; it takes --user EMAIL.',
    );
    expect(usageError(["user", "add", "a@b.co", "--name", "x"])).toBe(
      'Unknown option --name for "user add"; it takes no options.',
    );
  });

  it("rejects an unknown short option", () => {
    expect(usageError(["key", "list", "-u", "a@b.co"])).toBe(
      'Unknown option -u for "key list"; it takes --user EMAIL.',
    );
  });

  it("reports a missing value at the end", () => {
    expect(usageError(["key", "list", "--user"])).toMatch(/^--user needs a value: --user EMAIL/);
  });

  it("reports a missing value followed by another option", () => {
    expect(usageError(["key", "add", "--user", "--kind", "api"])).toMatch(
      /^--user needs a value: --user EMAIL/,
    );
  });

  it("rejects an option given twice", () => {
    expect(
      usageError(["key", "add", "--user", "a@b.co", "--kind", "api", "--kind", "webhook"]),
    ).toBe("--kind is given twice; give it once.");
  });

  it("rejects a value for --help", () => {
    expect(usageError(["--help=yes"])).toBe("--help takes no value.");
  });

  it("names a bad --kind and the valid kinds", () => {
    expect(usageError(["key", "add", "--user", "a@b.co", "--kind", "web"])).toBe(
      "--kind web is not a key kind; use --kind webhook (for the RunPod webhook URL) or --kind api (for the activity API).",
    );
  });

  it("requires --user and --kind for key add", () => {
    expect(usageError(["key", "add", "--kind", "api"])).toBe('"key add" needs --user EMAIL.');
    expect(usageError(["key", "add", "--user", "a@b.co"])).toBe(
      '"key add" needs --kind webhook|api.',
    );
  });

  it("requires the email for user add", () => {
    expect(usageError(["user", "add"])).toBe(
      '"user add" needs EMAIL: npm run chirp -- user add EMAIL.',
    );
  });

  it("rejects a malformed email", () => {
    expect(usageError(["user", "add", "ada.example.com"])).toBe(
      '"ada.example.com" is not an email address; give the account\'s email: npm run chirp -- user add EMAIL.',
    );
    expect(usageError(["user", "password", "ada"])).toBe(
      '"ada" is not an email address; give the account\'s email: npm run chirp -- user password EMAIL.',
    );
    expect(usageError(["key", "list", "--user", "ada"])).toBe(
      "--user ada is not an email address; give the email of the account that owns the keys.",
    );
    expect(usageError(["key", "add", "--user", "ada@", "--kind", "api"])).toBe(
      "--user ada@ is not an email address; give the email of the account that owns the keys.",
    );
  });

  it("rejects extra arguments", () => {
    expect(usageError(["user", "add", "a@b.co", "b@b.co"])).toBe(
      'Unexpected argument "b@b.co" after "user add a@b.co"; it takes one EMAIL.',
    );
    expect(usageError(["key", "list", "--user", "a@b.co", "extra"])).toBe(
      'Unexpected argument "extra" for "key list"; it takes only options.',
    );
  });

  it("rejects a malformed key id", () => {
    expect(usageError(["key", "revoke", "key_123"])).toBe(
      '"key_123" is not a key id; key ids look like key_k7m2q9x4v1b8n3pq. Find it with: npm run chirp -- key list --user EMAIL.',
    );
  });

  it("rejects a key in place of its id without echoing it", () => {
    const key =
      "chirp_wh_3f9a_k7m2q9x4v1b8n3pq_ABCDEFGHIJKLMNOPQRSTUVWXYZ012345_0123456789abcdef0123456789abcdef";
    const message = usageError(["key", "revoke", key]);
    expect(message).toMatch(/takes a key id such as key_k7m2q9x4v1b8n3pq, not the key itself/);
    expect(message).not.toContain("ABCDEFGHIJ");
  });
});

describe("parseCommandLine key limit", () => {
  it("takes a rate and a burst", () => {
    expect(parseCommandLine(["key", "limit", KEY_ID, "--rate", "5", "--burst", "10"])).toEqual({
      name: "key limit",
      keyId: KEY_ID,
      limit: { perSecond: 5, burst: 10 },
    });
  });

  it("takes --default for the server's limit", () => {
    expect(parseCommandLine(["key", "limit", KEY_ID, "--default"])).toEqual({
      name: "key limit",
      keyId: KEY_ID,
      limit: null,
    });
  });

  it.each([
    ["0", "--rate 0 is not a whole number from 1 to 100000; write it like --rate 300."],
    ["2.5", "--rate 2.5 is not a whole number from 1 to 100000; write it like --rate 300."],
    ["fast", "--rate fast is not a whole number from 1 to 100000; write it like --rate 300."],
  ])("names the invalid rate %s", (rate, message) => {
    expect(usageError(["key", "limit", KEY_ID, "--rate", rate, "--burst", "10"])).toBe(message);
  });

  it("names an invalid burst", () => {
    expect(usageError(["key", "limit", KEY_ID, "--rate", "5", "--burst", "2000000"])).toBe(
      "--burst 2000000 is not a whole number from 1 to 1000000; write it like --burst 300.",
    );
  });

  it("needs both values or --default", () => {
    expect(usageError(["key", "limit", KEY_ID, "--rate", "5"])).toContain(
      '"key limit" needs --rate N (requests per second) and --burst N',
    );
    expect(usageError(["key", "limit", KEY_ID, "--rate", "5", "--burst", "5", "--default"])).toBe(
      '"key limit" takes either --rate N --burst N or --default, not both.',
    );
  });
});

describe("parseCommandLine key scope", () => {
  it("key add takes --endpoints", () => {
    const command = parseCommandLine([
      "key",
      "add",
      "--user",
      "ada@example.com",
      "--kind",
      "webhook",
      "--endpoints",
      "zzzzzzzzzzzzz1,isxbq1e254mbjz",
    ]);
    expect(command).toMatchObject({ endpointIds: ["isxbq1e254mbjz", "zzzzzzzzzzzzz1"] });
  });

  it("takes --endpoints or --any", () => {
    expect(parseCommandLine(["key", "scope", KEY_ID, "--endpoints", "isxbq1e254mbjz"])).toEqual({
      name: "key scope",
      keyId: KEY_ID,
      endpointIds: ["isxbq1e254mbjz"],
    });
    expect(parseCommandLine(["key", "scope", KEY_ID, "--any"])).toEqual({
      name: "key scope",
      keyId: KEY_ID,
      endpointIds: null,
    });
  });

  it("names an invalid endpoint id", () => {
    expect(usageError(["key", "scope", KEY_ID, "--endpoints", "isxbq1e254mbjz,My-Endpoint"])).toBe(
      '--endpoints: "My-Endpoint" is not a RunPod endpoint id; endpoint ids are 14 lowercase letters and digits, such as isxbq1e254mbjz, as in the endpoint\'s URL in the RunPod console.',
    );
  });

  it("empty --endpoints names the command's own fix", () => {
    expect(usageError(["key", "scope", KEY_ID, "--endpoints", ","])).toBe(
      "--endpoints: The endpoint list is empty; give at least one RunPod endpoint id, or use --any to allow every endpoint.",
    );
    const addArgv = ["key", "add", "--user", "ada@example.com", "--kind", "webhook"];
    expect(usageError([...addArgv, "--endpoints="])).toBe(
      "--endpoints: The endpoint list is empty; give at least one RunPod endpoint id, or leave out --endpoints to allow any endpoint.",
    );
  });

  it("needs --endpoints or --any, not both", () => {
    expect(usageError(["key", "scope", KEY_ID])).toContain('"key scope" needs --endpoints ID,ID');
    expect(usageError(["key", "scope", KEY_ID, "--any", "--endpoints", "isxbq1e254mbjz"])).toBe(
      '"key scope" takes either --endpoints ID,ID or --any, not both.',
    );
  });
});
