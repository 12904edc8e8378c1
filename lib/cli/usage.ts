import { MIN_PASSWORD_LENGTH } from "@/lib/accounts/store";
import { MAX_KEY_NAME_LENGTH } from "@/lib/keys/store";

export const HELP_HINT = "Run `npm run chirp -- help` for all commands and options.";

export const USAGE = `Chirp admin command line: create accounts and keys in the database the server uses.

Usage: npm run chirp -- COMMAND [OPTIONS]

Commands:
  user add EMAIL
      Create an account. The password comes from CHIRP_PASSWORD, or else from a prompt
      (with echo off) when standard input is a terminal.
  user password EMAIL
      Set a new password for the account, without its old one, and sign out all of its
      sessions, so every browser must sign in again. The password comes from
      CHIRP_PASSWORD or a prompt, as for user add.
  key add --user EMAIL --kind webhook|api [--name NAME] [--endpoints ID,ID]
      Create a key for the account and print it alone on stdout, so that
      KEY=$(npm run -s chirp -- key add ...) captures it. The key is shown only this once.
  key list --user EMAIL
      Print the account's keys as a table: id, kind, name, display start, created and
      last used (UTC, ISO 8601), number of uses, and status (active, revoked or expired).
      Keys themselves are never shown.
  key revoke KEY_ID
      Revoke the key with this id (key_..., from key list). Requests that use the key are
      rejected from then on.
  key reroll KEY_ID [--grace none|1h|24h]
      Give the key a new value with the same id, kind and name, and print it alone on
      stdout like key add. The old value keeps working for the grace period, then
      requests that use it are rejected with rerolled_key. Default: --grace none.
  key expire KEY_ID --at ISO_TIME | --never
      Make the key stop working at ISO_TIME (ISO 8601 with a time zone, such as
      2030-01-31T12:00:00Z; it must be in the future), or remove its expiry with --never.
  key audit KEY_ID
      Print the key's audit trail as a table, oldest first: time (UTC), action, actor
      as the dashboard shows it (the account's email for a dashboard change, "command
      line" for this command line, "request with the key" for a rejected use), actor id
      as stored (account:ID, cli or request), client IP, display start and details.
  key limit KEY_ID --rate N --burst N | --default
      Limit the key to N requests per second on average and N requests at once. Requests
      over the limit get 429 rate_limited with Retry-After. --default returns the key to
      the server's default (CHIRP_RATE_LIMIT_PER_SECOND and CHIRP_RATE_LIMIT_BURST, 300
      and 600 unless set).
  key scope KEY_ID --endpoints ID,ID | --any
      Limit a webhook key to cards of these RunPod endpoints, or allow every endpoint
      with --any. A delivery for a card on another endpoint, or for a job with no card
      yet, is recorded with the reason and answered 200 but changes no card.
  watchdog [--account ACCOUNT_ID]
      Run the watchdog until Ctrl-C or SIGTERM: poll RunPod for open cards past their
      deadline and close them with the job's status. Run it as a worker when the app
      servers have CHIRP_WATCHDOG=off; any number of workers can run at once. With
      --account, only that account's cards are polled.
  runpod reencrypt
      Re-encrypt every stored RunPod API key and inspector webhook key under
      CHIRP_RUNPOD_ENCRYPTION_KEY, after a rotation that moved the old key to
      CHIRP_RUNPOD_ENCRYPTION_KEY_PREVIOUS.
  help
      Print this text. So do --help, -h and running without arguments.

Options:
  --user EMAIL   The account that owns the keys.
  --kind KIND    The kind of key: webhook goes into the RunPod webhook URL (?key=) and can
                 only post deliveries; api is sent as "Authorization: Bearer KEY" to the
                 activity API.
  --name NAME    A label for the key in lists, at most ${MAX_KEY_NAME_LENGTH} characters. Default: the kind
                 and today's date.
  --grace PERIOD How long the old value of a rerolled key keeps working: none, 1h (one
                 hour) or 24h (24 hours).
  --at ISO_TIME  When the key expires, in ISO 8601 with a time zone.
  --never        Remove the key's expiry.
  --rate N       Requests per second a key may make on average, from 1 to 100000.
  --burst N      Requests a key may make at once, from 1 to 1000000.
  --default      Use the server's default rate limit for the key.
  --endpoints ID,ID
                 RunPod endpoint ids (14 lowercase letters and digits), separated by
                 commas, that a webhook key may change cards of.
  --any          Allow a webhook key to change cards of every endpoint.
  --account ID   The account whose cards the watchdog polls (acc_...).

Environment (also read from .env files, the same way next start reads them):
  DATABASE_URL      postgres:// URL of the server's database. When unset, the embedded
                    database in CHIRP_DATA_DIR is used; only one process can open it, so
                    stop the server while you run these commands.
  CHIRP_DATA_DIR    Folder of the embedded database and its generated secrets.
                    Default: ./.chirp-data
  CHIRP_PASSWORD    Password for user add and user password, at least ${MIN_PASSWORD_LENGTH} characters.
  CHIRP_KEY_SECRET  Secret that signs new keys; required with DATABASE_URL. Use the
                    server's value, or the server rejects the keys created here.
  CHIRP_BASE_URL    Public address of the server, shown in the webhook URL.
                    Default: http://localhost:3000
  CHIRP_RUNPOD_ENCRYPTION_KEY, CHIRP_WATCHDOG_*
                    The RunPod and watchdog settings of the server; see .env.example.

Exit status: 0 on success, 1 when a command fails (for example an unknown account or key),
2 for an invalid command line.
`;
