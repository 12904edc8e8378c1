import { createInterface } from "node:readline";
import { Writable } from "node:stream";
import { CommandError } from "./errors";

/**
 * Reads one line from a terminal without echoing it. readline writes the prompt to
 * `output`; everything it writes after that (the typed characters and line redraws) is
 * dropped. Ctrl-C and end of input reject with a CommandError that exits with 130.
 */
export function promptPassword(
  prompt: string,
  input: NodeJS.ReadableStream,
  output: NodeJS.WritableStream,
): Promise<string> {
  let muted = false;
  const echo = new Writable({
    write(chunk, _encoding, callback) {
      if (!muted) output.write(chunk);
      callback();
    },
  });
  const readline = createInterface({ input, output: echo, terminal: true });

  return new Promise<string>((resolve, reject) => {
    let settled = false;
    const finish = (action: () => void) => {
      if (settled) return;
      settled = true;
      muted = false;
      output.write("\n");
      readline.close();
      action();
    };
    const cancel = () => finish(() => reject(new CommandError("Cancelled.", 130)));

    // In raw mode Ctrl-C reaches readline as a key, not as a signal to the process.
    readline.on("SIGINT", cancel);
    readline.on("close", cancel);
    readline.question(prompt, (answer) => finish(() => resolve(answer)));
    muted = true;
  });
}
