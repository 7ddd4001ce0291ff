import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
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
  },
});
