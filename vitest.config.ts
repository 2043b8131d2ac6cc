import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The store lane runs on its own (npm run test:stores, test/stores/vitest.config.ts).
    exclude: ['**/node_modules/**', 'test/stores/**'],
    globalSetup: ['test/support/globalSetup.ts'],
    // Generous: on a shared machine a real server can be many times slower than on a quiet one.
    // No verdict depends on speed; these only stop a test that hangs.
    testTimeout: 300_000,
    hookTimeout: 300_000,
    // Two cores: a few files at once keeps moto and the tests both busy without thrashing.
    maxWorkers: 3,
    reporters: ['default', ['json', { outputFile: 'test-artifacts/vitest.json' }]],
  },
});
