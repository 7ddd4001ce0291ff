/**
 * The api bench's load generator, a process of its own so that it can run on a core of its own (bench/api.ts
 * pins it with taskset): offers `rate` requests/s to `url` over `connections` for `seconds` with autocannon and
 * prints what it measured as one line of JSON. Argument: that JSON ({url, rate, connections, seconds}).
 */
import autocannon from 'autocannon';

export interface LoadSpec {
  readonly url: string;
  readonly rate: number;
  readonly connections: number;
  readonly seconds: number;
}

export interface LoadReport {
  readonly total: number;
  readonly bad: number;
  readonly bytes: number;
  readonly p50: number;
  readonly p99: number;
}

const spec = JSON.parse(process.argv[2] ?? '{}') as LoadSpec;
const result = await autocannon({
  url: spec.url,
  connections: spec.connections,
  overallRate: spec.rate,
  duration: spec.seconds,
});
const report: LoadReport = {
  total: result.requests.total,
  bad: result.non2xx + result.errors + result.timeouts,
  bytes: result.throughput.total,
  p50: result.latency.p50,
  p99: result.latency.p99,
};
process.stdout.write(`${JSON.stringify(report)}\n`);
