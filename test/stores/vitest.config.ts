// The store lane (npm run test:stores): one file per independent S3 server, each skipped when
// its build is not in the cache (scripts/stores/build.sh). Not part of `npm test`.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: new URL('../..', import.meta.url).pathname,
    include: ['test/stores/*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    // One server at a time: each is a real database on a 2-core machine.
    fileParallelism: false,
    maxWorkers: 1,
    sequence: { concurrent: false },
    reporters: ['default', ['json', { outputFile: 'test-artifacts/stores.json' }]],
  },
});
