import pino from "pino";

/**
 * The process logger: one JSON line per request outcome and per caught error. Never pass
 * it a key, a password, a session cookie or a webhook URL with its query string.
 */
export const logger = pino(
  {
    level: process.env.LOG_LEVEL ?? (process.env.NODE_ENV === "test" ? "silent" : "info"),
    base: undefined,
    redact: {
      paths: ["key", "*.key", "authorization", "*.authorization", "password", "*.password"],
      censor: "[redacted]",
    },
  },
  // The admin command line sets LOG_DESTINATION=stderr because its stdout must carry only
  // command output, such as a new key that a script captures.
  process.env.LOG_DESTINATION === "stderr" ? pino.destination(2) : undefined,
);
