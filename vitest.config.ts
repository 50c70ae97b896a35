import { defineConfig } from 'vitest/config';

// Unit tests sit beside the code (src/**/*.test.ts); integration, storage and browser
// tests live in test/. The global set-up starts the throwaway Ceph S3 engine when
// ZHILU_TEST_S3=ceph and builds nothing else.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // expect.poll waits on pages and queues; 1 s (vitest's default) is too short on a
    // loaded 2-core machine. Waiting longer never makes a wrong result pass.
    expect: { poll: { timeout: 15_000 } },
    pool: 'forks',
    maxWorkers: 2,
  },
});
