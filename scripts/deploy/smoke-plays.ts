import { randomBytes, randomUUID } from 'node:crypto';

/** A top-10 entry as GET /v1/charts answers it, reduced to what the smoke test checks. */
export interface ExpectedEntry {
  readonly rank: number;
  readonly song_id: string;
  readonly plays: number;
}

export interface SmokePlays {
  /** The body of one POST /v1/plays: valid plays, one too short to count, one invalid (last). */
  readonly events: readonly Record<string, unknown>[];
  readonly validEventIds: readonly string[];
  readonly invalidIndex: number;
  /** The expected top 10 of the hour per region and `global`, counted here, not by the system. */
  readonly expected: Readonly<Record<string, readonly ExpectedEntry[]>>;
}

const COUNTED_MS = 30_000;

/**
 * Plays for one past UTC hour, with a run id in every song id so that runs never share a chart entry:
 * in `us` song 01 is played 12 times, song 02 11 times ... song 12 once (only 01–10 chart); in `gb`
 * songs 12, 11 and 10 three, two and one times (so `global` adds up across regions); one short play
 * (not counted) and one event with an unknown region (rejected by ingest).
 */
export function smokePlays(hourStart: Date): SmokePlays {
  const run = randomBytes(4).toString('hex');
  const song = (n: number) => `smoke-${run}-song-${String(n).padStart(2, '0')}`;
  const plays: { song_id: string; region: string; ms_played: number }[] = [];
  for (let n = 1; n <= 12; n++)
    for (let i = 0; i < 13 - n; i++) plays.push({ song_id: song(n), region: 'us', ms_played: 95_000 });
  for (const [n, times] of [
    [12, 3],
    [11, 2],
    [10, 1],
  ] as const)
    for (let i = 0; i < times; i++) plays.push({ song_id: song(n), region: 'gb', ms_played: 61_000 });
  plays.push({ song_id: song(1), region: 'gb', ms_played: 12_000 });

  const events = plays.map((play, index) => ({
    event_id: randomUUID(),
    user_id: `smoke-user-${index % 7}`,
    ...play,
    played_at: new Date(hourStart.getTime() + ((index * 37_000) % 3_600_000)).toISOString(),
    device: 'smoke-test',
  }));
  const invalid = { ...events[0], event_id: randomUUID(), region: 'atlantis' };
  return {
    events: [...events, invalid],
    validEventIds: events.map((event) => event.event_id),
    invalidIndex: events.length,
    expected: expectedCharts(events),
  };
}

/** The chart rules of docs/contracts.md, counted plainly: ≥ 30 s, plays desc, song_id asc, top 10. */
function expectedCharts(
  events: readonly { song_id: string; region: string; ms_played: number }[],
): Record<string, ExpectedEntry[]> {
  const counts = new Map<string, Map<string, number>>();
  for (const event of events) {
    if (event.ms_played < COUNTED_MS) continue;
    for (const region of [event.region, 'global']) {
      const songs = counts.get(region) ?? new Map<string, number>();
      songs.set(event.song_id, (songs.get(event.song_id) ?? 0) + 1);
      counts.set(region, songs);
    }
  }
  return Object.fromEntries(
    [...counts].map(([region, songs]) => [
      region,
      [...songs]
        .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : a > b ? 1 : 0))
        .slice(0, 10)
        .map(([song_id, plays], index) => ({ rank: index + 1, song_id, plays })),
    ]),
  );
}
