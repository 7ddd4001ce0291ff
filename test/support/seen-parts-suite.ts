/**
 * The open hour's seen part (src/use-cases/seen-parts.ts): a run of the day reads of the open hour only the files
 * listed since the run before, and stays exact, on the folder lake and on S3. Every case checks the day against
 * the day read whole, the reference charts and the counts made from the deliveries (expectExactDay), and that the
 * seen part was read (the files the run read) or, when it could not be, that the hour was read whole.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { windowStartingAt } from '../../src/domain/charts.ts';
import type { LakePlayRow } from '../../src/domain/lake-row.ts';
import { parsePartialManifest, partialManifestKey } from '../../src/domain/rollups.ts';
import type { ObjectStore } from '../../src/ports/object-store.ts';
import { compactHour } from '../../src/use-cases/compact-plays.ts';
import { listPlaysFiles } from '../../src/use-cases/list-plays-files.ts';
import { compactionPorts } from './compaction.ts';
import { at, deliveries, expectExactDay, play, writeDay, writePlays } from './day-rollups-suite.ts';
import type { LakeUnderTest } from './enrichment-suite.ts';

/** At 05:xx hours 0–4 are final (5 rollups: 10 files) and the day has kept their crossers and sums (2 files). */
const ROLLED_FILES = 10 + 2;
/** The seen part: its keys and probe files. */
const SEEN_FILES = 2;

export function describeSeenParts(name: string, makeLake: () => Promise<LakeUnderTest>): void {
  describe(`the open hour's seen part on ${name}`, () => {
    let under: LakeUnderTest;
    let lake: ObjectStore;
    beforeEach(async () => {
      under = await makeLake();
      lake = under.lake;
      await writeDay(lake);
      // Two runs: the first finds the crossers of the 5 rollups, the second reads them; both keep hour 5's part.
      await expectExactDay(lake, at(5, 30), deliveries);
      await expectExactDay(lake, at(5, 31), deliveries);
    });
    afterEach(async () => under.cleanup());

    const seenInputs = async () =>
      parsePartialManifest(await lake.get(partialManifestKey(at(5, 0))))?.inputs.plays.map(
        (file) => file.key,
      );
    const openHourFiles = async () =>
      (await listPlaysFiles(lake, windowStartingAt('hour', at(5, 0)))).map((file) => file.key).sort();

    it('reads only the files listed since the run before, and keeps them for the next', async () => {
      expect((await seenInputs())?.sort()).toEqual(await openHourFiles());
      const again = await expectExactDay(lake, at(5, 32), deliveries);
      expect(again.computed.files).toBe(ROLLED_FILES + SEEN_FILES);
      const later = [
        play(30, 5, 0, 60, { song_id: 'song-b', region: 'us' }),
        play(31, 5, 0, 61, { ms_played: 2_000 }),
        play(32, 5, 2, 60, { song_id: 'song-c', region: 'gb' }),
      ];
      await writePlays(lake, later);
      const next = await expectExactDay(lake, at(5, 33), [...deliveries, ...later]);
      expect(next.computed.files).toBe(ROLLED_FILES + SEEN_FILES + 2);
      expect((await seenInputs())?.sort()).toEqual(await openHourFiles());
    });

    it('is exact when a new file holds earlier deliveries than the seen part (a late file), and redeliveries of seen events', async () => {
      const late: LakePlayRow[] = [
        // Partition 0 before offset 40: event 7's first delivery is now this long one, event 8's this song-c one.
        play(7, 5, 0, 35, { ms_played: 50_000, song_id: 'song-b' }),
        play(8, 5, 0, 36, { song_id: 'song-c', region: 'us' }),
        // Seen events delivered again, later: duplicates. Event 6 is in hour 0's rollup and the seen part too.
        play(6, 5, 2, 70, { song_id: 'song-a' }),
        play(8, 5, 2, 71, { song_id: 'song-a' }),
        // Event 1 (hour 0's rollup) resent into the open hour, and event 33, new, short in its first delivery.
        play(1, 5, 1, 70, { song_id: 'song-b' }),
        play(33, 5, 1, 71, { ms_played: 3_000 }),
        play(33, 5, 1, 72),
      ];
      await writePlays(lake, late);
      const next = await expectExactDay(lake, at(5, 33), [...deliveries, ...late]);
      expect(next.computed.files).toBe(ROLLED_FILES + SEEN_FILES + 3);
      // And the next run reads the part it kept, with the same result.
      const again = await expectExactDay(lake, at(5, 34), [...deliveries, ...late]);
      expect(again.computed.files).toBe(ROLLED_FILES + SEEN_FILES);
    });

    it('is exact when the new files resend events of several rollups, one with an earlier source position', async () => {
      // The rollups' rows are fetched per keys file, each by the fingerprints found in it (hours 1–4 here).
      const resent: LakePlayRow[] = [
        // Event 9 (hours 1, 2 and 4): a later delivery, a duplicate of the day.
        play(9, 5, 1, 90, { song_id: 'song-c' }),
        // Event 12 (hour 2, partition 1): partition 0 comes first, so its first delivery is now this one.
        play(12, 5, 0, 8, { song_id: 'song-a', region: 'us' }),
        // Event 13 (hour 3, short in its first delivery): a long later delivery does not make it count.
        play(13, 5, 2, 90, { ms_played: 60_000 }),
        play(36, 5, 2, 91, { song_id: 'song-b', region: 'gb' }),
      ];
      await writePlays(lake, resent);
      const next = await expectExactDay(lake, at(5, 33), [...deliveries, ...resent]);
      expect(next.computed.files).toBe(ROLLED_FILES + SEEN_FILES + 3);
      const again = await expectExactDay(lake, at(5, 34), [...deliveries, ...resent]);
      expect(again.computed.files).toBe(ROLLED_FILES + SEEN_FILES);
    });

    it('reads the hour whole when a seen file was rewritten (a retried batch), then keeps the new files', async () => {
      // The same first offset, so the same key: a retry of partition 2's batch that fetched one record more.
      const retried = [play(8, 5, 2, 41, { song_id: 'song-b' }), play(34, 5, 2, 42, { region: 'us' })];
      await writePlays(lake, retried);
      const rows = [
        ...deliveries.filter((row) => !(row.source_partition === 2 && row.played_at === at(5).toISOString())),
        ...retried,
      ];
      const next = await expectExactDay(lake, at(5, 33), rows);
      expect(next.computed.files).toBe(ROLLED_FILES + 3);
      const again = await expectExactDay(lake, at(5, 34), rows);
      expect(again.computed.files).toBe(ROLLED_FILES + SEEN_FILES);
    });

    it('reads the hour whole after compaction replaced its files, and a file written after it is read from then on', async () => {
      await compactHour(
        at(5, 0),
        compactionPorts(lake, () => at(5, 32)),
      );
      const compacted = await openHourFiles();
      const next = await expectExactDay(lake, at(5, 33), deliveries);
      expect(next.computed.files).toBe(ROLLED_FILES + compacted.length);
      const after = [play(35, 5, 1, 80, { song_id: 'song-b' }), play(8, 5, 1, 81)];
      await writePlays(lake, after);
      const later = await expectExactDay(lake, at(5, 34), [...deliveries, ...after]);
      expect(later.computed.files).toBe(ROLLED_FILES + SEEN_FILES + 1);
    });
  });
}
