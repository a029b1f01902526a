import { defineConfig } from 'vitest/config';

// One runner for every workspace. Each test file runs in its own forked process because chDB allows
// only one data directory per process.
export default defineConfig({
  test: {
    include: ['*/src/**/*.test.ts', '*/test/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    pool: 'forks',
    isolate: true,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Under CI a JSON report is written too; .ci/run reads its totals for the closing line.
    reporters: process.env.CI ? ['default', 'json'] : ['default'],
    outputFile: { json: 'test-artifacts/vitest.json' },
  },
});
