/**
 * An independent implementation of the chart rules, written for the tests from the contract in
 * docs/contracts.md (not from the production query), to check the charts the system computes.
 */
export interface ReferencePlay {
  readonly event_id: string;
  readonly song_id: string;
  readonly region: string;
  readonly played_at: string;
  readonly ms_played: number;
}

export interface ReferenceChart {
  readonly eligible_plays: number;
  readonly entries: { rank: number; song_id: string; plays: number }[];
}

export function referenceCharts(
  deliveries: readonly ReferencePlay[],
  windowStart: Date,
  windowEnd: Date,
): Map<string, ReferenceChart> {
  const seen = new Set<string>();
  const counts = new Map<string, Map<string, number>>();
  const bump = (region: string, song: string) => {
    const songs = counts.get(region) ?? new Map<string, number>();
    songs.set(song, (songs.get(song) ?? 0) + 1);
    counts.set(region, songs);
  };
  for (const play of deliveries) {
    if (seen.has(play.event_id)) continue;
    seen.add(play.event_id);
    const at = Date.parse(play.played_at);
    if (at < windowStart.getTime() || at >= windowEnd.getTime() || play.ms_played < 30_000) continue;
    bump(play.region, play.song_id);
    bump('global', play.song_id);
  }
  const charts = new Map<string, ReferenceChart>();
  for (const [region, songs] of counts) {
    const sorted = [...songs].sort(([songA, playsA], [songB, playsB]) =>
      playsB !== playsA ? playsB - playsA : songA < songB ? -1 : songA > songB ? 1 : 0,
    );
    charts.set(region, {
      eligible_plays: [...songs.values()].reduce((sum, plays) => sum + plays, 0),
      entries: sorted.slice(0, 10).map(([song_id, plays], index) => ({ rank: index + 1, song_id, plays })),
    });
  }
  return charts;
}
