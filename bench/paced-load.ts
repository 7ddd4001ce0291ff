/**
 * An open-loop load generator: offers `rate` GET requests/s to one URL at evenly spaced intended send times
 * (request i is due at start + i / rate), whatever the answers do, over a keep-alive agent of `connections`
 * sockets, and measures each request's latency from its intended send time to the last byte of its answer. A
 * request that waits for a free socket, or for the generator's own timer, has that wait in its latency: the
 * measure is corrected for coordinated omission by construction (docs/decisions.md, "The api bench's load
 * generator"). The generator's own lateness (intended send time → handed to node:http) is reported apart, so a
 * run shows whether the generator, rather than the server, made the tail.
 *
 * The load starts with `warmup` seconds at the same rate that are sent and checked but not measured: a fresh
 * process compiles its code and opens its sockets in its first half second, late by 5–18 ms (measured on a quiet
 * machine), which a measured run of 20,000 requests would report as its p99. `onMeasuring` is called when the
 * measured part starts, so that a server's own figures can be taken over the same requests.
 */
import { Agent, request } from 'node:http';
import { createHistogram, type RecordableHistogram } from 'node:perf_hooks';

export interface LoadSpec {
  readonly url: string;
  readonly rate: number;
  readonly connections: number;
  readonly seconds: number;
  /** Seconds of load at the same rate before the measured `seconds`, not measured (default 0). */
  readonly warmup?: number;
  /** The body length every answer must have; an answer of another length or status is counted bad. */
  readonly bytes: number;
}

export interface LoadReport {
  /** Requests offered in the measured part: rate × seconds. */
  readonly offered: number;
  /** Answers of the measured part that were a 200 of `bytes` bytes. */
  readonly good: number;
  /** Other statuses, other lengths, errors, and requests not answered within the drain time (warm-up included). */
  readonly bad: number;
  /** The measured part's good answers ÷ the time from its first intended send to the last answer, per second. */
  readonly served: number;
  /** Latency from the intended send time to the end of the answer, ms. */
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  /** The generator's lateness: intended send time → request handed to node:http, ms. */
  readonly lagP99: number;
  readonly lagMax: number;
  /** Every good answer's latency (ms, to the µs), in the order they came: to pool several runs' percentiles. */
  readonly latencies: number[];
}

/** The nearest-rank percentile of `values` (0 < p ≤ 100): the smallest value with p% of them at or below it. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new Error('percentile of no values');
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** How many requests are due `elapsed` ns after the start at one every `interval` ns (the first at 0). */
export function dueBy(elapsed: bigint, interval: number, count: number): number {
  if (elapsed < 0n) return 0;
  return Math.min(count, Math.floor(Number(elapsed) / interval) + 1);
}

/** How long a request still unanswered after the last send may take before it counts as bad. */
const DRAIN_MS = 10_000;

const ms = (histogram: RecordableHistogram, p: number) => histogram.percentile(p) / 1e6;

export async function pacedLoad(spec: LoadSpec, onMeasuring: () => void = () => {}): Promise<LoadReport> {
  const unmeasured = Math.round(spec.rate * (spec.warmup ?? 0));
  const offered = Math.round(spec.rate * spec.seconds);
  const total = unmeasured + offered;
  const interval = 1e9 / spec.rate;
  const agent = new Agent({ keepAlive: true, maxSockets: spec.connections, scheduling: 'fifo' });
  const latencies: number[] = [];
  const lag = createHistogram();
  let good = 0;
  let bad = 0;
  let lastAnswer = 0n;
  let settle: () => void = () => {};
  const settled = new Promise<void>((resolve) => {
    settle = resolve;
  });
  let warm = 0;
  const done = () => {
    if (warm + good + bad === total) settle();
  };

  const send = (intended: bigint, measured: boolean) => {
    let answered = false;
    const finish = (ok: boolean) => {
      if (answered) return;
      answered = true;
      const now = process.hrtime.bigint();
      if (ok && !measured) warm++;
      else if (ok) {
        good++;
        latencies.push(Math.round(Math.max(1, Number(now - intended)) / 1e3) / 1e3);
        lastAnswer = now;
      } else bad++;
      done();
    };
    const outgoing = request(spec.url, { agent }, (response) => {
      let length = 0;
      response.on('data', (chunk: Buffer) => {
        length += chunk.length;
      });
      response.on('end', () => finish(response.statusCode === 200 && length === spec.bytes));
      response.on('error', () => finish(false));
    });
    outgoing.on('error', () => finish(false));
    outgoing.end();
  };

  // A timer wakes the generator for the next due request and it sends all that are due by then. Node's timers
  // have 1 ms granularity, so at 2,000/s requests leave in pairs up to ~1 ms late (measured: the lag, and it is
  // in the latencies). Spinning on setImmediate would be finer on an idle core, but on a shared one a process
  // that never sleeps loses the scheduler's favour and was measured tens of ms late (docs/benchmarks.md).
  const start = process.hrtime.bigint() + 1_000_000n;
  const measuredStart = start + BigInt(Math.round(unmeasured * interval));
  let sent = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = process.hrtime.bigint();
      const due = dueBy(now - start, interval, total);
      for (; sent < due; sent++) {
        const intended = start + BigInt(Math.round(sent * interval));
        const measured = sent >= unmeasured;
        if (sent === unmeasured) onMeasuring();
        if (measured) lag.record(Math.max(1, Number(process.hrtime.bigint() - intended)));
        send(intended, measured);
      }
      if (sent === total) return resolve();
      const next = start + BigInt(Math.round(sent * interval));
      setTimeout(tick, Math.max(0, Math.floor(Number(next - process.hrtime.bigint()) / 1e6)));
    };
    tick();
  });
  const drain = setTimeout(settle, DRAIN_MS);
  await settled;
  clearTimeout(drain);
  agent.destroy();
  const unanswered = total - warm - good - bad;
  return {
    offered,
    good,
    bad: bad + unanswered,
    served: good === 0 ? 0 : good / (Number(lastAnswer - measuredStart) / 1e9),
    p50: good === 0 ? 0 : percentile(latencies, 50),
    p99: good === 0 ? 0 : percentile(latencies, 99),
    max: latencies.reduce((most, took) => Math.max(most, took), 0),
    lagP99: ms(lag, 99),
    lagMax: lag.max / 1e6,
    latencies,
  };
}
