import { describe, expect, it } from 'vitest';
import {
  createRandom,
  createWeightedSampler,
  createZipfSampler,
  shuffled,
  timedUuid,
} from '../../../src/adapters/catalog/seeded-random.ts';

const uuidV4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const draw = (seed: number, n = 20) => {
  const random = createRandom(seed);
  return Array.from({ length: n }, () => random.uint32());
};

describe('createRandom', () => {
  it('repeats itself for a seed and differs between seeds', () => {
    expect(draw(7)).toEqual(draw(7));
    expect(draw(7)).not.toEqual(draw(8));
  });

  it('stays within the ranges it promises', () => {
    const random = createRandom(1);
    const floats = Array.from({ length: 10_000 }, () => random.next());
    expect(floats.filter((float) => float < 0 || float >= 1)).toEqual([]);
    const ints = Array.from({ length: 10_000 }, () => random.int(3, 5));
    expect(new Set(ints)).toEqual(new Set([3, 4, 5]));
  });

  it('has a roughly standard normal distribution', () => {
    const random = createRandom(2);
    const values = Array.from({ length: 20_000 }, () => random.normal());
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length;
    expect(Math.abs(mean)).toBeLessThan(0.05);
    expect(variance).toBeGreaterThan(0.9);
    expect(variance).toBeLessThan(1.1);
  });

  it('makes reproducible, well-formed UUID v4s', () => {
    const a = createRandom(3);
    const b = createRandom(3);
    const ids = Array.from({ length: 1000 }, () => a.uuid());
    expect(ids).toEqual(Array.from({ length: 1000 }, () => b.uuid()));
    for (const id of ids) expect(id).toMatch(uuidV4);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('salts timed UUIDs with the timestamp, so live runs of one seed never repeat ids', () => {
    const at = Date.parse('2026-11-27T10:00:00Z');
    expect(timedUuid(createRandom(1), at)).toBe(timedUuid(createRandom(1), at));
    expect(timedUuid(createRandom(1), at)).not.toBe(timedUuid(createRandom(1), at + 1));
    expect(timedUuid(createRandom(1), at)).toMatch(uuidV4);
  });

  it('forks independent, reproducible streams', () => {
    const fork = (label: string) => createRandom(5).fork(label).uint32();
    expect(fork('a')).toBe(fork('a'));
    expect(fork('a')).not.toBe(fork('b'));
  });

  it('shuffles into a permutation', () => {
    const items = Array.from({ length: 50 }, (_, i) => i);
    const result = shuffled(items, createRandom(4));
    expect(result).not.toEqual(items);
    expect([...result].sort((a, b) => a - b)).toEqual(items);
  });
});

describe('samplers', () => {
  it('samples proportionally to the weights and never picks a zero weight', () => {
    const sampler = createWeightedSampler([1, 0, 3]);
    const random = createRandom(9);
    const counts = [0, 0, 0];
    for (let i = 0; i < 40_000; i++) counts[sampler.sample(random)]! += 1;
    expect(counts[1]).toBe(0);
    expect(counts[2]! / counts[0]!).toBeGreaterThan(2.7);
    expect(counts[2]! / counts[0]!).toBeLessThan(3.3);
  });

  it('rejects weights that cannot be sampled', () => {
    expect(() => createWeightedSampler([0, 0])).toThrow();
    expect(() => createWeightedSampler([1, -1])).toThrow();
  });

  it('follows Zipf: rank 1 about twice rank 2 and far above the median', () => {
    const sampler = createZipfSampler(1000, 1);
    const random = createRandom(10);
    const counts = new Array(1000).fill(0);
    for (let i = 0; i < 100_000; i++) counts[sampler.sample(random)] += 1;
    expect(counts[0] / counts[1]).toBeGreaterThan(1.7);
    expect(counts[0] / counts[1]).toBeLessThan(2.3);
    expect(counts[0]).toBeGreaterThan(50 * counts[499]);
  });
});
