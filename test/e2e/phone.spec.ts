// Phones (320–390 px, touch): the room's name stays in sight beside a long status, the side
// panels leave a strip of the room to tap (or Esc) to close them, Enter is a new line on a
// touch keyboard and the Send button sends, every control is at least 44 px, long names in
// the typing line end with an ellipsis and a join line's time stays in one piece.
import type { Locator, Page } from '@playwright/test';
import {
  DELIVERY_TIMEOUT_MS,
  PHONE,
  composer,
  expect,
  roomsNav,
  sendButton,
  test,
  timeline,
} from './fixtures';

const delivered = { timeout: DELIVERY_TIMEOUT_MS };
/** The smallest finger target WCAG 2.5.5 and the platforms' guidelines ask for. */
const MIN_TARGET_PX = 44;
const LONG_NAME = 'Bartholomew-Fortescue-Featherstonehaugh-of-Upper-Snoring';

const phone = (width: number) => ({ ...PHONE, viewport: { width, height: 640 } });

async function box(locator: Locator) {
  const found = await locator.boundingBox();
  if (!found) throw new Error('not rendered');
  return found;
}

async function expectTarget(locator: Locator, name: string): Promise<void> {
  const { width, height } = await box(locator);
  expect(Math.round(height), `${name}: height`).toBeGreaterThanOrEqual(MIN_TARGET_PX);
  expect(Math.round(width), `${name}: width`).toBeGreaterThanOrEqual(MIN_TARGET_PX);
}

const header = (page: Page) => page.getByRole('banner');
const roomsToggle = (page: Page) => header(page).getByRole('button', { name: /^Rooms/ });

for (const width of [320, 360]) {
  test(`phone ${width} px: panels close by a tap beside them or Esc; 44 px targets`, async ({
    users,
  }) => {
    const { page } = await users.start('Alice', { context: phone(width) });
    expect(await page.evaluate(() => matchMedia('(pointer: coarse)').matches)).toBe(true);

    for (const name of [/^Rooms/, 'Room info', 'Settings']) {
      await expectTarget(header(page).getByRole('button', { name }), `header ${String(name)}`);
    }
    await expectTarget(sendButton(page), 'Send');

    // The rooms panel: its controls are finger-sized, and a real strip of the room stays
    // beside it; a tap there closes it.
    await roomsToggle(page).click();
    const nav = roomsNav(page);
    await expect(nav).toBeVisible();
    await expectTarget(nav.getByRole('button', { name: 'general', exact: true }), 'room');
    await expectTarget(nav.getByRole('button', { name: 'Leave general' }), 'Leave');
    await expectTarget(nav.getByRole('button', { name: 'Refresh room list' }), 'Refresh');
    const panel = await box(page.getByRole('complementary').filter({ has: nav }));
    const strip = width - (panel.x + panel.width);
    expect(strip, 'room left beside the panel to tap').toBeGreaterThanOrEqual(64);
    await page.mouse.click(width - strip / 2, 400);
    await expect(nav).toBeHidden();

    // The details panel, the same way; Esc closes it and leaves the focus in the message box.
    await header(page).getByRole('button', { name: 'Room info' }).click();
    const details = page.getByRole('complementary', { name: 'Room details' });
    await expect(details).toBeVisible();
    const detailsBox = await box(details);
    expect(detailsBox.x, 'room left beside the details to tap').toBeGreaterThanOrEqual(64);
    const headerBox = await box(header(page));
    expect(detailsBox.y, 'the panel opens below the header').toBeGreaterThanOrEqual(
      Math.floor(headerBox.y + headerBox.height),
    );
    await page.keyboard.press('Escape');
    await expect(details).toBeHidden();
    await expect(composer(page)).toBeFocused();
  });
}

test('phone 320 px: the room name stays beside a long status', async ({ users, privateSynap }) => {
  const { page } = await users.start('Alice', {
    context: phone(320),
    serverUrl: privateSynap.url,
  });
  await privateSynap.stop();
  const status = page.getByRole('status');
  await expect(status).toContainText(/Reconnecting|Offline|Connecting/, delivered);
  const title = header(page).getByRole('heading', { level: 1 });
  await expect(title).toBeInViewport({ ratio: 1 });
  const titleBox = await box(title);
  const statusBox = await box(status);
  expect(titleBox.width, 'the name has room to be read').toBeGreaterThanOrEqual(60);
  const overlaps =
    titleBox.x < statusBox.x + statusBox.width &&
    statusBox.x < titleBox.x + titleBox.width &&
    titleBox.y < statusBox.y + statusBox.height &&
    statusBox.y < titleBox.y + titleBox.height;
  expect(overlaps, 'status drawn over the name').toBe(false);
  await expect(title).toHaveText('# general');
});

test('phone: Enter is a new line on a touch keyboard and the Send button sends', async ({
  users,
}) => {
  const { page } = await users.start('Alice', { context: phone(360) });
  const box = composer(page);
  await box.tap();
  await box.pressSequentially('first line');
  await box.press('Enter');
  await box.pressSequentially('second line');
  await expect(box).toHaveValue('first line\nsecond line');
  await expect(box).toHaveAttribute('enterkeyhint', 'enter');
  await sendButton(page).tap();
  await expect(box).toHaveValue('');
  await expect(timeline(page).getByText('first line second line')).toBeVisible();
});

test('phone: a long name is cut with an ellipsis while typing; a join line keeps its time whole', async ({
  users,
}) => {
  const alice = await users.start('Alice', { context: phone(320) });
  const long = await users.start(LONG_NAME);
  const { page } = alice;

  const joined = timeline(page)
    .getByRole('paragraph')
    .filter({ hasText: `${LONG_NAME} joined` });
  await expect(joined).toBeVisible(delivered);
  const time = joined.locator('time');
  const lines = await time.evaluate((element) => {
    const range = document.createRange();
    range.selectNodeContents(element);
    return new Set([...range.getClientRects()].map((rect) => Math.round(rect.top))).size;
  });
  expect(lines, 'the time breaks across lines').toBe(1);
  await expect(time).toBeInViewport({ ratio: 1 });

  await composer(long.page).pressSequentially('Typing a long story', { delay: 20 });
  const typing = page.getByText(/is typing…/);
  await expect(typing).toBeVisible(delivered);
  const name = typing.locator('bdi');
  const cut = await name.evaluate((element) => ({
    overflow: getComputedStyle(element).textOverflow,
    clipped: element.scrollWidth > element.clientWidth,
  }));
  expect(cut).toEqual({ overflow: 'ellipsis', clipped: true });
  // What follows the name is still on screen.
  const nameBox = await box(name);
  expect(nameBox.x + nameBox.width).toBeLessThan(320 - 40);
});
