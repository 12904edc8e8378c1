/** An invalid command line: the process exits with 2 and points to the help text. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** A failure the command itself detects, such as two different passwords at the prompt. */
export class CommandError extends Error {
  override name = "CommandError";

  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}
