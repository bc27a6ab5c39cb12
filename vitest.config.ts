import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    environment: 'node',
    pool: 'forks',
    // Generous: a timeout here only catches a hang. Speed is measured by the benchmarks, never by
    // tests, and these 2-core machines are shared (at load 20+ the oracle test takes ~90 s).
    testTimeout: 300_000,
    hookTimeout: 300_000,
  },
});
