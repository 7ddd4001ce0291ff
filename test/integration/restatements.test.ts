/**
 * Late data restates by itself on the embedded transport: the local runtime's ingest, embedded log, lake-writer,
 * chart jobs (as the schedule runs them) and charts API (test/support/restatement-story.ts).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { makeTempDir } from '../../devkit/temp-dir.ts';
import { type LocalRuntime, startLocalRuntime } from '../../local/runtime.ts';
import { windowContaining } from '../../src/domain/charts.ts';
import { expectLatePlaysToRestate } from '../support/restatement-story.ts';
import { clockPastGraceOf } from '../support/test-clock.ts';

const regions = ['us', 'gb', 'de'];

describe('late plays on the embedded transport', () => {
  let dir: Awaited<ReturnType<typeof makeTempDir>>;
  let runtime: LocalRuntime;

  beforeAll(async () => {
    dir = await makeTempDir('restatements');
    runtime = await startLocalRuntime({
      env: { TOP_SONGS_DATA_DIR: dir.path, PORT: '0', REGIONS: regions.join(',') },
      schedules: false,
      // Yesterday is closing for the first minutes after midnight: hold the clock past its grace.
      clock: clockPastGraceOf(() => windowContaining('day', new Date()).start),
    });
  });

  afterAll(async () => {
    await runtime?.stop();
    await dir?.remove();
  });

  it('restate the hour charted final hours ago and the day charted final yesterday, once each', async () => {
    await expectLatePlaysToRestate({ runtime, lakeDir: join(dir.path, 'lake'), regions });
  }, 240_000);
});
