import {
  type Genre,
  generateCatalog,
  genres,
  type Song,
  seededDurationMs,
} from '../src/adapters/catalog/seeded-catalog.ts';
import {
  createRandom,
  createWeightedSampler,
  type Random,
  shuffled,
  timedUuid,
  type WeightedSampler,
  zipfWeights,
} from '../src/adapters/catalog/seeded-random.ts';
import { defaultRegions } from '../src/domain/regions.ts';
import {
  formatWithOffset,
  listenerWeight,
  type RegionTaste,
  regionActivity,
  regionTaste,
  utcOffsetMinutes,
} from './world.ts';

/** A play as sent on the wire (snake_case, the ingest API's contract). */
export interface PlayPayload {
  event_id: string;
  user_id: string;
  song_id: string;
  region: string;
  played_at: string;
  ms_played: number;
  device?: string;
  session_id?: string;
}

export interface ListenerPlayGeneratorOptions {
  seed: number;
  /** Region codes plays are spread over; default `us gb de fr br mx jp in`. */
  regions?: readonly string[];
  /** The songs to play; default `generateCatalog({ seed: catalogSeed })`. */
  catalog?: readonly Song[];
  /** Seed of the default catalog; default `seed`. Set it to the seed the loaded catalog was generated with. */
  catalogSeed?: number;
  users?: number;
  /** Share of plays shorter than 30 s (skips, which charts ignore). */
  shortRate?: number;
  /** Zipf exponent of global song popularity. */
  popularitySkew?: number;
  /** Share of plays whose played_at carries the region's local offset instead of `Z` (both are valid RFC 3339). */
  localOffsetShare?: number;
}

export interface ListenerPlayGenerator {
  readonly regions: readonly string[];
  readonly catalog: readonly Song[];
  /** The next play, stamped at `at`. Deterministic: same options and same timestamps give the same plays. */
  playAt(at: Date): PlayPayload;
  plays(times: Iterable<Date>): Generator<PlayPayload>;
}

export const DEFAULT_SHORT_RATE = 0.2;
export const MIN_COUNTED_MS = 30_000;
const MAX_PLAY_MS = 6 * 60_000;
const SESSION_SLOTS_PER_REGION = 32;
const MEAN_SESSION_LENGTH = 8;

const devices = ['android', 'ios', 'web', 'desktop', 'smart-speaker', 'car'];
const deviceWeights = [38, 34, 10, 10, 5, 3];

interface User {
  id: string;
  region: number;
  genre: Genre;
  device: string;
}

interface Session {
  user: User;
  id: string;
  device: string | undefined;
  remaining: number;
}

/**
 * Plays of simulated listeners: each has a region, a favourite genre and a device, and listens in sessions;
 * a region plays more at its busy local hours; songs follow Zipf popularity, the region's taste and the
 * listener's genre. (bench/plays.ts's createIndependentPlayGenerator draws each play on its own instead.)
 */
export function createListenerPlayGenerator(options: ListenerPlayGeneratorOptions): ListenerPlayGenerator {
  const regions = [...(options.regions ?? defaultRegions)];
  if (regions.length === 0) throw new Error('At least one region is needed');
  const catalog = options.catalog ?? generateCatalog({ seed: options.catalogSeed ?? options.seed });
  if (catalog.length === 0) throw new Error('The catalog is empty');
  const shortRate = options.shortRate ?? DEFAULT_SHORT_RATE;
  const localOffsetShare = options.localOffsetShare ?? 0.2;
  const root = createRandom(options.seed);

  // Global popularity: the catalog ranked by Zipf's law, in the order of its popularity hints (a generated
  // catalog's), ties (every song of the seeded catalog, which has none) in a seeded order.
  const ranks = shuffled(
    catalog.map((_, i) => i),
    root.fork('popularity'),
  ).sort((a, b) => (catalog[b]!.popularity ?? 0) - (catalog[a]!.popularity ?? 0));
  const zipf = zipfWeights(catalog.length, options.popularitySkew ?? 0.8);
  const popularity = new Float64Array(catalog.length);
  ranks.forEach((songIndex, rank) => {
    popularity[songIndex] = zipf[rank]!;
  });

  const tastes = regions.map((region) => regionTaste(region, regions, root.fork(`taste:${region}`)));
  const regionSamplers = tastes.map((taste) =>
    createWeightedSampler(catalog.map((song, i) => popularity[i]! * taste.boost(song))),
  );
  const genreSamplers = new Map<string, { indices: number[]; sampler: WeightedSampler }>();
  for (const genre of genres) {
    const indices = catalog.flatMap((song, i) => (song.genre === genre ? [i] : []));
    if (indices.length > 0) {
      genreSamplers.set(genre, {
        indices,
        sampler: createWeightedSampler(indices.map((i) => popularity[i]!)),
      });
    }
  }

  const userCount = options.users ?? 20_000;
  if (!Number.isInteger(userCount) || userCount < 1) {
    throw new Error(`users must be a positive integer, got ${userCount}`);
  }
  const users = createUsers(userCount, regions, tastes, root.fork('users'));
  const usersByRegion = regions.map((_, r) => users.filter((user) => user.region === r));
  const slots: (Session | undefined)[][] = regions.map(() =>
    new Array(SESSION_SLOTS_PER_REGION).fill(undefined),
  );
  const random = root.fork('plays');

  const pickSong = (user: User, region: number): Song => {
    const byGenre = genreSamplers.get(user.genre);
    // Mostly what the region listens to, sometimes the user's own favourite genre.
    if (byGenre && random.chance(0.25)) return catalog[byGenre.indices[byGenre.sampler.sample(random)]!]!;
    return catalog[regionSamplers[region]!.sample(random)]!;
  };

  const playAt = (at: Date): PlayPayload => {
    const atMs = at.getTime();
    if (Number.isNaN(atMs)) throw new Error('playAt needs a valid date');
    const regionWeights = regions.map((code) => (listenerWeight[code] ?? 3) * regionActivity(code, at));
    let region = random.weightedIndex(regionWeights);
    if (usersByRegion[region]!.length === 0) region = users[0]!.region;

    const regionSlots = slots[region]!;
    const slot = random.int(0, regionSlots.length - 1);
    let session = regionSlots[slot];
    if (!session) {
      const user = random.pick(usersByRegion[region]!);
      session = {
        user,
        id: timedUuid(random, atMs),
        // Older clients send no device; the field is optional.
        device: random.chance(0.05)
          ? undefined
          : random.chance(0.8)
            ? user.device
            : devices[random.weightedIndex(deviceWeights)],
        remaining: 1 + Math.floor(-Math.log(1 - random.next()) * (MEAN_SESSION_LENGTH - 1)),
      };
      regionSlots[slot] = session;
    }
    session.remaining -= 1;
    if (session.remaining <= 0) regionSlots[slot] = undefined;

    const song = pickSong(session.user, region);
    const code = regions[region]!;
    const offset = utcOffsetMinutes[code];
    const playedAt =
      offset !== undefined && random.chance(localOffsetShare)
        ? formatWithOffset(atMs, offset)
        : at.toISOString();
    const payload: PlayPayload = {
      event_id: timedUuid(random, atMs),
      user_id: session.user.id,
      song_id: song.song_id,
      region: code,
      played_at: playedAt,
      ms_played: msPlayed(song, shortRate, random),
    };
    if (session.device !== undefined) payload.device = session.device;
    payload.session_id = session.id;
    return payload;
  };

  return {
    regions,
    catalog,
    playAt,
    *plays(times) {
      for (const at of times) yield playAt(at);
    },
  };
}

/** Skips are mostly very short; otherwise the song is played whole or stopped part-way. */
function msPlayed(song: Song, shortRate: number, random: Random): number {
  if (random.chance(shortRate)) return Math.floor(random.next() ** 1.5 * MIN_COUNTED_MS);
  // A song's length is a property of the song, not of the play.
  const length = song.duration_ms ?? seededDurationMs(song.song_id);
  const played = random.chance(0.7) ? length : random.int(MIN_COUNTED_MS, length);
  return Math.min(MAX_PLAY_MS, Math.max(MIN_COUNTED_MS, played));
}

function createUsers(
  count: number,
  regions: readonly string[],
  tastes: readonly RegionTaste[],
  random: Random,
): User[] {
  const weights = regions.map((code) => listenerWeight[code] ?? 3);
  const width = Math.max(6, String(count).length);
  return Array.from({ length: count }, (_, i) => {
    const region = random.weightedIndex(weights);
    const genre = random.chance(0.6) ? random.pick(tastes[region]!.favourites) : random.pick(genres);
    return {
      id: `user-${String(i + 1).padStart(width, '0')}`,
      region,
      genre,
      device: devices[random.weightedIndex(deviceWeights)]!,
    };
  });
}
