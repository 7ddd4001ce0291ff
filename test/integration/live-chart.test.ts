/**
 * The live chart on the embedded transport: each window's live chart counts exactly what the lake holds (repeats of
 * every kind, short plays, several regions, an event in two hours); the last live chart of each window is its
 * final chart from the lake; and after npm start is killed (SIGKILL) mid-stream and started again, no play counts
 * twice.
 */
import { describe } from 'vitest';
import { embeddedCommittedOffsets } from '../../devkit/embedded-transport.ts';
import { liveChartStories } from '../support/live-chart-story.ts';

describe('the live chart, embedded transport', () => {
  liveChartStories((dataDir) => ({
    env: {},
    committed: {
      lake: () => embeddedCommittedOffsets(dataDir),
      live: () => embeddedCommittedOffsets(dataDir, 'live-chart'),
    },
  }));
});
