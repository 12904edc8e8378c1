import net from "node:net";
import { WebSocketServer } from "ws";

/**
 * A WebSocket-to-TCP proxy like the one Neon runs in front of its Postgres, so tests can
 * drive the Neon serverless driver against a local Postgres. Each connection names its
 * target as `/v2?address=HOST:PORT`; only loopback targets are allowed.
 */
export async function startWsProxy(port = 0): Promise<{ url: string; close(): Promise<void> }> {
  const server = new WebSocketServer({ host: "127.0.0.1", port });
  server.on("connection", (socket, request) => {
    const address = new URL(request.url ?? "/", "http://proxy").searchParams.get("address") ?? "";
    const [host, portText] = address.split(":");
    if ((host !== "127.0.0.1" && host !== "localhost") || !portText) {
      socket.close(1008, "only loopback Postgres addresses are proxied");
      return;
    }
    const tcp = net.connect(Number(portText), "127.0.0.1");
    tcp.on("data", (chunk) => socket.send(chunk));
    tcp.on("close", () => socket.close());
    tcp.on("error", () => socket.close());
    socket.on("message", (data) => tcp.write(data as Buffer));
    socket.on("close", () => tcp.destroy());
  });
  await new Promise<void>((resolve) => server.once("listening", resolve));
  const { port: bound } = server.address() as net.AddressInfo;
  return {
    url: `127.0.0.1:${bound}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of server.clients) client.terminate();
        server.close(() => resolve());
      }),
  };
}
