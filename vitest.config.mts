import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx'],
    environment: 'node',
    globalSetup: ['test/buildCli.ts'],
    testTimeout: 20_000,
    env: { HERMES_LOG: 'warn' },
    hookTimeout: 20_000
  }
})
