import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // Each integration file starts its own PostgreSQL; two cores: keep parallelism modest.
    maxWorkers: 2,
  },
});
