/**
 * Traffic for the live chart's exactness tests: plays in two windows (hours), some short, from several regions,
 * and every kind of repeated event_id a chart must count once or not at all: the same event sent again (same
 * partition), sent again under another user (so another partition, read in another order), sent again with
 * another duration (short first then long, or the other way), and sent again with a played_at in the other
 * hour. What each window must chart is computed independently from where the deliveries landed
 * (expectedLiveCharts), by the reference implementation.
 */

import { type ReferenceChart, type ReferencePlay, referenceCharts } from '../../devkit/reference-charts.ts';
import { createRandom } from '../../src/adapters/catalog/seeded-random.ts';

export interface LivePlay extends ReferencePlay {
  readonly user_id: string;
}

export function liveTraffic(options: {
  readonly seed: number;
  readonly count: number;
  /** Plays fall in [from, to). */
  readonly from: Date;
  readonly to: Date;
  /** Between two windows (an hour's end), inside [from, to]: a repeat "in the other hour" crosses it. */
  readonly boundary: Date;
  readonly regions: readonly string[];
  readonly songs: number;
}): LivePlay[] {
  const random = createRandom(options.seed);
  const span = options.to.getTime() - options.from.getTime();
  const sent: LivePlay[] = [];
  const at = (ms: number) => new Date(options.from.getTime() + ms).toISOString();
  for (let i = 0; i < options.count; i++) {
    const earlier = sent.length > 0 ? sent[random.int(0, sent.length - 1)]! : undefined;
    const roll = random.next();
    if (earlier && roll < 0.1) {
      sent.push({ ...earlier });
    } else if (earlier && roll < 0.15) {
      sent.push({ ...earlier, user_id: `user-${random.int(0, 99)}` });
    } else if (earlier && roll < 0.2) {
      const ms_played = earlier.ms_played < 30_000 ? 60_000 : random.int(0, 29_999);
      sent.push({ ...earlier, ms_played, user_id: `user-${random.int(0, 99)}` });
    } else if (earlier && roll < 0.24) {
      // The other side of the boundary, when it has one (a boundary at an end of the span has none).
      const split = options.boundary.getTime() - options.from.getTime();
      const before = Date.parse(earlier.played_at) < options.boundary.getTime();
      const [low, high] = before ? [split, span] : [0, split];
      if (high > low) sent.push({ ...earlier, played_at: at(random.int(low, high - 1)) });
      else sent.push({ ...earlier });
    } else {
      sent.push({
        event_id: random.uuid(),
        user_id: `user-${random.int(0, 99)}`,
        song_id: `song-${String(random.int(1, options.songs)).padStart(3, '0')}`,
        region: random.pick(options.regions),
        played_at: at(random.int(0, span - 1)),
        ms_played: random.chance(0.25) ? random.int(0, 29_999) : random.int(30_000, 240_000),
      });
    }
  }
  return sent;
}

/** A delivery where it landed in the log: what the lake's rows say of each. */
export interface LandedPlay extends ReferencePlay {
  readonly source_partition: number;
  readonly source_offset: number;
}

/**
 * The charts of a window from the deliveries the lake holds: only those whose played_at is in it (the lake files
 * a play under its hour, and a window's chart reads its hours' files), in source order (partition, offset), which
 * is the order the chart query keeps an event_id's first delivery by.
 */
export function expectedLiveCharts(
  landed: readonly LandedPlay[],
  start: Date,
  end: Date,
): Map<string, ReferenceChart> {
  const inWindow = landed
    .filter((play) => {
      const time = Date.parse(play.played_at);
      return time >= start.getTime() && time < end.getTime();
    })
    .sort((a, b) => a.source_partition - b.source_partition || a.source_offset - b.source_offset);
  return referenceCharts(inWindow, start, end);
}
