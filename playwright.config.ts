import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS, findChromium } from './test/e2e/chromium';
import { E2E_APP_PORT, E2E_APP_URL, E2E_SYNAP_PORT, E2E_SYNAP_URL } from './test/e2e/servers';

export { E2E_APP_PORT, E2E_SYNAP_PORT };

export default defineConfig({
  testDir: 'test/e2e',
  outputDir: 'test-results/e2e',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  // Every test has its own room prefix (and the disruptive ones their own stand-in), so tests
  // of one file may run side by side.
  fullyParallel: true,
  workers: 2,
  retries: 0,
  use: {
    baseURL: E2E_APP_URL,
    browserName: 'chromium',
    launchOptions: { executablePath: findChromium(), args: CHROMIUM_ARGS },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  webServer: [
    {
      command: `npx tsx test/standin/cli.ts --port ${E2E_SYNAP_PORT} --test-controls`,
      url: `${E2E_SYNAP_URL}/stream/list`,
      reuseExistingServer: false,
      timeout: 30_000,
    },
    {
      // The built app, as people host it; its default server is the test stand-in.
      command: `npx vite build && npx vite preview --port ${E2E_APP_PORT} --strictPort --host 127.0.0.1`,
      env: { SYNAP_URL: E2E_SYNAP_URL },
      url: E2E_APP_URL,
      reuseExistingServer: false,
      timeout: 180_000,
    },
  ],
});
