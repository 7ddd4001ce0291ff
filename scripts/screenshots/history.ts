/**
 * A day and a bit of plays with a story, for the screenshots: the simulator's steady listening, plus songs that
 * climb (each mostly in one region), the leading song fading away, and one that drops out and comes back, so
 * every movement (up, down, same, NEW, RE-ENTRY) shows in the charts computed from them.
 */
import { randomUUID } from 'node:crypto';
import { createListenerPlayGenerator, type PlayPayload, type Song } from '../../simulator/index.ts';
import { regionActivity } from '../../simulator/world.ts';
import { createRandom } from '../../src/adapters/catalog/seeded-random.ts';

const HOUR = 3_600_000;

export interface HistoryPlan {
  readonly seed: number;
  readonly catalog: readonly Song[];
  /** The open hour: its plays fill only its first `openMinutes`. */
  readonly openHour: Date;
  readonly openMinutes: number;
  /** Hours of history before the open one. */
  readonly closedHours: number;
  /** Plays in a busy hour; quieter hours get fewer, following the regions' daily rhythm. */
  readonly busyHourPlays: number;
}

export interface History {
  /** Plays grouped by hour, oldest first; the last group is the open hour's. */
  readonly hours: { readonly start: Date; readonly plays: PlayPayload[] }[];
  /** The songs the story is about, for pictures that follow one. */
  readonly risers: readonly { readonly song: Song; readonly home: string }[];
}

const RISER_HOMES = ['us', 'br', 'gb'];

export function storyHistory(plan: HistoryPlan): History {
  const generator = createListenerPlayGenerator({ seed: plan.seed, catalog: plan.catalog });
  const random = createRandom(`story:${plan.seed}`);
  const starts = Array.from(
    { length: plan.closedHours + 1 },
    (_, index) => new Date(plan.openHour.getTime() - (plan.closedHours - index) * HOUR),
  );
  const base = starts.map((start, index) => {
    const span = index === plan.closedHours ? plan.openMinutes * 60_000 : HOUR;
    const busy = generator.regions.reduce((sum, region) => sum + regionActivity(region, start), 0);
    const count = Math.round(
      (plan.busyHourPlays * (0.35 + (0.65 * busy) / generator.regions.length) * span) / HOUR,
    );
    const times = Array.from(
      { length: count },
      () => start.getTime() + Math.floor(random.next() * span),
    ).sort((a, b) => a - b);
    return [...generator.plays(times.map((at) => new Date(at)))];
  });

  // Who leads, and who sits just outside the top 10, in the steady listening.
  const totals = new Map<string, number>();
  for (const play of base.flat()) totals.set(play.song_id, (totals.get(play.song_id) ?? 0) + 1);
  const ranked = [...totals].sort((a, b) => b[1] - a[1]).map(([songId]) => songId);
  const song = (songId: string) => plan.catalog.find((candidate) => candidate.song_id === songId) as Song;
  const leader = ranked[0] as string;
  const leaderShare = (totals.get(leader) ?? 0) / base.flat().length;
  const risers = RISER_HOMES.map((home, index) => ({ song: song(ranked[14 + index * 4] as string), home }));
  const returner = ranked[24] as string;

  const hours = starts.map((start, index) => {
    const span = index === plan.closedHours ? plan.openMinutes * 60_000 : HOUR;
    const progress = index / plan.closedHours;
    const volume = base[index]!.length;
    // The leader loses listeners as the day goes on.
    const plays = base[index]!.filter((play) => play.song_id !== leader || !random.chance(progress * 0.85));
    /** `share` of the hour's plays more for `songId`, most of them in `home` when it has one. */
    const extra = (songId: string, share: number, home: string | undefined) => {
      for (let n = 0; n < Math.round(volume * share); n++) {
        plays.push({
          event_id: randomUUID(),
          user_id: `fan-${random.int(0, 4000)}`,
          song_id: songId,
          region: home && random.chance(0.6) ? home : random.pick(generator.regions),
          played_at: new Date(start.getTime() + Math.floor(random.next() * span)).toISOString(),
          ms_played: random.int(45_000, 210_000),
        });
      }
    };
    // Each riser starts climbing some hours after the one before, and ends level with the leader's best.
    risers.forEach(({ song: riser, home }, order) => {
      const from = 0.2 + order * 0.2;
      if (progress > from) extra(riser.song_id, leaderShare * 1.1 * ((progress - from) / (1 - from)), home);
    });
    // The returner has a spell in the charts, drops out, and comes back for the last hours.
    if ((progress > 0.15 && progress < 0.35) || progress > 0.8) extra(returner, leaderShare * 0.5, undefined);
    return { start, plays };
  });
  return { hours, risers };
}
