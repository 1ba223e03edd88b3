// The part of autocannon 9 (no bundled types) the load test uses.
declare module "autocannon" {
  interface Histogram {
    average: number;
    mean: number;
    stddev: number;
    min: number;
    max: number;
    total: number;
    p50: number;
    p90: number;
    p97_5: number;
    p99: number;
  }
  interface Options {
    url: string;
    connections?: number;
    duration?: number;
    method?: string;
    headers?: Record<string, string>;
    timeout?: number;
    expectBody?: string;
    verifyBody?: (body: string) => boolean;
  }
  interface Result {
    errors: number;
    timeouts: number;
    non2xx: number;
    mismatches: number;
    resets: number;
    latency: Histogram;
    requests: Histogram;
    throughput: Histogram;
    duration: number;
    statusCodeStats: Record<string, { count: number }>;
    "1xx": number;
    "2xx": number;
    "3xx": number;
    "4xx": number;
    "5xx": number;
  }
  function autocannon(options: Options): Promise<Result>;
  export default autocannon;
}
