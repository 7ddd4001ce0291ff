/**
 * Late data restates by itself on the embedded transport: the local runtime's ingest, embedded log, lake-writer,
 * chart jobs (as the schedule runs them) and charts API (test/support/restatement-story.ts).
 */
import { describe } from 'vitest';
import { lateDataRestates } from '../support/restatement-story.ts';

describe('late plays on the embedded transport', () => {
  lateDataRestates({ dirName: 'restatements', env: {}, timeoutMs: 240_000 });
});
