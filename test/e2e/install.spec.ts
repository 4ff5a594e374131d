// Install and offline: the built app has a web app manifest and icons, and a service worker
// that keeps its shell, so a reload without a network still opens the app with its rooms,
// cached messages, drafts and unsent messages, saying it is offline. From file:// no worker
// registers and nothing complains.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Page } from '@playwright/test';
import {
  DELIVERY_TIMEOUT_MS,
  composer,
  connectionStatus,
  expect,
  expectLive,
  roomsNav,
  sendMessage,
  test,
  timeline,
} from './fixtures';
import { PNG_ICONS, PUBLIC_DIR, pngSize } from './install-icons';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const RUN_SUFFIX = process.env.E2E_PORT_OFFSET ? `-${process.env.E2E_PORT_OFFSET}` : '';
const BUILT_INDEX = path.join(ROOT, `test-results/e2e-app${RUN_SUFFIX}`, 'index.html');

/** Waits until the service worker is active and has the shell in its cache. */
async function shellCached(page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    const registration = await navigator.serviceWorker.ready;
    if (registration.active?.state !== 'activated') {
      await new Promise<void>((resolve) => {
        registration.active?.addEventListener('statechange', () => resolve());
      });
    }
    const keys = await caches.keys();
    const cached: string[] = [];
    for (const key of keys) {
      for (const request of await (await caches.open(key)).keys()) {
        cached.push(new URL(request.url).pathname);
      }
    }
    return cached.sort();
  });
}

test('the manifest and icons make the app installable', async ({ page, request }) => {
  const manifest = (await (await request.get('./manifest.webmanifest')).json()) as {
    name: string;
    start_url: string;
    display: string;
    icons: Array<{ src: string; sizes: string; type: string; purpose: string }>;
  };
  expect(manifest).toMatchObject({ name: 'Synap Chat', start_url: './', display: 'standalone' });
  expect(manifest.icons.map((icon) => icon.src)).toEqual([
    'icon.svg',
    ...PNG_ICONS.map((icon) => icon.file),
  ]);
  for (const icon of PNG_ICONS) {
    const served = await request.get(`./${icon.file}`);
    expect(served.headers()['content-type']).toBe('image/png');
    const data = Buffer.from(await served.body());
    expect(data.equals(readFileSync(path.join(PUBLIC_DIR, icon.file)))).toBe(true);
    expect(pngSize(data)).toEqual({ width: icon.size, height: icon.size });
    const listed = manifest.icons.find((entry) => entry.src === icon.file);
    expect(listed).toMatchObject({ sizes: `${icon.size}x${icon.size}`, type: 'image/png' });
    expect(listed?.purpose).toBe(icon.maskable ? 'maskable' : 'any');
  }

  // Chromium's own verdict, under the page's Content-Security-Policy.
  await page.goto('./');
  await expect(page.getByRole('button', { name: 'Start chatting' })).toBeVisible();
  await shellCached(page);
  const cdp = await page.context().newCDPSession(page);
  const manifestRead = (await cdp.send('Page.getAppManifest')) as { errors: unknown[] };
  expect(manifestRead.errors).toEqual([]);
  const installability = (await cdp.send('Page.getInstallabilityErrors')) as {
    installabilityErrors: Array<{ errorId: string }>;
  };
  // A test's browser context is a private one, where nothing is ever installable.
  const errors = installability.installabilityErrors.map((error) => error.errorId);
  expect(errors.filter((error) => error !== 'in-incognito')).toEqual([]);
});

test('offline: a reload opens the app from its cache with the rooms, messages, draft and unsent message @core', async ({
  users,
}) => {
  const { page, context } = await users.start('Alice');
  const nav = roomsNav(page);
  await nav.getByLabel('Room name').fill('second');
  await nav.getByLabel('Room name').press('Enter');
  await expect(timeline(page, 'second')).toBeVisible();
  await sendMessage(page, 'said in second');
  await nav.getByRole('button', { name: 'general', exact: true }).click();
  await sendMessage(page, 'said before going offline');
  await expect(timeline(page).getByText('said before going offline')).toBeVisible();
  await expect(timeline(page).getByText('Sending…')).toHaveCount(0);

  expect(await shellCached(page)).toEqual(
    expect.arrayContaining(['/', '/index.html', '/manifest.webmanifest', '/icon-192.png']),
  );

  await context.setOffline(true);
  await expect(connectionStatus(page)).toContainText('Offline');
  await sendMessage(page, 'written while offline');
  await expect(timeline(page).getByText('written while offline')).toBeVisible();
  await composer(page).fill('a draft, offline');

  await page.reload();
  await expect(timeline(page)).toBeVisible();
  await expect(connectionStatus(page)).toContainText('Offline');
  await expect(nav.getByRole('button', { name: 'second', exact: true })).toBeVisible();
  await expect(timeline(page).getByText('said before going offline')).toBeVisible();
  await expect(timeline(page).getByText('written while offline')).toBeVisible();
  await expect(composer(page)).toHaveValue('a draft, offline');
  expect(await page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);

  // Back online: the unsent message goes, once.
  await context.setOffline(false);
  await expectLive(page);
  await expect(timeline(page).getByText('written while offline')).toHaveCount(1);
  await expect(timeline(page).getByText('Sending…')).toHaveCount(0, {
    timeout: DELIVERY_TIMEOUT_MS,
  });
  await expect(timeline(page).getByText('Not sent')).toHaveCount(0);
});

test('from file:// no service worker registers, and the page has no errors', async ({
  browser,
}) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  try {
    await page.goto(pathToFileURL(BUILT_INDEX).href);
    await expect(page.getByRole('button', { name: 'Start chatting' })).toBeVisible();
    await page.waitForLoadState('load');
    // Give a registration (there must be none) the time to fail.
    await page.waitForTimeout(500);
    // There is nothing to ask: a file:// page cannot even list registrations.
    expect(await page.evaluate(() => location.protocol)).toBe('file:');
    expect(problems).toEqual([]);
  } finally {
    await context.close();
  }
});
