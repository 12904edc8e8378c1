import { ApiError, type FieldProblem } from "@/lib/http/errors";

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

/** The command line's message for a field problem of the domain layer, by field name. */
export type FieldMessages = ReadonlyMap<string, (problem: FieldProblem) => string>;

/**
 * Awaits a call into the domain layer and rethrows its `invalid_fields` error as a
 * CommandError worded for the command line. The domain layer's messages name the
 * dashboard's form fields, so the first problem whose field `messages` covers is replaced
 * by that entry's message, which names the command's own option or variable. Other errors
 * pass through unchanged.
 */
export async function withCommandWording<T>(call: Promise<T>, messages: FieldMessages): Promise<T> {
  try {
    return await call;
  } catch (error) {
    if (!(error instanceof ApiError && error.code === "invalid_fields")) throw error;
    for (const problem of error.fields ?? []) {
      const message = messages.get(problem.field);
      if (message) throw new CommandError(message(problem));
    }
    throw error;
  }
}
