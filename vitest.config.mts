import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx'],
    environment: 'node',
    // Two at once on two cores: most tests wait on child processes and sockets, not on the CPU.
    maxWorkers: 2,
    globalSetup: ['test/buildCli.ts'],
    testTimeout: 20_000,
    env: { HERMES_LOG: 'warn' },
    hookTimeout: 20_000
  }
})
