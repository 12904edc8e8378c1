import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { CommandError } from "./errors";
import { promptPassword } from "./password";

function terminal() {
  const input = new PassThrough();
  const output = new PassThrough();
  let written = "";
  output.on("data", (chunk: Buffer) => {
    written += chunk.toString();
  });
  return { input, output, written: () => written };
}

describe("promptPassword", () => {
  it("returns the typed line without echoing it", async () => {
    const { input, output, written } = terminal();
    const answer = promptPassword("Password: ", input, output);
    input.write("correct horse battery\r");
    await expect(answer).resolves.toBe("correct horse battery");
    expect(written()).toContain("Password: ");
    expect(written()).not.toContain("correct");
    expect(written().endsWith("\n")).toBe(true);
  });

  it("rejects with exit status 130 on Ctrl-C", async () => {
    const { input, output } = terminal();
    const answer = promptPassword("Password: ", input, output);
    input.write("half typed\x03");
    const error = await answer.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CommandError);
    expect((error as CommandError).exitCode).toBe(130);
  });

  it("rejects when input ends before a line", async () => {
    const { input, output } = terminal();
    const answer = promptPassword("Password: ", input, output);
    input.end();
    await expect(answer).rejects.toThrow("Cancelled.");
  });
});
