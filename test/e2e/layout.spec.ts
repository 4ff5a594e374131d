// Layout checks a person would make by eye: everything fits the screen, nothing scrolls sideways.
import type { Page } from '@playwright/test';
import {
  DESKTOP,
  PHONE,
  composer,
  expect,
  roomsNav,
  sendMessage,
  test,
  timeline,
} from './fixtures';

const SMALL_PHONE = { ...PHONE, viewport: { width: 320, height: 640 } };

/** Content width vs screen width (clientWidth: a mobile browser widens innerWidth to fit). */
async function widths(page: Page): Promise<{ content: number; screen: number }> {
  return page.evaluate(() => ({
    content: document.documentElement.scrollWidth,
    screen: document.documentElement.clientWidth,
  }));
}

for (const [size, device] of [
  ['desktop', DESKTOP],
  ['phone', PHONE],
  ['small phone', SMALL_PHONE],
] as const) {
  test(`first-run form fits a ${size} screen`, async ({ users }) => {
    const { page } = await users.open('Visitor', device);
    const card = page.getByRole('region', { name: 'Welcome to Synap Chat' });
    await expect(card).toBeVisible();
    const box = await card.boundingBox();
    const { content, screen } = await widths(page);
    expect(box?.x, 'card cut off on the left').toBeGreaterThanOrEqual(0);
    expect((box?.x ?? 0) + (box?.width ?? 0), 'card cut off on the right').toBeLessThanOrEqual(
      screen,
    );
    expect(content, 'page wider than the screen').toBeLessThanOrEqual(screen);
  });
}

test('chat screen fits a small phone, with the rooms and details panels', async ({ users }) => {
  const alice = await users.start('Alice', { context: SMALL_PHONE });
  const { page } = alice;
  await sendMessage(
    page,
    'A long unbroken token: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
  );
  await expect(timeline(page).getByText(/long unbroken token/)).toBeVisible();
  const fits = async (screenName: string) => {
    const { content, screen } = await widths(page);
    expect(content, `${screenName}: page wider than the screen`).toBeLessThanOrEqual(screen);
  };
  await fits('chat');
  // Every header control is on screen.
  for (const name of [/^Rooms/, 'Room info', 'Settings']) {
    const button = page.getByRole('banner').getByRole('button', { name });
    await expect(button).toBeInViewport({ ratio: 1 });
  }
  await expect(page.getByRole('status')).toBeInViewport({ ratio: 1 });
  await expect(page.getByRole('button', { name: 'Send', exact: true })).toBeInViewport({
    ratio: 1,
  });

  await page.getByRole('button', { name: /^Rooms/ }).click();
  await expect(roomsNav(page)).toBeVisible();
  await fits('rooms panel');
  await page.getByRole('button', { name: /^Rooms/ }).click();
  await page.getByRole('button', { name: 'Room info' }).click();
  await expect(page.getByRole('heading', { name: 'Online — 1' })).toBeVisible();
  await fits('details panel');

  // The panels close the usual ways, and only one is open at a time.
  await page.keyboard.press('Escape');
  await expect(page.getByRole('heading', { name: 'Online — 1' })).toBeHidden();
  await page.getByRole('button', { name: /^Rooms/ }).click();
  await expect(roomsNav(page)).toBeVisible();
  await page.getByRole('button', { name: 'Room info' }).click();
  await expect(roomsNav(page)).toBeHidden();
  await expect(page.getByRole('heading', { name: 'Online — 1' })).toBeVisible();
  await page.getByRole('button', { name: 'Close panel' }).click({ position: { x: 5, y: 200 } });
  await expect(page.getByRole('heading', { name: 'Online — 1' })).toBeHidden();
  await expect(composer(page)).toBeInViewport();
});

test('keyboard: a skip control leads from the top of the page to the message box', async ({
  users,
}) => {
  const alice = await users.start('Alice');
  const { page } = alice;
  await page.getByRole('button', { name: 'Room info' }).focus();
  const skip = page.getByRole('button', { name: 'Skip to message box' });
  await skip.focus();
  await expect(skip).toBeInViewport();
  await page.keyboard.press('Enter');
  await expect(composer(page)).toBeFocused();
  await page.keyboard.type('typed without the mouse');
  await page.keyboard.press('Enter');
  await expect(timeline(page).getByText('typed without the mouse')).toBeVisible();
});
