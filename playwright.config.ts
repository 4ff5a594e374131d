import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS, findChromium } from './test/e2e/chromium';
import {
  E2E_APP_PORT,
  E2E_APP_URL,
  E2E_SYNAP_BROKEN_PORT,
  E2E_SYNAP_BROKEN_URL,
  E2E_SYNAP_PORT,
  E2E_SYNAP_URL,
  type SynapModeOptions,
} from './test/e2e/servers';

export { E2E_APP_PORT, E2E_SYNAP_PORT };

/** Where the end-to-end build of the app goes (not dist/). */
/** Runs with their own E2E_PORT_OFFSET build and write into folders of their own too. */
const RUN_SUFFIX = process.env.E2E_PORT_OFFSET ? `-${process.env.E2E_PORT_OFFSET}` : '';
const E2E_APP_DIR = `test-results/e2e-app${RUN_SUFFIX}`;

/** The shared stand-in of one mode: `--websocket broken` behaves like Synap 1.3.1's binary. */
const standin = (port: number, url: string, websocket: 'working' | 'broken') => ({
  command: `npx tsx test/standin/cli.ts --port ${port} --test-controls --websocket ${websocket}`,
  url: `${url}/stream/list`,
  reuseExistingServer: false,
  timeout: 30_000,
});

export default defineConfig<SynapModeOptions>({
  testDir: 'test/e2e',
  outputDir: `test-results/e2e${RUN_SUFFIX}`,
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
  projects: [
    {
      // The whole suite, against a server whose stream WebSocket works.
      name: 'socket',
      use: { synapMode: 'socket' },
      grepInvert: /@polling-only/,
    },
    {
      // The core flows (tagged @core) again, against a server that answers every WebSocket
      // upgrade with HTTP 500, as the shipped Synap 1.3.1 does: the app polls REST instead.
      name: 'polling',
      use: { synapMode: 'polling' },
      grep: /@core|@polling-only/,
    },
  ],
  webServer: [
    standin(E2E_SYNAP_PORT, E2E_SYNAP_URL, 'working'),
    standin(E2E_SYNAP_BROKEN_PORT, E2E_SYNAP_BROKEN_URL, 'broken'),
    {
      // The built app, as people host it; its default server is the socket-mode stand-in.
      // Built into a directory of its own, so a `npm run build` meanwhile cannot replace it.
      command:
        `npx vite build --outDir ${E2E_APP_DIR} && ` +
        `npx vite preview --outDir ${E2E_APP_DIR} --port ${E2E_APP_PORT} --strictPort --host 127.0.0.1`,
      env: { SYNAP_URL: E2E_SYNAP_URL },
      url: E2E_APP_URL,
      reuseExistingServer: false,
      timeout: 180_000,
    },
  ],
});
