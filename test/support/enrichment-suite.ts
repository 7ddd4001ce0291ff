/**
 * Enrichment against a data lake store (src/use-cases/enrich-plays.ts with the DuckDB engine), run on the local
 * folder always and on a real S3-compatible server when one is set up. Expected rows are computed here, in
 * TypeScript (Intl for the local hour), not by DuckDB.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../devkit/temp-dir.ts';
import { writeCatalog } from '../../local/catalog.ts';
import { sqlString, withDuckDb } from '../../src/adapters/duckdb/duckdb.ts';
import { encodePlaysParquet } from '../../src/adapters/duckdb/plays-parquet.ts';
import { LocalFolderStore } from '../../src/adapters/object-store/local-folder.ts';
import { MIN_MS_PLAYED } from '../../src/domain/charts.ts';
import {
  type EnrichmentManifest,
  enrichedHourPrefix,
  enrichedManifestKey,
  parseManifest,
} from '../../src/domain/enriched.ts';
import { playsFileKey } from '../../src/domain/lake-layout.ts';
import type { LakePlayRow } from '../../src/domain/lake-row.ts';
import { regionTimeZones } from '../../src/domain/regions.ts';
import type { Song } from '../../src/domain/song.ts';
import type { ObjectStore } from '../../src/ports/object-store.ts';
import { enrichPlays } from '../../src/use-cases/enrich-plays.ts';
import { enrichmentEngine } from '../../src/wiring/enrichment.ts';

export interface LakeUnderTest {
  readonly lake: ObjectStore;
  readonly scratchDir: string;
  cleanup(): Promise<void>;
}

/** A folder lake in a temp dir of its own, which is also the scratch dir. */
export async function folderLakeUnderTest(label: string): Promise<LakeUnderTest> {
  const dir = await makeTempDir(label);
  return { lake: new LocalFolderStore(`${dir.path}/lake`), scratchDir: dir.path, cleanup: dir.remove };
}

const HOUR = new Date('2026-11-20T10:00:00.000Z');
const songs: Song[] = [
  { song_id: 'song-a', title: 'Água', artist: 'Ana', genre: 'sertanejo', language: 'pt' },
  { song_id: 'song-b', title: 'Bee', artist: 'Bo', genre: 'pop', language: 'en' },
];

let offset = 0;
const play = (over: Partial<LakePlayRow> & { event_id: string }): LakePlayRow => ({
  user_id: 'u1',
  song_id: 'song-a',
  region: 'br',
  played_at: '2026-11-20T10:15:00.000Z',
  ms_played: 45_000,
  source_topic: 'song-plays',
  source_partition: 0,
  source_offset: offset++,
  ...over,
});
const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

async function writePlays(
  lake: ObjectStore,
  partition: number,
  rows: LakePlayRow[],
  hour: Date = HOUR,
): Promise<string> {
  const key = playsFileKey(hour, {
    writer: 'lake-writer',
    topic: 'song-plays',
    partition,
    firstOffset: rows[0]!.source_offset,
  });
  await lake.put(key, await encodePlaysParquet(rows), 'application/vnd.apache.parquet');
  return key;
}

/** The hour's listener-local hour, by Intl rather than DuckDB. */
const localHour = (region: string, at: string) => {
  const zone = regionTimeZones[region];
  if (!zone) return null;
  return Number(
    new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', hourCycle: 'h23' }).format(
      new Date(at),
    ),
  );
};

/** What enrichment must make of these deliveries: each event_id's first delivery, joined, flagged. */
function expectedRows(deliveries: LakePlayRow[], catalog: Song[], version: string) {
  const first = new Map<string, LakePlayRow>();
  for (const row of [...deliveries].sort(
    (a, b) => a.source_partition - b.source_partition || a.source_offset - b.source_offset,
  )) {
    if (!first.has(row.event_id)) first.set(row.event_id, row);
  }
  return [...first.values()]
    .map((row) => {
      const song = catalog.find((candidate) => candidate.song_id === row.song_id);
      return {
        event_id: row.event_id,
        song_id: row.song_id,
        region: row.region,
        ms_played: row.ms_played,
        source_offset: row.source_offset,
        title: song?.title ?? null,
        artist: song?.artist ?? null,
        genre: song?.genre ?? null,
        language: song?.language ?? null,
        counted: row.ms_played >= MIN_MS_PLAYED,
        local_hour: localHour(row.region, row.played_at),
        catalog_version: version,
      };
    })
    .sort((a, b) => a.event_id.localeCompare(b.event_id));
}

async function manifestOf(lake: ObjectStore): Promise<EnrichmentManifest> {
  const manifest = parseManifest(await lake.get(enrichedManifestKey(HOUR)));
  if (!manifest) throw new Error('no manifest');
  return manifest;
}

async function enrichedRows(subject: LakeUnderTest) {
  const manifest = await manifestOf(subject.lake);
  const files = await subject.lake.localCopies(manifest.files, subject.scratchDir);
  return withDuckDb(async (connection) =>
    (
      await connection.runAndReadAll(
        `SELECT event_id, song_id, region, ms_played, source_offset::DOUBLE AS source_offset, title, artist, genre,
           language, counted, local_hour::INTEGER AS local_hour, catalog_version
         FROM read_parquet([${files.map(sqlString).join(', ')}]) ORDER BY event_id`,
      )
    ).getRowObjectsJS(),
  );
}

const catalogVersion = async (lake: ObjectStore) =>
  (await lake.list('catalog/versions/')).at(-1)?.split('/')[2] ?? '';

export function describeEnrichment(name: string, makeLake: () => Promise<LakeUnderTest>) {
  describe(`${name}: enrichment`, () => {
    let subject: LakeUnderTest;
    let lake: ObjectStore;
    beforeEach(async () => {
      subject = await makeLake();
      lake = subject.lake;
    });
    afterEach(async () => subject.cleanup());
    const clock = () => new Date('2026-11-20T11:20:00.000Z');
    const enrich = (request: Parameters<typeof enrichPlays>[0]) =>
      enrichPlays(request, { lake, clock, ...enrichmentEngine });

    it('joins the hour’s plays, each event_id once, with the catalog; short plays flagged, not dropped', async () => {
      await writeCatalog(lake, songs);
      const first = [
        play({ event_id: id(1), source_partition: 0 }),
        play({ event_id: id(2), ms_played: 29_999, region: 'jp', song_id: 'song-b' }),
        play({
          event_id: id(3),
          region: 'us',
          song_id: 'song-unknown',
          played_at: '2026-11-20T10:59:59.999Z',
        }),
      ];
      // A redelivery of id(1) on another partition, and a play in a region without a known time zone.
      const second = [
        play({ event_id: id(1), source_partition: 1, ms_played: 10 }),
        play({ event_id: id(4), source_partition: 1, region: 'zz', ms_played: 30_000 }),
      ];
      await writePlays(lake, 0, first);
      await writePlays(lake, 1, second);

      const result = await enrich({ period: 'hour', windowStart: HOUR });
      expect(result.enriched).toEqual([
        expect.objectContaining({
          hour: HOUR.toISOString(),
          reason: 'not enriched yet',
          rows: 4,
          counted: 3,
        }),
      ]);
      const version = await catalogVersion(lake);
      expect(await enrichedRows(subject)).toEqual(expectedRows([...first, ...second], songs, version));
      const manifest = await manifestOf(lake);
      expect(manifest.inputs.catalog_version).toBe(version);
      expect(manifest.inputs.plays.map((file) => file.key)).toEqual(
        (await lake.list('plays/')).filter((key) => key.endsWith('.parquet')),
      );
    });

    it('does nothing when the inputs did not change; rebuilds when plays arrive or the catalog changes', async () => {
      await writeCatalog(lake, songs);
      const early = [play({ event_id: id(10) }), play({ event_id: id(11), song_id: 'song-b' })];
      await writePlays(lake, 0, early);
      await enrich({ period: 'hour', windowStart: HOUR });
      const built = await manifestOf(lake);

      expect(await enrich({ period: 'hour', windowStart: HOUR })).toMatchObject({ enriched: [], current: 1 });
      expect(await manifestOf(lake)).toEqual(built);

      const late = [play({ event_id: id(12), source_partition: 2, song_id: 'song-b' })];
      await writePlays(lake, 2, late);
      const again = await enrich({ period: 'hour', windowStart: HOUR });
      expect(again.enriched).toEqual([
        expect.objectContaining({ reason: 'its plays files changed', rows: 3 }),
      ]);
      const rebuilt = await manifestOf(lake);
      expect(rebuilt.files).not.toEqual(built.files);
      // The build just replaced stays for readers of the previous manifest.
      expect(await lake.list(enrichedHourPrefix(HOUR))).toEqual(
        [...built.files, ...rebuilt.files, enrichedManifestKey(HOUR)].sort(),
      );

      const renamed = songs.map((song) => ({ ...song, title: `${song.title} (remix)` }));
      await writeCatalog(lake, renamed);
      const third = await enrich({ period: 'hour', windowStart: HOUR });
      expect(third.enriched).toEqual([expect.objectContaining({ reason: 'the catalog changed' })]);
      const latest = await manifestOf(lake);
      expect(await enrichedRows(subject)).toEqual(
        expectedRows([...early, ...late], renamed, await catalogVersion(lake)),
      );
      // Two builds back is gone.
      expect(await lake.list(enrichedHourPrefix(HOUR))).toEqual(
        [...rebuilt.files, ...latest.files, enrichedManifestKey(HOUR)].sort(),
      );
    });

    it('rebuilds an hour whose manifest names a file that is gone', async () => {
      await writePlays(lake, 0, [play({ event_id: id(20) })]);
      await enrich({ period: 'hour', windowStart: HOUR });
      const built = await manifestOf(lake);
      // No catalog: song columns and catalog_version are null.
      expect(await enrichedRows(subject)).toEqual([
        expect.objectContaining({
          event_id: id(20),
          title: null,
          genre: null,
          catalog_version: null,
          counted: true,
        }),
      ]);
      await lake.delete(built.files[0]!);
      const result = await enrich({ period: 'hour', windowStart: HOUR });
      expect(result.enriched).toEqual([expect.objectContaining({ reason: `${built.files[0]} is missing` })]);
      expect(await lake.list(built.files[0]!)).toEqual(built.files);
    });

    it('on the schedule, enriches the closed hours of the lookback, not the open hour', async () => {
      await writePlays(lake, 0, [play({ event_id: id(30) })]);
      const open = new Date('2026-11-20T11:00:00.000Z');
      await writePlays(lake, 0, [play({ event_id: id(31), played_at: '2026-11-20T11:05:00.000Z' })], open);
      const tooOld = new Date('2026-11-18T10:00:00.000Z');
      await writePlays(lake, 0, [play({ event_id: id(32), played_at: '2026-11-18T10:05:00.000Z' })], tooOld);
      const result = await enrich(undefined);
      expect(result.enriched.map((hour) => hour.hour)).toEqual([HOUR.toISOString()]);
      expect(await lake.list('enriched/')).toEqual(expect.arrayContaining([enrichedManifestKey(HOUR)]));
      expect(await lake.list(enrichedHourPrefix(open))).toEqual([]);
      expect(await lake.list(enrichedHourPrefix(tooOld))).toEqual([]);
      // The older hour is enriched on demand.
      await enrich({ period: 'day', windowStart: new Date('2026-11-18T00:00:00.000Z') });
      expect(await lake.list(enrichedManifestKey(tooOld))).toEqual([enrichedManifestKey(tooOld)]);
    });
  });
}
