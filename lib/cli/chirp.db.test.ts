import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterEach, describe, expect, it, vi } from "vitest";
import { currentSessionVersion, getAccountByEmail, verifyPassword } from "@/lib/accounts/store";
import { databaseDriver, dataDirectory } from "@/lib/config";
import { getDb } from "@/lib/db/client";
import { apiKeys } from "@/lib/db/schema";
import { ApiError } from "@/lib/http/errors";
import { authenticateKey, listKeys } from "@/lib/keys/store";
import { countKeyUse, flushKeyUse } from "@/lib/keys/usage";
import { type CliIo, noAccountMessage } from "./commands";
import { runCli } from "./run";
import { HELP_HINT } from "./usage";

const PASSWORD = "correct horse battery";

interface Captured {
  io: CliIo;
  stdout(): string;
  stderr(): string;
}

function capture({
  env = { CHIRP_PASSWORD: PASSWORD },
  readPassword,
}: {
  env?: Record<string, string | undefined>;
  readPassword?: CliIo["readPassword"];
} = {}): Captured {
  let stdout = "";
  let stderr = "";
  return {
    io: {
      stdout: (text) => {
        stdout += text;
      },
      stderr: (text) => {
        stderr += text;
      },
      env,
      readPassword,
    },
    stdout: () => stdout,
    stderr: () => stderr,
  };
}

function newEmail(): string {
  return `cli-${randomUUID()}@example.test`;
}

async function addUser(email: string): Promise<void> {
  const run = capture();
  expect(await runCli(["user", "add", email], run.io)).toBe(0);
}

async function addKey(email: string, kind: "webhook" | "api", name?: string) {
  const run = capture();
  const argv = ["key", "add", "--user", email, "--kind", kind];
  if (name !== undefined) argv.push("--name", name);
  const status = await runCli(argv, run.io);
  return { status, key: run.stdout().trimEnd(), stdout: run.stdout(), stderr: run.stderr() };
}

async function rejection(promise: Promise<unknown>): Promise<ApiError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ApiError);
  return error as ApiError;
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("user add", () => {
  it("creates an account with CHIRP_PASSWORD", async () => {
    const email = newEmail();
    const run = capture();
    expect(await runCli(["user", "add", email.toUpperCase()], run.io)).toBe(0);
    const account = await getAccountByEmail(email);
    expect(account).toBeDefined();
    expect(run.stdout()).toBe(`Created account ${account!.id} for ${email}.\n`);
    expect(run.stderr()).toBe("");
    expect((await verifyPassword(email, PASSWORD))?.id).toBe(account!.id);
  });

  it("prompts twice when CHIRP_PASSWORD is unset", async () => {
    const email = newEmail();
    const prompts: string[] = [];
    const run = capture({
      env: {},
      readPassword: async (prompt) => {
        prompts.push(prompt);
        return "typed at the terminal";
      },
    });
    expect(await runCli(["user", "add", email], run.io)).toBe(0);
    expect(prompts).toEqual([`Password for ${email}: `, "Repeat the password: "]);
    expect(await verifyPassword(email, "typed at the terminal")).not.toBeNull();
  });

  it("fails when the repeated password differs", async () => {
    const email = newEmail();
    const answers = ["first password!", "second password"];
    const run = capture({ env: {}, readPassword: async () => answers.shift()! });
    expect(await runCli(["user", "add", email], run.io)).toBe(1);
    expect(run.stderr()).toBe("The two passwords differ; run the command again.\n");
    expect(await getAccountByEmail(email)).toBeUndefined();
  });

  it("rejects a short prompted password before repeating", async () => {
    const email = newEmail();
    let prompts = 0;
    const run = capture({
      env: {},
      readPassword: async () => {
        prompts++;
        return "short";
      },
    });
    expect(await runCli(["user", "add", email], run.io)).toBe(1);
    expect(prompts).toBe(1);
    expect(run.stderr()).toBe(
      "The password typed at the prompt is invalid: use at least 10 characters. Run the command again.\n",
    );
  });

  it("exits 2 without CHIRP_PASSWORD or a terminal", async () => {
    const email = newEmail();
    const run = capture({ env: {} });
    expect(await runCli(["user", "add", email], run.io)).toBe(2);
    expect(run.stderr()).toContain("set CHIRP_PASSWORD for this command");
    expect(await getAccountByEmail(email)).toBeUndefined();
  });

  it("rejects a malformed email as a usage error", async () => {
    const run = capture({ env: { CHIRP_PASSWORD: "short" } });
    expect(await runCli(["user", "add", "not-an-email"], run.io)).toBe(2);
    expect(run.stderr()).toBe(
      `"not-an-email" is not an email address; give the account's email: npm run chirp -- user add EMAIL. ${HELP_HINT}\n`,
    );
  });

  it("short CHIRP_PASSWORD: names the variable", async () => {
    const email = newEmail();
    const run = capture({ env: { CHIRP_PASSWORD: "short" } });
    expect(await runCli(["user", "add", email], run.io)).toBe(1);
    expect(run.stderr()).toBe(
      "The password in CHIRP_PASSWORD is invalid: use at least 10 characters. Set CHIRP_PASSWORD to another password, or unset it to type one at a prompt.\n",
    );
    expect(await getAccountByEmail(email)).toBeUndefined();
  });

  it("fails for an existing account", async () => {
    const email = newEmail();
    await addUser(email);
    const run = capture();
    expect(await runCli(["user", "add", email], run.io)).toBe(1);
    expect(run.stderr()).toBe(
      `An account for ${email} already exists. To set a new password for it: npm run chirp -- user password ${email}\n`,
    );
  });
});

describe("user password", () => {
  const NEW_PASSWORD = "a brand new passphrase";

  it("sets the password and signs out every session", async () => {
    const email = newEmail();
    await addUser(email);
    const account = await getAccountByEmail(email);
    const run = capture({ env: { CHIRP_PASSWORD: NEW_PASSWORD } });

    expect(await runCli(["user", "password", email], run.io)).toBe(0);

    expect(run.stdout()).toBe(
      `Set a new password for ${email} (${account!.id}) and signed out all of its sessions; every browser must sign in again with the new password.\n`,
    );
    expect(run.stderr()).toBe("");
    expect(await currentSessionVersion(account!.id)).toBe(account!.sessionVersion + 1);
    expect(await verifyPassword(email, NEW_PASSWORD)).not.toBeNull();
    expect(await verifyPassword(email, PASSWORD)).toBeNull();
  });

  it("prompts twice for the new password", async () => {
    const email = newEmail();
    await addUser(email);
    const prompts: string[] = [];
    const run = capture({
      env: {},
      readPassword: async (prompt) => {
        prompts.push(prompt);
        return NEW_PASSWORD;
      },
    });

    expect(await runCli(["user", "password", email], run.io)).toBe(0);

    expect(prompts).toEqual([`New password for ${email}: `, "Repeat the password: "]);
    expect(await verifyPassword(email, NEW_PASSWORD)).not.toBeNull();
  });

  it("fails for an unknown account", async () => {
    const email = newEmail();
    const run = capture({ env: { CHIRP_PASSWORD: NEW_PASSWORD } });

    expect(await runCli(["user", "password", email], run.io)).toBe(1);

    expect(run.stderr()).toBe(`${noAccountMessage(email)}\n`);
  });

  it("rejects a short password and keeps the sessions", async () => {
    const email = newEmail();
    await addUser(email);
    const account = await getAccountByEmail(email);
    const run = capture({ env: { CHIRP_PASSWORD: "short" } });

    expect(await runCli(["user", "password", email], run.io)).toBe(1);

    expect(run.stderr()).toBe(
      "The password in CHIRP_PASSWORD is invalid: use at least 10 characters. Set CHIRP_PASSWORD to another password, or unset it to type one at a prompt.\n",
    );
    expect(await currentSessionVersion(account!.id)).toBe(account!.sessionVersion);
    expect(await verifyPassword(email, PASSWORD)).not.toBeNull();
  });
});

describe("key add", () => {
  it("prints only a webhook key that authenticates", async () => {
    vi.stubEnv("CHIRP_BASE_URL", "https://chirp.example.com/");
    const email = newEmail();
    await addUser(email);
    const added = await addKey(email, "webhook", "sdxl runs");
    expect(added.status).toBe(0);
    expect(added.stdout).toMatch(/^chirp_wh_\S+\n$/);

    const record = await authenticateKey(added.key, "webhook");
    const account = await getAccountByEmail(email);
    expect(record.accountId).toBe(account!.id);
    expect(record.name).toBe("sdxl runs");

    expect(added.stderr).toContain(`Created webhook key ${record.id} ("sdxl runs") for ${email}.`);
    expect(added.stderr).toContain("it will not be shown again");
    expect(added.stderr).toContain(
      "Webhook URL for RunPod: https://chirp.example.com/v1/webhooks/runpod?key=<key>\n",
    );
    expect(added.stderr).not.toContain("Set CHIRP_BASE_URL");
    expect(added.stderr).not.toContain(added.key);
  });

  it("asks for CHIRP_BASE_URL when unset", async () => {
    vi.stubEnv("CHIRP_BASE_URL", undefined);
    const email = newEmail();
    await addUser(email);
    const added = await addKey(email, "webhook");
    expect(added.stderr).toContain("http://localhost:3000/v1/webhooks/runpod?key=<key>");
    expect(added.stderr).toContain("Set CHIRP_BASE_URL");
  });

  it("prints an API key that authenticates as an API key", async () => {
    const email = newEmail();
    await addUser(email);
    const added = await addKey(email, "api");
    expect(added.status).toBe(0);
    expect(added.stdout).toMatch(/^chirp_api_\S+\n$/);
    expect((await authenticateKey(added.key, "api")).kind).toBe("api");
    expect(added.stderr).toContain("Authorization: Bearer <key>");
    expect(added.stderr).not.toContain("Webhook URL");
    expect((await rejection(authenticateKey(added.key, "webhook"))).code).toBe("wrong_key_kind");
  });

  it("names an unknown user and how to create it", async () => {
    const email = newEmail();
    const added = await addKey(email, "api");
    expect(added.status).toBe(1);
    expect(added.stdout).toBe("");
    expect(added.stderr).toBe(`${noAccountMessage(email)}\n`);
  });

  it("rejects a name over the length limit", async () => {
    const email = newEmail();
    await addUser(email);
    const added = await addKey(email, "api", "x".repeat(101));
    expect(added.status).toBe(1);
    expect(added.stdout).toBe("");
    expect(added.stderr).toBe("--name is too long; use at most 100 characters.\n");
  });

  it("API key with --endpoints: names the options", async () => {
    const email = newEmail();
    await addUser(email);
    const run = capture();
    const argv = ["key", "add", "--user", email, "--kind", "api", "--endpoints", "isxbq1e254mbjz"];

    expect(await runCli(argv, run.io)).toBe(1);

    expect(run.stdout()).toBe("");
    expect(run.stderr()).toBe(
      "Only webhook keys can be limited to endpoints; use --kind webhook, or leave out --endpoints for an API key.\n",
    );
    const account = await getAccountByEmail(email);
    expect(await listKeys({ accountId: account!.id })).toEqual([]);
  });
});

describe("key list", () => {
  it("shows every key with its status and never a secret", async () => {
    const email = newEmail();
    await addUser(email);
    const webhook = await addKey(email, "webhook", "first");
    const api = await addKey(email, "api", "second");
    const account = await getAccountByEmail(email);
    const records = await listKeys({ accountId: account!.id });
    const apiRecord = records.find((record) => record.kind === "api")!;
    countKeyUse(apiRecord.id);
    countKeyUse(apiRecord.id);
    await flushKeyUse();

    const run = capture();
    expect(await runCli(["key", "list", "--user", email], run.io)).toBe(0);
    const lines = run.stdout().trimEnd().split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(
      /^ID\s+KIND\s+NAME\s+DISPLAY START\s+CREATED\s+LAST USED\s+USES\s+STATUS$/,
    );

    for (const record of records) {
      const line = lines.find((candidate) => candidate.startsWith(record.id));
      expect(line).toBeDefined();
      expect(line).toContain(record.displayStart);
      expect(line).toMatch(/ active$/);
    }
    const apiLine = lines.find((line) => line.startsWith(apiRecord.id))!;
    expect(apiLine).toMatch(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\s+2\s+active$/);
    expect(apiLine).toContain("second");

    expect(run.stdout()).not.toContain(webhook.key);
    expect(run.stdout()).not.toContain(api.key);
    expect(run.stderr()).toBe("");
  });

  it("notes an account without keys on stderr", async () => {
    const email = newEmail();
    await addUser(email);
    const run = capture();
    expect(await runCli(["key", "list", "--user", email], run.io)).toBe(0);
    expect(run.stdout()).toBe("");
    expect(run.stderr()).toContain(`No keys for ${email}; create one with:`);
  });

  it("names an unknown user", async () => {
    const email = newEmail();
    const run = capture();
    expect(await runCli(["key", "list", "--user", email], run.io)).toBe(1);
    expect(run.stderr()).toBe(`${noAccountMessage(email)}\n`);
    expect(run.stderr(), "the message names the database the command opened").toContain(
      databaseDriver() === "pglite" ? dataDirectory() : "DATABASE_URL",
    );
  });
});

describe("key revoke", () => {
  it("makes the printed key fail with revoked_key", async () => {
    const email = newEmail();
    await addUser(email);
    const added = await addKey(email, "webhook", "to revoke");
    const { id } = await authenticateKey(added.key, "webhook");

    const run = capture();
    expect(await runCli(["key", "revoke", id], run.io)).toBe(0);
    expect(run.stdout()).toMatch(
      new RegExp(`^The webhook key ${id} \\("to revoke"\\) is revoked since \\d{4}-\\d\\d-\\d\\dT`),
    );
    expect((await rejection(authenticateKey(added.key, "webhook"))).code).toBe("revoked_key");

    const list = capture();
    expect(await runCli(["key", "list", "--user", email], list.io)).toBe(0);
    expect(list.stdout()).toMatch(new RegExp(`^${id} .* revoked$`, "m"));
  });

  it("keeps the first revocation time when repeated", async () => {
    const email = newEmail();
    await addUser(email);
    const added = await addKey(email, "api");
    const { id } = await authenticateKey(added.key, "api");
    const first = capture();
    const second = capture();
    expect(await runCli(["key", "revoke", id], first.io)).toBe(0);
    expect(await runCli(["key", "revoke", id], second.io)).toBe(0);
    expect(second.stdout()).toBe(first.stdout());
  });

  it("fails for an unknown key id", async () => {
    const run = capture();
    expect(await runCli(["key", "revoke", "key_0000000000000000"], run.io)).toBe(1);
    expect(run.stderr()).toBe(
      "No key key_0000000000000000; list keys with: npm run chirp -- key list --user EMAIL\n",
    );
  });
});

describe("key reroll", () => {
  it("prints only the new key, which works with the same id", async () => {
    const email = newEmail();
    await addUser(email);
    const added = await addKey(email, "api", "to reroll");
    const { id } = await authenticateKey(added.key, "api");

    const run = capture();
    expect(await runCli(["key", "reroll", id, "--grace", "1h"], run.io)).toBe(0);

    const rerolled = run.stdout().trimEnd();
    expect(run.stdout()).toBe(`${rerolled}\n`);
    expect(rerolled).not.toBe(added.key);
    expect((await authenticateKey(rerolled, "api")).id).toBe(id);
    expect((await authenticateKey(added.key, "api")).id, "the old value works for an hour").toBe(
      id,
    );
    expect(run.stderr()).toMatch(/The old value keeps working until \d{4}-\d\d-\d\dT/);
  });

  it("defaults to no grace period", async () => {
    const email = newEmail();
    await addUser(email);
    const added = await addKey(email, "webhook");
    const { id } = await authenticateKey(added.key, "webhook");

    const run = capture();
    expect(await runCli(["key", "reroll", id], run.io)).toBe(0);

    expect((await rejection(authenticateKey(added.key, "webhook"))).code).toBe("rerolled_key");
    expect(run.stderr()).toContain("The old value stopped working now.");
  });

  it("fails for a revoked key", async () => {
    const email = newEmail();
    await addUser(email);
    const added = await addKey(email, "api");
    const { id } = await authenticateKey(added.key, "api");
    expect(await runCli(["key", "revoke", id], capture().io)).toBe(0);

    const run = capture();
    expect(await runCli(["key", "reroll", id], run.io)).toBe(1);
    expect(run.stdout()).toBe("");
    expect(run.stderr()).toContain("so it cannot be rerolled; create a new key instead.");
  });

  it("expired key: names the expire command", async () => {
    const email = newEmail();
    await addUser(email);
    const added = await addKey(email, "api");
    const { id } = await authenticateKey(added.key, "api");
    const db = await getDb();
    await db
      .update(apiKeys)
      .set({ expiresAt: new Date("2001-01-01T00:00:00Z") })
      .where(eq(apiKeys.id, id));

    const run = capture();
    expect(await runCli(["key", "reroll", id], run.io)).toBe(1);

    expect(run.stdout()).toBe("");
    expect(run.stderr()).toBe(
      `The API key ${id} expired on 2001-01-01T00:00:00.000Z, so a new value would not work either; set a later expiry or none first, then reroll. To do that here: npm run chirp -- key expire ${id} --at ISO_TIME (or --never), then run key reroll again.\n`,
    );
  });
});

describe("key expire", () => {
  it("sets and clears the expiry", async () => {
    const email = newEmail();
    await addUser(email);
    const added = await addKey(email, "api");
    const { id } = await authenticateKey(added.key, "api");
    const at = "2099-01-31T12:00:00.000Z";

    const set = capture();
    expect(await runCli(["key", "expire", id, "--at", at], set.io)).toBe(0);
    expect(set.stdout()).toContain(`expires on ${at}`);
    expect((await authenticateKey(added.key, "api")).expiresAt?.toISOString()).toBe(at);

    const cleared = capture();
    expect(await runCli(["key", "expire", id, "--never"], cleared.io)).toBe(0);
    expect(cleared.stdout()).toContain("never expires");
    expect((await authenticateKey(added.key, "api")).expiresAt).toBeNull();
  });

  it("rejects a past time", async () => {
    const email = newEmail();
    await addUser(email);
    const added = await addKey(email, "api");
    const { id } = await authenticateKey(added.key, "api");

    const run = capture();
    expect(await runCli(["key", "expire", id, "--at", "2001-01-01T00:00:00Z"], run.io)).toBe(1);
    expect(run.stderr()).toMatch(
      /^--at 2001-01-01T00:00:00\.000Z is in the past; give a time after \d{4}-\d\d-\d\dT[\d:.]+Z, or use --never to remove the expiry\. /,
    );
    expect(run.stderr()).toContain(`To stop the key now: npm run chirp -- key revoke ${id}\n`);
    expect((await authenticateKey(added.key, "api")).expiresAt).toBeNull();
  });
});

describe("key audit", () => {
  it("prints the trail with actors in words", async () => {
    const email = newEmail();
    await addUser(email);
    const added = await addKey(email, "api");
    const { id } = await authenticateKey(added.key, "api");
    expect(await runCli(["key", "reroll", id, "--grace", "24h"], capture().io)).toBe(0);
    expect(await runCli(["key", "revoke", id], capture().io)).toBe(0);

    const run = capture();
    expect(await runCli(["key", "audit", id], run.io)).toBe(0);

    const lines = run.stdout().trimEnd().split("\n");
    expect(lines[0]).toMatch(/^TIME\s+ACTION\s+ACTOR\s+ACTOR ID\s+IP\s+DISPLAY START\s+DETAIL$/);
    expect(lines.slice(1).map((line) => line.split(/\s+/)[1])).toEqual([
      "create",
      "reroll",
      "revoke",
    ]);
    expect(lines[1]).toMatch(/\s+command line\s+cli\s+/);
    expect(lines[2]).toMatch(/grace=24h previousValidUntil=\d{4}-/);
    expect(run.stdout()).not.toContain(added.key.split("_")[4]);
  });

  it("shows the trail of a deleted key", async () => {
    const email = newEmail();
    await addUser(email);
    const added = await addKey(email, "webhook");
    const { id } = await authenticateKey(added.key, "webhook");
    const db = await getDb();
    await db.delete(apiKeys).where(eq(apiKeys.id, id));
    expect((await rejection(authenticateKey(added.key, "webhook"))).code).toBe("invalid_key");

    const run = capture();
    expect(await runCli(["key", "audit", id], run.io)).toBe(0);

    const actions = run
      .stdout()
      .trimEnd()
      .split("\n")
      .slice(1)
      .map((line) => line.split(/\s+/)[1]);
    expect(actions).toEqual(["create", "rejected_deleted"]);
  });

  it("fails for an unknown key id", async () => {
    const run = capture();
    expect(await runCli(["key", "audit", "key_0000000000000000"], run.io)).toBe(1);
    expect(run.stderr()).toContain("No key key_0000000000000000");
  });
});

describe("chirp key limit and key scope", () => {
  it("key limit sets and resets the limit", async () => {
    const email = newEmail();
    await addUser(email);
    const added = await addKey(email, "webhook", "limited");
    const keyId = `key_${added.key.split("_")[3]}`;

    const set = capture();
    expect(await runCli(["key", "limit", keyId, "--rate", "5", "--burst", "10"], set.io)).toBe(0);
    expect(set.stdout()).toBe(
      `The webhook key ${keyId} ("limited") may make 5 requests per second with bursts of 10.\n`,
    );
    const reset = capture();
    expect(await runCli(["key", "limit", keyId, "--default"], reset.io)).toBe(0);
    expect(reset.stdout()).toContain(
      "300 requests per second with bursts of 600 (the server's default)",
    );
  });

  it("key add --endpoints and key scope", async () => {
    const email = newEmail();
    await addUser(email);
    const run = capture();
    const argv = [
      "key",
      "add",
      "--user",
      email,
      "--kind",
      "webhook",
      "--endpoints",
      "isxbq1e254mbjz",
    ];
    expect(await runCli(argv, run.io)).toBe(0);
    const keyId = `key_${run.stdout().trimEnd().split("_")[3]}`;
    const account = await getAccountByEmail(email);
    const [key] = await listKeys({ accountId: account!.id });
    expect(key?.endpointIds).toEqual(["isxbq1e254mbjz"]);

    const any = capture();
    expect(await runCli(["key", "scope", keyId, "--any"], any.io)).toBe(0);
    expect(any.stdout()).toContain("may change cards of any endpoint");
  });

  it("key scope on an API key fails with the reason", async () => {
    const email = newEmail();
    await addUser(email);
    const added = await addKey(email, "api");
    const keyId = `key_${added.key.split("_")[3]}`;

    const run = capture();
    expect(await runCli(["key", "scope", keyId, "--endpoints", "isxbq1e254mbjz"], run.io)).toBe(1);
    expect(run.stderr()).toBe(
      `${keyId} is an API key, and only webhook keys can be limited to endpoints. To limit a key to endpoints, create a webhook key: npm run chirp -- key add --user EMAIL --kind webhook --endpoints ID,ID\n`,
    );
  });
});
