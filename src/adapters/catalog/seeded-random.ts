/**
 * A small seeded PRNG and sampling helpers. Everything the simulator generates flows from
 * these, so a seed reproduces a run exactly (Math.random is never used for content).
 */

export interface Random {
  /** A float in [0, 1). */
  next(): number;
  /** A uniformly distributed unsigned 32-bit integer. */
  uint32(): number;
  /** An integer in [min, max] (both inclusive). */
  int(min: number, max: number): number;
  /** True with probability `p`. */
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** An index drawn proportionally to `weights` (linear scan: for short lists). */
  weightedIndex(weights: readonly number[]): number;
  /** Normally distributed (Box–Muller). */
  normal(mean?: number, deviation?: number): number;
  /** A random UUID v4 whose bits come from this generator. */
  uuid(): string;
  /** An independent generator derived from this one's seed and a label, so streams don't disturb each other. */
  fork(label: string): Random;
}

/** FNV-1a, then a murmur finaliser: turns labels into well-mixed 32-bit seeds. */
export function hashString(text: string, seed = 0x811c9dc5): number {
  let hash = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return mix32(hash);
}

export function mix32(value: number): number {
  let h = value >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** sfc32: 128 bits of state, fast, and good enough statistically for a load generator. */
export function createRandom(seed: number | string): Random {
  const base = typeof seed === 'number' ? mix32(seed ^ 0x9e3779b9) : hashString(seed);
  let a = base;
  let b = mix32(base + 1);
  let c = mix32(base + 2);
  let d = 1;
  const uint32 = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  // Warm up so that nearby seeds diverge immediately.
  for (let i = 0; i < 12; i++) uint32();

  const next = (): number => uint32() / 4294967296;
  let spareNormal: number | undefined;

  const random: Random = {
    next,
    uint32,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: (p) => next() < p,
    pick: (items) => {
      if (items.length === 0) throw new Error('Cannot pick from an empty list');
      return items[Math.floor(next() * items.length)]!;
    },
    weightedIndex: (weights) => {
      let total = 0;
      for (const weight of weights) total += weight;
      let target = next() * total;
      for (let i = 0; i < weights.length; i++) {
        target -= weights[i]!;
        if (target < 0) return i;
      }
      return weights.length - 1;
    },
    normal: (mean = 0, deviation = 1) => {
      if (spareNormal !== undefined) {
        const value = spareNormal;
        spareNormal = undefined;
        return mean + deviation * value;
      }
      const u = 1 - next(); // in (0, 1], so log() is finite
      const v = next();
      const radius = Math.sqrt(-2 * Math.log(u));
      spareNormal = radius * Math.sin(2 * Math.PI * v);
      return mean + deviation * radius * Math.cos(2 * Math.PI * v);
    },
    uuid: () => uuidFromWords(uint32(), uint32(), uint32(), uint32()),
    fork: (label) => createRandom(hashString(label, base)),
  };
  return random;
}

/** Formats 128 random bits as a UUID v4 (version and variant bits forced). */
export function uuidFromWords(w0: number, w1: number, w2: number, w3: number): string {
  const hex = (word: number) => (word >>> 0).toString(16).padStart(8, '0');
  const version = ((w1 & 0xffff0fff) | 0x00004000) >>> 0;
  const variant = ((w2 & 0x3fffffff) | 0x80000000) >>> 0;
  const s = hex(w0) + hex(version) + hex(variant) + hex(w3);
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20, 32)}`;
}

/**
 * A UUID v4 from the generator, salted with a timestamp. Why: two live runs with the same seed
 * would otherwise emit the same event_ids, which the backend rightly counts once. For the same
 * seed and the same timestamps the ids are still identical.
 */
export function timedUuid(random: Random, atMs: number): string {
  const low = atMs % 4294967296;
  const high = Math.floor(atMs / 4294967296);
  return uuidFromWords(
    random.uint32() ^ mix32(low),
    random.uint32() ^ mix32(high ^ 0x5bd1e995),
    random.uint32() ^ mix32(low ^ 0x27d4eb2f),
    random.uint32(),
  );
}

/** Samples indices from fixed weights in O(log n): precomputed CDF plus binary search. */
export interface WeightedSampler {
  readonly size: number;
  sample(random: Random): number;
  /** The probability of index `i`. */
  probability(i: number): number;
}

export function createWeightedSampler(weights: ArrayLike<number>): WeightedSampler {
  const cdf = new Float64Array(weights.length);
  let total = 0;
  for (let i = 0; i < weights.length; i++) {
    const weight = weights[i]!;
    if (!(weight >= 0)) throw new Error(`Weight ${i} must be a non-negative number, got ${weight}`);
    total += weight;
    cdf[i] = total;
  }
  if (!(total > 0)) throw new Error('At least one weight must be positive');
  return {
    size: weights.length,
    sample: (random) => {
      const target = random.next() * total;
      let low = 0;
      let high = cdf.length - 1;
      while (low < high) {
        const middle = (low + high) >>> 1;
        if (cdf[middle]! > target) high = middle;
        else low = middle + 1;
      }
      return low;
    },
    probability: (i) => (weights[i] ?? 0) / total,
  };
}

/** Zipf's law over ranks 0..n-1: rank k has weight 1 / (k + 1)^exponent. */
export function zipfWeights(n: number, exponent = 1): Float64Array {
  const weights = new Float64Array(n);
  for (let k = 0; k < n; k++) weights[k] = 1 / (k + 1) ** exponent;
  return weights;
}

export function createZipfSampler(n: number, exponent = 1): WeightedSampler {
  return createWeightedSampler(zipfWeights(n, exponent));
}

/** A Fisher–Yates shuffled copy. */
export function shuffled<T>(items: readonly T[], random: Random): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = random.int(0, i);
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}
