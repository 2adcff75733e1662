import { defineConfig } from 'vitest/config';

// Two projects: fast in-process unit tests, and integration tests that start real
// orchestrator/agent processes over loopback (they need `npm run build` first; `npm test` does it).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['*/src/**/*.test.ts', '*/test/unit/**/*.test.ts'],
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['*/test/integration/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 60_000,
          // Real processes on a 2-core machine: run integration files one at a time.
          poolOptions: { forks: { singleFork: true } },
        },
      },
    ],
  },
});
