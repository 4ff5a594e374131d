// Layout checks a person would make by eye: everything fits the screen, nothing scrolls sideways.
import type { Locator, Page } from '@playwright/test';
import {
  DELIVERY_TIMEOUT_MS,
  DESKTOP,
  PHONE,
  composer,
  expect,
  messageData,
  publishViaRest,
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

async function box(locator: Locator) {
  const found = await locator.boundingBox();
  if (!found) throw new Error('not rendered');
  return found;
}

/** The shortest distance between two boxes, in px (0 when they touch or overlap). */
async function distance(a: Locator, b: Locator): Promise<number> {
  const [p, q] = [await box(a), await box(b)];
  const dx = Math.max(0, p.x - (q.x + q.width), q.x - (p.x + p.width));
  const dy = Math.max(0, p.y - (q.y + q.height), q.y - (p.y + p.height));
  return Math.hypot(dx, dy);
}

/** The timeline row whose message says `text`, and its bubble. */
function row(page: Page, text: string): { row: Locator; bubble: Locator } {
  const found = timeline(page).locator('[data-row]').filter({ hasText: text });
  return { row: found, bubble: found.locator('.bubble') };
}

for (const [size, device] of [
  ['small phone', SMALL_PHONE],
  ['desktop', DESKTOP],
] as const) {
  test(`${size}: "edited" stands right by its bubble, after a continuation too`, async ({
    users,
    synapUrl,
  }) => {
    const { page } = await users.start('Alice', { context: device });
    const stream = `${users.prefix}general`;
    await publishViaRest(stream, 'message', messageData('Bob', 'Lunch at noon?'), synapUrl);
    const target = await publishViaRest(
      stream,
      'message',
      messageData('Bob', 'or at one'),
      synapUrl,
    );
    const edit = { user_id: 'Bob', target, message: 'or at two', timestamp: Date.now() };
    await publishViaRest(stream, 'message_edited', JSON.stringify(edit), synapUrl);
    const edited = row(page, 'or at two');
    const marker = edited.row.getByRole('button', { name: /^edited/ });
    await expect(marker).toBeVisible({ timeout: DELIVERY_TIMEOUT_MS });
    expect(
      await distance(marker, edited.bubble),
      'gap between "edited" and its bubble',
    ).toBeLessThanOrEqual(8);
  });
}

test("small phone: a long message's bubble takes most of the timeline's width", async ({
  users,
  synapUrl,
}) => {
  const { page } = await users.start('Alice', { context: SMALL_PHONE });
  const text =
    'A message long enough to wrap over several lines of a small phone screen, as most do.';
  await publishViaRest(
    `${users.prefix}general`,
    'message',
    messageData('Bob', `${text} Bob`),
    synapUrl,
  );
  await sendMessage(page, `${text} Mine`);
  const log = await box(timeline(page));
  for (const bubble of [row(page, 'most do. Bob').bubble, row(page, 'most do. Mine').bubble]) {
    await expect(bubble).toBeVisible({ timeout: DELIVERY_TIMEOUT_MS });
    expect(
      (await box(bubble)).width / log.width,
      'bubble width / timeline width',
    ).toBeGreaterThanOrEqual(0.8);
  }
});

test('a 5,000-character message folds; "Show more" unfolds it and the rows below make room', async ({
  users,
  synapUrl,
}) => {
  const { page } = await users.start('Alice', { context: SMALL_PHONE });
  const stream = `${users.prefix}general`;
  const long = 'lorem ipsum dolor sit amet '.repeat(185);
  await publishViaRest(stream, 'message', messageData('Carol', long), synapUrl);
  await publishViaRest(stream, 'message', messageData('Bob', 'after the long one'), synapUrl);
  const folded = row(page, 'lorem ipsum');
  const next = row(page, 'after the long one');
  await expect(next.bubble).toBeVisible({ timeout: DELIVERY_TIMEOUT_MS });
  const log = await box(timeline(page));
  expect((await box(folded.bubble)).height, 'folded height').toBeLessThan(log.height / 2);

  await folded.row.getByRole('button', { name: 'Show more' }).click();
  const less = folded.row.getByRole('button', { name: 'Show less' });
  await expect(less).toBeVisible();
  expect((await box(folded.bubble)).height, 'unfolded height').toBeGreaterThan(log.height);
  // The virtualised timeline measured the row again: the next one moved down, not under it.
  await expect(async () => {
    const [unfolded, after] = [await box(folded.row), await box(next.row)];
    expect(after.y).toBeGreaterThanOrEqual(unfolded.y + unfolded.height - 1);
  }).toPass();

  await less.click();
  await expect(folded.row.getByRole('button', { name: 'Show more' })).toBeVisible();
  expect((await box(folded.bubble)).height, 'folded again').toBeLessThan(log.height / 2);
});
