// Finds a Chromium for Playwright without downloading one (the machines have no internet).
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';

const DEBIAN_CHROMIUM = '/usr/bin/chromium';

export function findChromium(): string {
  const candidates = [process.env.CHROME_PATH, safeBundledPath(), DEBIAN_CHROMIUM];
  for (const candidate of candidates) {
    if (candidate && existsSync(candidate)) return candidate;
  }
  throw new Error(
    'No Chromium found for the end-to-end tests. Install one with ' +
      '`sudo apt-get install -y chromium` (Debian/Ubuntu), or `npx playwright install chromium`, ' +
      'or point CHROME_PATH at a Chromium or Chrome binary.',
  );
}

function safeBundledPath(): string | undefined {
  try {
    return chromium.executablePath();
  } catch {
    return undefined;
  }
}

/** Headless flags for a root user on a machine with a closed network. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];
