import { startWsProxy } from "./ws-proxy";

/** Vitest global setup for the Neon driver suite: starts the local WebSocket proxy. */
export default async function setup(): Promise<() => Promise<void>> {
  const proxy = await startWsProxy();
  process.env.CHIRP_NEON_WS_PROXY = proxy.url;
  return () => proxy.close();
}
