import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    env: { POWERTOOLS_DEV: 'true', POWERTOOLS_METRICS_NAMESPACE: 'GenesysPacing', POWERTOOLS_SERVICE_NAME: 'pacing-controller', POWERTOOLS_LOG_LEVEL: 'ERROR' },
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
