import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type LocalProcess, startLocalProcess } from '../../devkit/local-process.ts';
import { recentPlay } from '../../devkit/play-batches.ts';
import { postPlays } from '../../devkit/post-plays.ts';
import { makeTempDir, type TempDir } from '../../devkit/temp-dir.ts';
import { waitFor } from '../../devkit/wait-for.ts';
import { hasPlaysFile } from '../support/exact-pipeline.ts';

const HOOK = new URL('../support/loaded-packages-hook.ts', import.meta.url).pathname;

/** The clients of services that `npm start` on its defaults (embedded transport, folder lake) does not use. */
const UNUSED_CLIENTS = [
  '@platformatic/kafka',
  '@aws-sdk/client-kinesis',
  '@aws-sdk/client-s3',
  '@aws-sdk/client-sts',
];

/**
 * Every module a process loads stays in its heap for good: its source, its compiled code, what it built when
 * loaded. The clients of a Kafka, a Kinesis stream or an S3 lake, loaded by a runtime that uses none of them,
 * were a sixth of its memory and lengthened each of its major collections (docs/benchmarks.md, "What the
 * runtime loads"): they are imported only when the settings choose them.
 */
describe('npm start on its defaults', () => {
  let running: LocalProcess | undefined;
  let dataDir: TempDir | undefined;

  afterEach(async () => {
    await running?.stop('SIGTERM');
    await dataDir?.remove();
  });

  it('loads no client of a service it does not use, in any of its processes and threads', async () => {
    dataDir = await makeTempDir('footprint');
    const loaded = join(dataDir.path, 'loaded-packages.txt');
    running = await startLocalProcess(
      {
        TOP_SONGS_DATA_DIR: dataDir.path,
        NODE_OPTIONS: `--import=${HOOK}`,
        LOADED_PACKAGES_FILE: loaded,
      },
      ['--no-simulator'],
    );
    // Through the transport to the lake-writer's thread, a chart, and the connection checks of GET /health.
    expect((await postPlays(running, { events: [recentPlay()] })).status).toBe(202);
    await waitFor('the play in the lake', async () =>
      (await hasPlaysFile(join(dataDir!.path, 'lake'))) ? true : undefined,
    );
    expect((await fetch(`${running.url}/v1/charts?region=global&period=hour`)).status).toBeLessThan(500);
    expect((await fetch(`${running.url}/health`)).status).toBe(200);
    await running.stop('SIGTERM');

    const packages = new Set((await readFile(loaded, 'utf8')).split('\n').filter(Boolean));
    // The hook saw the process's packages: the ones it does use are there.
    expect(packages).toContain('pg');
    expect(packages).toContain('hyparquet-writer');
    expect(UNUSED_CLIENTS.filter((name) => packages.has(name))).toEqual([]);
  });
});
