/** The soak benchmark's measures: the memory of a process tree, the trend of a series, durations. */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../../bench/harness.ts';
import { processTreeMemory } from '../../../bench/process-memory.ts';
import { linearTrend, verdictOf } from '../../../bench/trend.ts';

describe('linearTrend', () => {
  it('finds the slope of an exact line, with no margin', () => {
    const points = [0, 0.1, 0.2, 0.3].map((hours) => ({ hours, value: 400 + 30 * hours }));
    const trend = linearTrend(points);
    expect(trend.perHour).toBeCloseTo(30, 9);
    expect(trend.margin).toBeCloseTo(0, 9);
  });

  it('gives a noisy series the margin of ordinary least squares (t = 4.30 for 2 degrees of freedom)', () => {
    // y = 1, 3, 2, 4 at x = 0..3: slope 0.8, intercept 1.3, residuals -0.3 0.9 -0.9 0.3, s² = 1.8 / 2, Sxx = 5.
    const trend = linearTrend([1, 3, 2, 4].map((value, hours) => ({ hours, value })));
    expect(trend.perHour).toBeCloseTo(0.8, 9);
    expect(trend.margin).toBeCloseTo(4.3 * Math.sqrt(0.9 / 5), 9);
  });

  it('calls a trend flat, growing or inconclusive by where its interval lies against the threshold', () => {
    expect(verdictOf({ perHour: 5, margin: 10, points: 100 }, 20)).toBe('flat');
    expect(verdictOf({ perHour: -50, margin: 10, points: 100 }, 20)).toBe('flat');
    expect(verdictOf({ perHour: 35, margin: 10, points: 100 }, 20)).toBe('growing');
    expect(verdictOf({ perHour: 15, margin: 10, points: 100 }, 20)).toBe('inconclusive');
  });

  it('refuses fewer than 3 points', () => {
    expect(() => linearTrend([{ hours: 0, value: 1 }])).toThrow(/at least 3 points/);
  });
});

describe('parseDuration', () => {
  it('reads seconds, minutes and hours, and refuses anything else', () => {
    expect(['90s', '2m', '30m', '1h', '45', '1.5m'].map(parseDuration)).toEqual([
      90_000, 120_000, 1_800_000, 3_600_000, 45_000, 90_000,
    ]);
    expect(['', '0m', '-1m', '2 weeks', 'm'].map(parseDuration)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });
});

describe('processTreeMemory', () => {
  it('adds up a process and its children from /proc, the node ones (job processes) apart', async () => {
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    const nodeChild = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30_000)'], { stdio: 'ignore' });
    await Promise.all([child, nodeChild].map((c) => new Promise((resolve) => c.once('spawn', resolve))));
    try {
      const memory = processTreeMemory(process.pid);
      expect(memory.processes).toBeGreaterThanOrEqual(3);
      expect(memory.rootRssMb).toBeGreaterThan(10); // a node process
      expect(memory.nodeDescendantsRssMb).toBeGreaterThan(0); // the node child
      expect(memory.descendantsRssMb).toBeGreaterThan(memory.nodeDescendantsRssMb); // and the sleep
      expect(memory.treePssMb).toBeGreaterThan(0);
      expect(memory.treePssMb).toBeLessThanOrEqual(memory.rootRssMb + memory.descendantsRssMb);
      // Two node processes map the same binary: their file pages count in both RSSs, their heaps are their own.
      expect(memory.treeAnonymousMb).toBeGreaterThan(0);
      expect(memory.treeAnonymousMb).toBeLessThan(memory.rootRssMb + memory.descendantsRssMb);
    } finally {
      child.kill();
      nodeChild.kill();
    }
  });
});
