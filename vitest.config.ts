import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    globalSetup: ['tests/helpers/buildOnce.ts'],
    // Vitest's default (one fewer than the cores) runs one file at a time on CI's 2 cores; the command-line tests
    // spend much of their time waiting on their child process, so two at a time finish in about 70% of the time.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    testTimeout: 120_000,
    hookTimeout: 120_000,
    env: { TZ: 'UTC' },
  },
});
