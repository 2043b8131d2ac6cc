// The real-n8n lane (npm run test:n8n runs it through test/n8n/run.mjs, which prepares n8n and
// the installed package first). Not part of npm test: its files are *.lane.ts.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/n8n/**/*.lane.ts'],
    // n8n starts in a few seconds on a quiet machine and many times that on a busy one; these
    // limits only stop a hang, no verdict depends on speed.
    testTimeout: 600_000,
    hookTimeout: 600_000,
    fileParallelism: false,
    reporters: ['default', ['json', { outputFile: 'test-artifacts/n8n-vitest.json' }]],
  },
});
