/**
 * Where and when the simulated listeners listen: each region's time zone, population and genres, its busy
 * hours, and what makes its chart its own. createListenerPlayGenerator (model.ts) draws from these.
 */
import { type Genre, genres, type Song } from '../src/adapters/catalog/seeded-catalog.ts';
import { hashString, type Random, shuffled } from '../src/adapters/catalog/seeded-random.ts';

/** Approximate UTC offsets in minutes (no DST: the curve only needs to be roughly right). */
export const utcOffsetMinutes: Record<string, number> = {
  us: -300,
  gb: 0,
  de: 60,
  fr: 60,
  br: -180,
  mx: -360,
  jp: 540,
  in: 330,
};
/** Relative listener populations. */
export const listenerWeight: Record<string, number> = {
  us: 10,
  in: 7,
  br: 5,
  mx: 3,
  gb: 3,
  de: 3,
  fr: 2.5,
  jp: 3,
};
/** Genres each region over-indexes on; regions not listed get a few genres picked by seed. */
const favouriteGenres: Record<string, readonly Genre[]> = {
  us: ['country', 'hip-hop', 'r&b'],
  gb: ['indie', 'rock', 'electronic'],
  de: ['electronic', 'metal', 'rock'],
  fr: ['hip-hop', 'electronic', 'pop'],
  br: ['sertanejo', 'reggaeton', 'pop'],
  mx: ['reggaeton', 'pop', 'rock'],
  jp: ['j-pop', 'rock', 'electronic'],
  in: ['bollywood', 'pop', 'hip-hop'],
};
/** Genres that are mostly heard in one place: damped elsewhere. */
const localGenreHome: Partial<Record<Genre, readonly string[]>> = {
  sertanejo: ['br'],
  reggaeton: ['mx', 'br', 'us'],
  'j-pop': ['jp'],
  bollywood: ['in'],
};
/** Relative activity by local hour: quiet at night, busy in the evening. */
const activityByHour = [
  0.35, 0.22, 0.14, 0.1, 0.09, 0.12, 0.25, 0.45, 0.6, 0.62, 0.62, 0.65, 0.7, 0.68, 0.65, 0.66, 0.72, 0.82,
  0.92, 1, 1, 0.95, 0.8, 0.55,
];
/** Activity of a region at an instant, by its local hour (linear between hours). */
export function regionActivity(region: string, at: Date): number {
  const localMinutes = at.getTime() / 60_000 + (utcOffsetMinutes[region] ?? 0);
  const hour = (((localMinutes / 60) % 24) + 24) % 24;
  const before = Math.floor(hour);
  const weight = hour - before;
  return activityByHour[before]! * (1 - weight) + activityByHour[(before + 1) % 24]! * weight;
}

/** RFC 3339 in the region's local offset, e.g. `2026-11-27T22:05:00.000+09:00`. */
export function formatWithOffset(atMs: number, offsetMinutes: number): string {
  const local = new Date(atMs + offsetMinutes * 60_000).toISOString().slice(0, -1);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** How much more a song is played in one of its catalog home regions, and less elsewhere. */
export const HOME_REGION_BOOST = 4;
export const AWAY_FROM_HOME = 0.5;

export interface RegionTaste {
  favourites: readonly Genre[];
  boost(song: Song): number;
}

/** What makes a region's chart its own: favourite genres, local artists and a few local hits. */
export function regionTaste(region: string, regions: readonly string[], random: Random): RegionTaste {
  const favourites = favouriteGenres[region] ?? shuffled(genres, random).slice(0, 3);
  return {
    favourites,
    boost(song) {
      let factor = favourites.includes(song.genre as Genre) ? 2.5 : 1;
      if (song.home_regions) {
        // The catalog says where the song is heard (a generated catalog): that, and nothing invented.
        if (song.home_regions.length > 0)
          factor *= song.home_regions.includes(region) ? HOME_REGION_BOOST : AWAY_FROM_HOME;
      } else {
        const homes = localGenreHome[song.genre as Genre];
        if (homes && !homes.includes(region)) factor *= 0.15;
        // Each artist is local to one region (or none) by a hash of its name, stable across seeds' regions.
        const artistHash = hashString(song.artist);
        const home = artistHash % 5 < 2 ? regions[(artistHash >>> 8) % regions.length] : undefined;
        if (home !== undefined) factor *= home === region ? 3 : 0.6;
      }
      // A handful of local hits (boost is called once per song, in catalog order, so this is deterministic).
      if (random.chance(0.005)) factor *= 4;
      return factor;
    },
  };
}
