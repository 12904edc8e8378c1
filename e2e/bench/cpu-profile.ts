import { once } from "node:events";
import { readFileSync } from "node:fs";
import { SourceMap } from "node:module";
import { fileURLToPath } from "node:url";
import WebSocket from "ws";
import { LOOPBACK_HOST } from "../support/next-server";

/**
 * V8's sampling profiler, driven through the inspector of a server started with
 * `--inspect=127.0.0.1:<port>`, and the grouping of its samples into the parts of the stack
 * a request passes through.
 */

/** The parts of V8's CPU profile format that the grouping reads. */
export interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
    children?: number[];
  }[];
  samples: number[];
  timeDeltas: number[];
}

export interface Profiler {
  /** Starts sampling every `intervalMicros`. */
  start(intervalMicros: number): Promise<void>;
  stop(): Promise<CpuProfile>;
  close(): void;
}

/** Connects to the inspector of the one Node.js process listening on `port`. */
export async function connectProfiler(port: number): Promise<Profiler> {
  const response = await fetch(`http://${LOOPBACK_HOST}:${port}/json/list`);
  const [target] = (await response.json()) as { webSocketDebuggerUrl: string }[];
  if (!target) throw new Error(`The inspector on port ${port} lists no process to profile.`);
  const socket = new WebSocket(target.webSocketDebuggerUrl);
  await once(socket, "open");

  const pending = new Map<
    number,
    { resolve: (result: unknown) => void; reject: (error: Error) => void }
  >();
  socket.on("message", (data) => {
    const message = JSON.parse(String(data)) as {
      id?: number;
      result?: unknown;
      error?: { message: string };
    };
    const waiter = message.id === undefined ? undefined : pending.get(message.id);
    if (!waiter) return;
    pending.delete(message.id!);
    if (message.error) waiter.reject(new Error(`Inspector: ${message.error.message}`));
    else waiter.resolve(message.result);
  });
  let lastId = 0;
  const call = <T>(method: string, params: Record<string, unknown> = {}) =>
    new Promise<T>((resolve, reject) => {
      const id = ++lastId;
      pending.set(id, { resolve: resolve as (result: unknown) => void, reject });
      socket.send(JSON.stringify({ id, method, params }));
    });

  await call("Profiler.enable");
  return {
    async start(intervalMicros) {
      await call("Profiler.setSamplingInterval", { interval: intervalMicros });
      await call("Profiler.start");
    },
    async stop() {
      return (await call<{ profile: CpuProfile }>("Profiler.stop")).profile;
    },
    close() {
      socket.close();
    },
  };
}

/** Where a sampled function comes from, as the row it is counted in. */
export const stackParts = {
  idle: "Idle: waiting for the database or the network",
  next: "Next.js and its bundle runtime: routing, request and response handling",
  web: "Request and Response objects, web streams (undici)",
  node: "Node.js core: HTTP, sockets, streams, async hooks",
  native: "Native code: socket writes, JSON, crypto",
  gc: "Garbage collection",
  program: "V8 itself (compiling, scheduling)",
  chirp: "Chirp's own code (app/, lib/)",
  drizzle: "drizzle-orm: building queries, mapping rows",
  postgres: "node-postgres: protocol and result parsing",
  packages: "Other packages (pino, zod, …)",
} as const;
export type StackPart = keyof typeof stackParts;

const sourceMaps = new Map<string, SourceMap | null>();

/** The original source file of a function in a bundled chunk, from the chunk's source map. */
function originalSource(url: string, line: number, column: number): string | undefined {
  if (!url.startsWith("file://")) return undefined;
  let map = sourceMaps.get(url);
  if (map === undefined) {
    try {
      map = new SourceMap(JSON.parse(readFileSync(`${fileURLToPath(url)}.map`, "utf8")));
    } catch {
      map = null;
    }
    sourceMaps.set(url, map);
  }
  const entry = map?.findEntry(line, column) as { originalSource?: string } | undefined;
  return entry?.originalSource;
}

function partOfFile(file: string): StackPart {
  if (/node_modules\/next\/|^turbopack:/.test(file)) return "next";
  // drizzle-orm's published source maps point at ../src/, which the bundle's maps resolve
  // to node_modules/src/; no other bundled package here ships maps like that.
  if (/node_modules\/(drizzle-orm\/|src\/)/.test(file)) return "drizzle";
  if (/node_modules\/(pg|pg-protocol|pg-pool|pg-types|postgres-[a-z]+)\//.test(file))
    return "postgres";
  if (/node_modules\//.test(file)) return "packages";
  return "chirp";
}

function partOf(frame: CpuProfile["nodes"][number]["callFrame"]): StackPart {
  const { functionName, url, lineNumber, columnNumber } = frame;
  if (functionName === "(idle)") return "idle";
  if (functionName === "(garbage collector)") return "gc";
  if (functionName === "(program)" || functionName === "(root)") return "program";
  if (url === "") return "native";
  if (url.startsWith("node:internal/deps/undici") || url.startsWith("node:internal/webstreams"))
    return "web";
  if (url.startsWith("node:")) return "node";
  // Next's server runtime and external packages such as pg are loaded from node_modules.
  // The app is bundled into chunks, whose source maps name each function's file.
  if (url.includes("/node_modules/")) return partOfFile(url);
  const source = originalSource(url, lineNumber, columnNumber);
  if (source?.startsWith("webpack://next/")) return "next";
  return partOfFile(source?.replace(/^(\.\.\/)+/, "") ?? url);
}

/** Microseconds of sampled time per part of the stack. */
export function timeByPart(profile: CpuProfile): Map<StackPart, number> {
  const partOfNode = new Map(profile.nodes.map((node) => [node.id, partOf(node.callFrame)]));
  const totals = new Map<StackPart, number>();
  profile.samples.forEach((nodeId, index) => {
    const part = partOfNode.get(nodeId)!;
    totals.set(part, (totals.get(part) ?? 0) + (profile.timeDeltas[index] ?? 0));
  });
  return totals;
}

/** Returns the functions of one part with the most sampled time, as "name (file)" and microseconds. */
export function topFunctions(
  profile: CpuProfile,
  part: StackPart,
  count: number,
): { name: string; micros: number }[] {
  const byNode = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const totals = new Map<string, number>();
  profile.samples.forEach((nodeId, index) => {
    const frame = byNode.get(nodeId)!;
    if (partOf(frame) !== part) return;
    const file =
      originalSource(frame.url, frame.lineNumber, frame.columnNumber)?.replace(/^(\.\.\/)+/, "") ??
      frame.url.replace(/^.*\//, "");
    const name = `${frame.functionName || "(anonymous)"} (${file})`;
    totals.set(name, (totals.get(name) ?? 0) + (profile.timeDeltas[index] ?? 0));
  });
  return [...totals]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, micros]) => ({ name, micros }));
}
