import { createConnection, createServer, type Server, type Socket } from "node:net";
import { LOOPBACK_HOST } from "./next-server";

/**
 * A TCP proxy on a loopback port that forwards each connection to a target port of the
 * loopback address, for tests that make a database reachable only after the app started:
 * until `start()`, nothing listens and connections are refused.
 */
export interface TcpProxy {
  readonly port: number;
  /** Starts listening; connections made from now on reach the target. */
  start(): Promise<void>;
  /** Stops listening and closes the connections it forwards. Safe to call more than once. */
  close(): Promise<void>;
}

export function createTcpProxy({
  port,
  targetPort,
}: {
  port: number;
  targetPort: number;
}): TcpProxy {
  let server: Server | undefined;
  const sockets = new Set<Socket>();

  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  };

  return {
    port,
    async start() {
      const listening = createServer((client) => {
        const upstream = createConnection({ host: LOOPBACK_HOST, port: targetPort });
        track(client);
        track(upstream);
        client.on("error", () => upstream.destroy());
        upstream.on("error", () => client.destroy());
        client.pipe(upstream);
        upstream.pipe(client);
      });
      await new Promise<void>((resolve, reject) => {
        listening.once("error", reject);
        listening.listen(port, LOOPBACK_HOST, () => resolve());
      });
      server = listening;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      const listening = server;
      server = undefined;
      if (listening) await new Promise<void>((resolve) => listening.close(() => resolve()));
    },
  };
}
