/**
 * The CDK app deployed for real to a LocalStack-compatible emulator (MiniStack, started natively), then used:
 * plays posted to the deployed ingest endpoint reach the Kinesis stream, the lake and the charts.
 * Slow (bundling, a cold emulator): runs when TOP_SONGS_DEPLOY=1, as in CI (`.ci/run`); `npm run deploy:local`
 * does the same by hand.
 */
import { join } from 'node:path';
import { CloudWatchClient, DescribeAlarmsCommand, GetDashboardCommand } from '@aws-sdk/client-cloudwatch';
import { describe, expect, it } from 'vitest';
import { makeTempDir } from '../../../devkit/temp-dir.ts';
import { deployToEmulator } from '../../../scripts/deploy/emulator-deploy.ts';
import { smokeTest } from '../../../scripts/deploy/smoke.ts';

const enabled = process.env.TOP_SONGS_DEPLOY === '1';

describe.skipIf(!enabled)('the CDK app on an emulator (TOP_SONGS_DEPLOY=1)', () => {
  it('deploys with the Kinesis transport and serves exact charts of plays posted to the deployed API', async () => {
    const dir = await makeTempDir('deploy');
    const deployed = await deployToEmulator({ outputsFile: join(dir.path, 'outputs.json') }).finally(
      dir.remove,
    );
    expect(deployed.outputs.Transport).toMatch(/^Kinesis: /);
    expect(deployed.outputs.KinesisStream).toBeTruthy();

    // The observability construct's alarms and dashboard exist in the emulator, as plain metric alarms.
    const dashboardName = deployed.outputs.DashboardName!;
    expect(dashboardName).toMatch(/^top-songs-[a-z0-9-]+$/);
    const cloudWatch = new CloudWatchClient({
      endpoint: deployed.endpoint,
      region: deployed.region,
      credentials: deployed.credentials,
    });
    const { MetricAlarms = [] } = await cloudWatch.send(
      new DescribeAlarmsCommand({ AlarmNamePrefix: `${dashboardName}-`, MaxRecords: 100 }),
    );
    expect(MetricAlarms.map((alarm) => alarm.AlarmName).sort()).toEqual(
      [
        'catalog-sync-failures',
        'chart-daily-failures',
        'chart-hourly-failures',
        'compact-failures',
        'dead-letter-counter-iterator-age',
        'dead-letters',
        'enrich-failures',
        'ingest5xx',
        'lake-writer-iterator-age',
        'live-chart-iterator-age',
      ].map((name) => `${dashboardName}-${name}`),
    );
    // Each alarm notifies the stack's alarm topic when it fires and when it clears.
    expect(deployed.outputs.AlarmTopicArn).toMatch(/^arn:aws:sns:/);
    for (const alarm of MetricAlarms) {
      expect([alarm.AlarmName, alarm.AlarmActions, alarm.OKActions]).toEqual([
        alarm.AlarmName,
        [deployed.outputs.AlarmTopicArn],
        [deployed.outputs.AlarmTopicArn],
      ]);
    }
    const ingestAlarm = MetricAlarms.find((alarm) => alarm.AlarmName === `${dashboardName}-ingest5xx`);
    expect([ingestAlarm?.MetricName, ingestAlarm?.Namespace]).toEqual([
      'api_server_errors',
      `TopSongs/${dashboardName.slice('top-songs-'.length)}`,
    ]);
    // GetDashboard, not ListDashboards: MiniStack 1.5.33 answers the latter with a LastModified the SDK refuses.
    const dashboard = await cloudWatch.send(new GetDashboardCommand({ DashboardName: dashboardName }));
    const widgets = (JSON.parse(dashboard.DashboardBody ?? '{}') as { widgets?: unknown[] }).widgets ?? [];
    expect(widgets.length).toBeGreaterThan(5);
    expect(dashboard.DashboardBody).toContain('"plays_accepted"');

    const report = await smokeTest(deployed.stack, { ...deployed, say: () => {} });
    // Written after the deploy by catalog-generate's trigger; without an OpenAI key, the seeded one.
    expect(report.catalog).toEqual({ source: 'seeded', model: null, songs: 2000 });
    // smoke-plays.ts: 85 valid plays (one under 30 s), one invalid; expectations spelled out by hand here.
    expect(report.accepted).toBe(85);
    expect(report.lakeRows).toBe(85);
    const song = (n: number) =>
      expect.stringMatching(new RegExp(`^smoke-[0-9a-f]{8}-song-${String(n).padStart(2, '0')}$`));
    const entries = (plays: number[], songs: number[]) =>
      plays.map((count, index) => ({ rank: index + 1, song_id: song(songs[index]!), plays: count }));
    expect(report.charts.us).toEqual({
      status: 'final',
      eligible_plays: 78,
      entries: entries([12, 11, 10, 9, 8, 7, 6, 5, 4, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]),
    });
    expect(report.charts.gb).toEqual({
      status: 'final',
      eligible_plays: 6,
      entries: entries([3, 2, 1], [12, 11, 10]),
    });
    // Songs 09–12 tie at 4 plays across regions; song_id order keeps 09 and 10.
    expect(report.charts.global).toEqual({
      status: 'final',
      eligible_plays: 84,
      entries: entries([12, 11, 10, 9, 8, 7, 6, 5, 4, 4], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]),
    });
  }, 1_200_000);
});
