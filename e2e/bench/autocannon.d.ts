// Types for the parts of autocannon 9 that the benchmark uses; the package ships none.
// Field meanings are from autocannon's README ("Results").
declare module "autocannon" {
  export interface Histogram {
    average: number;
    mean: number;
    stddev: number;
    min: number;
    max: number;
    p50: number;
    p90: number;
    p99: number;
  }

  export interface Options {
    url: string;
    method?: "GET" | "POST";
    connections?: number;
    /** Seconds. */
    duration?: number;
    /** Requests to send in all, in place of a duration. */
    amount?: number;
    /** Seconds to wait for a response. */
    timeout?: number;
    headers?: Record<string, string>;
    body?: string | Buffer;
    /** Replaces each `[<id>]` in the body with a new unique id per request. */
    idReplacement?: boolean;
  }

  export interface Result {
    /** Completed requests per second, sampled each second; `total` counts all of them. */
    requests: Histogram & { total: number; sent: number };
    /** Milliseconds. */
    latency: Histogram;
    /** Seconds. */
    duration: number;
    errors: number;
    timeouts: number;
    non2xx: number;
    statusCodeStats: Record<string, { count: number }>;
  }

  function autocannon(options: Options): Promise<Result>;
  export default autocannon;
}
