/**
 * A Server-Sent Events client that reads one message at a time, for tests that need to
 * drop a connection at an exact point and resume it with `Last-Event-ID`, which the
 * browser's EventSource does not allow. Parsing follows the HTML standard's event stream
 * format: `field: value` lines, `:` comment lines, a blank line ends a message.
 */

export interface StreamMessage {
  id: string | undefined;
  event: string;
  data: string;
}

export class EventStreamReader {
  private readonly messages: StreamMessage[] = [];
  private waiter: (() => void) | undefined;
  private ended = false;
  private failure: Error | undefined;

  constructor(
    readonly response: Response,
    private readonly controller: AbortController,
  ) {
    void this.pump();
  }

  /** Returns the next message, or undefined when none arrives within `timeoutMs`. */
  async next(timeoutMs: number): Promise<StreamMessage | undefined> {
    const deadline = Date.now() + timeoutMs;
    while (this.messages.length === 0) {
      if (this.failure) throw this.failure;
      if (this.ended) return undefined;
      const remaining = deadline - Date.now();
      if (remaining <= 0) return undefined;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.waiter = undefined;
    }
    return this.messages.shift();
  }

  /**
   * Reads and drops messages until the server ends the stream. Returns false when the
   * stream is still open after `timeoutMs`.
   */
  async waitForEnd(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.ended || this.messages.length > 0) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) return false;
      await this.next(remaining);
    }
    return true;
  }

  /** Drops the connection, as a browser does when the network goes away. */
  close(): void {
    this.ended = true;
    this.controller.abort();
    this.waiter?.();
  }

  private async pump(): Promise<void> {
    const body = this.response.body;
    if (!body) {
      this.ended = true;
      return;
    }
    const reader = body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    let message: StreamMessage = { id: undefined, event: "message", data: "" };
    let dataLines: string[] = [];
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        buffer += value;
        const lines = buffer.split(/\r\n|\r|\n/);
        buffer = lines.pop() ?? "";
        for (const line of lines) {
          if (line === "") {
            if (dataLines.length > 0) {
              this.messages.push({ ...message, data: dataLines.join("\n") });
              this.waiter?.();
            }
            message = { id: undefined, event: "message", data: "" };
            dataLines = [];
            continue;
          }
          if (line.startsWith(":")) continue;
          const colon = line.indexOf(":");
          const field = colon === -1 ? line : line.slice(0, colon);
          const value = colon === -1 ? "" : line.slice(colon + 1).replace(/^ /, "");
          if (field === "data") dataLines.push(value);
          else if (field === "event") message.event = value;
          else if (field === "id") message.id = value;
        }
      }
    } catch (error) {
      if (!this.controller.signal.aborted) this.failure = error as Error;
    } finally {
      this.ended = true;
      this.waiter?.();
    }
  }
}

/** Opens a stream with `fetch`; check `reader.response.status` before reading messages. */
export async function openEventStream(
  url: string,
  headers: Record<string, string>,
): Promise<EventStreamReader> {
  const controller = new AbortController();
  const response = await fetch(url, {
    headers: { accept: "text/event-stream", ...headers },
    signal: controller.signal,
  });
  return new EventStreamReader(response, controller);
}
