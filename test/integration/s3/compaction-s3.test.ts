/**
 * Compaction against a real S3-compatible server: the same guarantees as on a folder lake
 * (test/unit/use-cases/compact-plays.test.ts), where versions are ETags and files are downloaded to read.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSettings } from '../../../src/config/settings.ts';
import { parseCompactionManifest } from '../../../src/domain/compaction.ts';
import { compactionManifestKey, isWriterPlaysFile } from '../../../src/domain/lake-layout.ts';
import type { ObjectStore } from '../../../src/ports/object-store.ts';
import { compactHour } from '../../../src/use-cases/compact-plays.ts';
import { createDependencies } from '../../../src/wiring/dependencies.ts';
import {
  COMPACTION_HOUR,
  compactionPorts,
  duplicatesPerRegion,
  expectExactCharts,
  keysToRead,
  recordsOf,
  writeThroughLakeWriter,
  writeTrafficHour,
} from '../../support/compaction.ts';
import { deleteLakePrefix, s3Skipped, uniqueLakeUri } from './s3-lake.ts';

describe.skipIf(s3Skipped)(`compaction on an S3 lake (${s3Skipped ?? 'running'})`, () => {
  const lakeUri = uniqueLakeUri('compaction');
  let lake: ObjectStore;
  let now = new Date('2026-11-20T11:30:00Z');

  beforeAll(() => {
    lake = createDependencies(loadSettings({ ...process.env, LAKE_URI: lakeUri })).lake();
  });
  afterAll(async () => {
    await deleteLakePrefix(lakeUri);
  });

  it('keeps charts exact through compaction, a second run, a late file and its folding in', async () => {
    const first = await writeTrafficHour(lake, 1_200);
    await expectExactCharts(lake, first.deliveries);
    const compacted = await compactHour(
      COMPACTION_HOUR,
      compactionPorts(lake, () => now),
    );
    expect(compacted.status).toBe('compacted');
    await expectExactCharts(lake, first.deliveries);
    expect(
      await compactHour(
        COMPACTION_HOUR,
        compactionPorts(lake, () => now),
      ),
    ).toMatchObject({
      status: 'up to date',
    });

    const late = first.deliveries.slice(0, 50);
    await writeThroughLakeWriter(lake, recordsOf(late, first.nextOffsets), 50);
    const all = [...first.deliveries, ...late];
    await expectExactCharts(lake, all);
    now = new Date(now.getTime() + 15 * 60_000);
    const folded = await compactHour(
      COMPACTION_HOUR,
      compactionPorts(lake, () => now),
    );
    expect(folded).toMatchObject({ status: 'compacted', writer_files: 3 });
    const manifestKey = compactionManifestKey(COMPACTION_HOUR);
    const manifest = parseCompactionManifest(manifestKey, (await lake.get(manifestKey))!);
    expect(manifest.duplicates_removed).toEqual(duplicatesPerRegion(all));
    await expectExactCharts(lake, all);
    const keys = await keysToRead(lake);
    expect(keys.filter(isWriterPlaysFile)).toEqual([]);
  });
});
