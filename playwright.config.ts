import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS, findChromium } from './test/e2e/chromium';

/** Ports of their own, so a running `npm run dev` does not get in the way. */
export const E2E_SYNAP_PORT = 15_561;
export const E2E_APP_PORT = 4_179;
const synapUrl = `http://127.0.0.1:${E2E_SYNAP_PORT}`;

export default defineConfig({
  testDir: 'test/e2e',
  outputDir: 'test-results/e2e',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 2,
  retries: 0,
  use: {
    baseURL: `http://127.0.0.1:${E2E_APP_PORT}/`,
    browserName: 'chromium',
    launchOptions: { executablePath: findChromium(), args: CHROMIUM_ARGS },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  webServer: [
    {
      command: `npx tsx test/standin/cli.ts --port ${E2E_SYNAP_PORT} --test-controls`,
      url: `${synapUrl}/stream/list`,
      reuseExistingServer: false,
      timeout: 30_000,
    },
    {
      // The built app, as people host it; its default server is the test stand-in.
      command: `npx vite build && npx vite preview --port ${E2E_APP_PORT} --strictPort --host 127.0.0.1`,
      env: { SYNAP_URL: synapUrl },
      url: `http://127.0.0.1:${E2E_APP_PORT}/`,
      reuseExistingServer: false,
      timeout: 180_000,
    },
  ],
});
