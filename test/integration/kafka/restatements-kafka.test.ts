/**
 * Late data restates by itself with Kafka: ingest produces to a real broker, the lake-writer consumes it
 * (test/support/restatement-story.ts).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { kafkaBrokers, kafkaSkipped, testNamespace } from '../../../devkit/kafka.ts';
import { makeTempDir } from '../../../devkit/temp-dir.ts';
import { type LocalRuntime, startLocalRuntime } from '../../../local/runtime.ts';
import { windowContaining } from '../../../src/domain/charts.ts';
import { expectLatePlaysToRestate } from '../../support/restatement-story.ts';
import { clockPastGraceOf } from '../../support/test-clock.ts';

const regions = ['us', 'gb', 'de'];

describe.skipIf(kafkaSkipped())(
  'late plays with Kafka (KAFKA_BROKERS unset: start it with npm run stack:up -- kafka)',
  () => {
    let dir: Awaited<ReturnType<typeof makeTempDir>>;
    let runtime: LocalRuntime;

    beforeAll(async () => {
      dir = await makeTempDir('kafka-restatements');
      runtime = await startLocalRuntime({
        env: {
          TOP_SONGS_DATA_DIR: dir.path,
          PORT: '0',
          KAFKA_BROKERS: kafkaBrokers,
          TOP_SONGS_NAMESPACE: testNamespace('restate'),
          REGIONS: regions.join(','),
        },
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
    }, 300_000);
  },
);
