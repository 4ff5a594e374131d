// Screenshots of the main screens at desktop and phone sizes, saved under
// test-results/screenshots/ for people to look at; plus the layout checks a person would make.
import type { Page } from '@playwright/test';
import {
  DELIVERY_TIMEOUT_MS,
  DESKTOP,
  PHONE,
  composer,
  expect,
  expectRoomInfoInStep,
  roomsNav,
  screenshotPath,
  sendButton,
  sendMessage,
  test,
  timeline,
} from './fixtures';

const delivered = { timeout: DELIVERY_TIMEOUT_MS };

/** Nothing wider than the screen: no sideways scrolling. */
async function expectNoHorizontalScroll(page: Page, screen: string): Promise<void> {
  // clientWidth, not innerWidth: a mobile browser widens its layout viewport to fit overflow.
  const widths = await page.evaluate(() => ({
    content: document.documentElement.scrollWidth,
    screen: document.documentElement.clientWidth,
  }));
  expect
    .soft(widths.content, `${screen}: page wider than the screen`)
    .toBeLessThanOrEqual(widths.screen);
}

async function shoot(page: Page, name: string, checkLayout = true): Promise<void> {
  if (checkLayout) await expectNoHorizontalScroll(page, name);
  await page.screenshot({ path: screenshotPath(name), animations: 'disabled', caret: 'hide' });
}

for (const [size, device] of [
  ['desktop', DESKTOP],
  ['phone', PHONE],
  ['dark-desktop', { ...DESKTOP, colorScheme: 'dark' }],
] as const) {
  test(`screenshots at ${size} size: first run, chat, typing, unread rooms`, async ({
    users,
    synapUrl,
  }) => {
    test.setTimeout(90_000);

    const visitor = await users.open('Visitor', device);
    await expect(visitor.page.getByRole('button', { name: 'Start chatting' })).toBeVisible();
    // The first-run form's fit is checked in layout.spec.ts (it overflows on phones: a known bug).
    await shoot(visitor.page, `${size}-1-first-run`, false);

    const alice = await users.start('Alice', { context: device });
    const bob = await users.start('Bob');
    const page = alice.page;
    const log = timeline(page);

    await sendMessage(page, 'Hi Bob! Did you see the release notes?');
    await expect(timeline(bob.page).getByText('release notes?')).toBeVisible(delivered);
    await sendMessage(bob.page, 'Yes: https://example.com/releases/2.0 looks great');
    await sendMessage(bob.page, 'The reconnect fix alone is worth it.');
    await expect(log.getByText('worth it.')).toBeVisible(delivered);
    const box = composer(page);
    await box.fill('Agreed.');
    await box.press('Shift+Enter');
    await box.pressSequentially('Shall we try it on staging tomorrow?');
    // On a touch keyboard Enter is a new line: the Send button sends.
    if (size === 'phone') await sendButton(page).click();
    else await box.press('Enter');
    await sendMessage(
      bob.page,
      'Sure. Here is the long build id so nobody has to ask: ' +
        'build-2025-11-24-a81f3c9e7d2b4a6f9e0c1d3b5a7f9e2c4d6b8a0f1e3c5d7b9',
    );
    await expect(log.getByText(/long build id/)).toBeVisible(delivered);
    await expect(log.getByText('Sending…')).toHaveCount(0);
    if (size !== 'phone') await expectRoomInfoInStep(page, `${users.prefix}general`, synapUrl);
    await shoot(page, `${size}-2-chat`);

    await composer(bob.page).pressSequentially('On my way', { delay: 20 });
    await expect(page.getByText('Bob is typing…')).toBeVisible(delivered);
    await shoot(page, `${size}-3-typing`);
    await composer(bob.page).fill('');

    // On a phone the rooms are behind the header's "Rooms" button.
    if (size === 'phone') await page.getByRole('button', { name: /^Rooms/ }).click();
    await page.getByLabel('Room name').fill('random');
    await page.getByRole('button', { name: 'Join', exact: true }).click();
    await expect(timeline(page, 'random')).toBeVisible();
    for (const n of [1, 2, 3]) await sendMessage(bob.page, `News ${n} in general`);
    if (size === 'phone') {
      // The rooms panel closes on joining; the header button carries the count.
      const toggle = page.getByRole('button', { name: 'Rooms (3)' });
      await expect(toggle).toBeVisible(delivered);
      await toggle.click();
    }
    await expect(roomsNav(page).getByRole('button', { name: 'general, 3 unread' })).toBeVisible(
      delivered,
    );
    await shoot(page, `${size}-4-rooms-unread`);

    if (size === 'phone') {
      // The room details panel, which the phone layout keeps behind a button.
      await page.getByRole('button', { name: /^Rooms/ }).click();
      await page.getByRole('button', { name: 'Room info' }).click();
      await expect(page.getByRole('heading', { name: 'Online — 1' })).toBeVisible();
      await shoot(page, `${size}-5-room-info`);
    }
  });
}
