import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Native modules (DuckDB) and child processes (PostgreSQL) are happier in forks than in threads.
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // `npm test` must never pass on an empty run.
    passWithNoTests: false,
    // Handlers log every batch at INFO; tests only want warnings and errors.
    env: { POWERTOOLS_LOG_LEVEL: 'WARN' },
    // CI also keeps a JSON report, from which .ci/run prints a plain "N passed, N failed" line.
    reporters: process.env.CI ? ['default', 'json'] : ['default'],
    outputFile: { json: '.vitest/report.json' },
    projects: [
      {
        extends: true,
        test: {
          name: 'local',
          include: ['test/**/*.test.ts'],
          exclude: ['test/integration/kafka/**', 'test/integration/deploy/**'],
        },
      },
      {
        // The Kafka tests share one broker and one of them stops it: they run last, one file at a time.
        extends: true,
        test: {
          name: 'kafka',
          include: ['test/integration/kafka/**/*.test.ts'],
          setupFiles: ['test/support/kafka-cleanup.ts'],
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
      {
        // The emulator deploy (TOP_SONGS_DEPLOY=1) bundles and deploys the whole app: alone, at the end.
        extends: true,
        test: {
          name: 'deploy',
          include: ['test/integration/deploy/**/*.test.ts'],
          fileParallelism: false,
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
