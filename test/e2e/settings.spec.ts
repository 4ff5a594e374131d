// Settings as a user meets them: the focus lands in the first field, Esc and Cancel close,
// a new display name keeps the joined rooms (and their drafts), the theme is remembered, the
// desktop notifications switch asks the browser only when clicked and says when it cannot,
// and "Forget this device" leaves nothing behind. Plus the first-run form's server error,
// which goes away once the address (or key) it was about is edited.
import type { Page } from '@playwright/test';
import {
  SYNAP_URL,
  composer,
  expect,
  expectLive,
  roomsNav,
  sendMessage,
  test,
  timeline,
} from './fixtures';

const settingsButton = (page: Page) => page.getByRole('button', { name: 'Settings', exact: true });
const settingsHeading = (page: Page) => page.getByRole('heading', { name: 'Settings' });

async function openSettings(page: Page): Promise<void> {
  await settingsButton(page).click();
  await expect(settingsHeading(page)).toBeVisible();
}

async function joinRoom(page: Page, name: string): Promise<void> {
  const field = roomsNav(page).getByLabel('Room name');
  await field.fill(name);
  await field.press('Enter');
  await expect(timeline(page, name)).toBeVisible();
}

/** Every localStorage key of the app (they all start with synap-chat:). */
const appKeys = (page: Page) =>
  page.evaluate(() => Object.keys(localStorage).filter((key) => key.startsWith('synap-chat:')));

test('Settings: focus in the first field, Esc and Cancel close, a new name keeps the rooms and drafts @core', async ({
  users,
}) => {
  const { page } = await users.start('Alice');
  await joinRoom(page, 'second');
  await composer(page).fill('half a thought');

  await openSettings(page);
  await expect(page.getByLabel('Display name')).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(settingsHeading(page)).toHaveCount(0);
  await expect(timeline(page, 'second')).toBeVisible();
  await expect(composer(page)).toHaveValue('half a thought');

  await openSettings(page);
  await page.getByLabel('Display name').fill('Someone else');
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(settingsHeading(page)).toHaveCount(0);
  await expect(page.getByText('Signed in as Alice')).toBeVisible();

  // Only the display name changes: both rooms stay joined, the one on screen stays on screen,
  // and its draft follows the new name.
  await openSettings(page);
  await page.getByLabel('Display name').fill('Alicia');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('Signed in as Alicia')).toBeVisible();
  await expect(timeline(page, 'second')).toBeVisible();
  await expectLive(page);
  const nav = roomsNav(page);
  await expect(nav.getByRole('button', { name: 'general', exact: true })).toBeVisible();
  await expect(nav.getByRole('button', { name: 'second', exact: true })).toHaveAttribute(
    'aria-current',
    'page',
  );
  await expect(composer(page)).toHaveValue('half a thought');
  await sendMessage(page, 'now as Alicia');
  await expect(timeline(page, 'second').getByText('now as Alicia')).toBeVisible();

  // And across a reload.
  await page.reload();
  await expect(timeline(page, 'second')).toBeVisible();
  await expect(roomsNav(page).getByRole('button', { name: 'general', exact: true })).toBeVisible();
});

test('the theme follows the system until one is chosen, and the choice is remembered', async ({
  users,
}) => {
  const { page } = await users.start('Alice', { context: { colorScheme: 'dark' } });
  const background = () =>
    page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
  await expect.poll(background).toBe('rgb(18, 21, 27)');

  await openSettings(page);
  const themes = page.getByRole('group', { name: 'Theme' });
  await expect(themes.getByLabel('Follow the system')).toBeChecked();
  await themes.getByLabel('Light').check();
  await expect.poll(background).toBe('rgb(246, 247, 249)');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');

  await page.reload();
  await expect(timeline(page)).toBeVisible();
  await expect.poll(background).toBe('rgb(246, 247, 249)');

  await page.emulateMedia({ colorScheme: 'light' });
  await openSettings(page);
  await page.getByRole('group', { name: 'Theme' }).getByLabel('Dark').check();
  await expect.poll(background).toBe('rgb(18, 21, 27)');
  await page.getByRole('group', { name: 'Theme' }).getByLabel('Follow the system').check();
  await expect.poll(background).toBe('rgb(246, 247, 249)');
  await expect(page.locator('html')).not.toHaveAttribute('data-theme');
});

/**
 * An init script: a stand-in for the browser's Notification that answers `mode` when asked and
 * remembers when it was asked ('none': a browser without notifications).
 */
function fakeNotifications(mode: string): void {
  if (mode === 'none') {
    delete (window as { Notification?: unknown }).Notification;
    return;
  }
  const asked: number[] = [];
  // The browser remembers its answer across reloads.
  const remembered = 'fake-notification-permission';
  class FakeNotification {
    static get permission() {
      return sessionStorage.getItem(remembered) ?? 'default';
    }
    static requestPermission() {
      asked.push(Date.now());
      sessionStorage.setItem(remembered, mode);
      return Promise.resolve(mode);
    }
    onclick = null;
    close() {}
  }
  Object.defineProperty(window, 'Notification', { value: FakeNotification, configurable: true });
  Object.defineProperty(window, '__permissionAsked', { value: asked });
}

for (const answer of ['granted', 'denied', 'none'] as const) {
  test(`desktop notifications: opt-in, asked only on the click (browser answers ${answer})`, async ({
    users,
  }) => {
    const user = await users.open('Alice');
    await user.context.addInitScript(fakeNotifications, answer);
    const { page } = user;
    await page.reload();
    await page.getByLabel('Display name').fill('Alice');
    await page.getByLabel('Room prefix').fill(users.prefix);
    await page.getByRole('button', { name: 'Start chatting' }).click();
    await expect(timeline(page)).toBeVisible();

    await openSettings(page);
    const toggle = page.getByLabel('Desktop notifications');
    await expect(toggle).not.toBeChecked();
    const asked = () =>
      page.evaluate(() => (window as { __permissionAsked?: number[] }).__permissionAsked?.length);
    if (answer === 'none') {
      await expect(toggle).toBeDisabled();
      await expect(toggle).toHaveAccessibleDescription(/cannot show desktop notifications/);
      return;
    }
    expect(await asked()).toBe(0);
    await expect(toggle).toHaveAccessibleDescription(/asks the browser for permission/);
    await toggle.click();
    expect(await asked()).toBe(1);
    if (answer === 'granted') {
      await expect(toggle).toBeChecked();
      await expect(toggle).toHaveAccessibleDescription(/^On/);
      // Remembered, and off again with one click (without asking again).
      await page.keyboard.press('Escape');
      await page.reload();
      await openSettings(page);
      await expect(page.getByLabel('Desktop notifications')).toBeChecked();
      await page.getByLabel('Desktop notifications').click();
      await expect(page.getByLabel('Desktop notifications')).not.toBeChecked();
    } else {
      await expect(toggle).not.toBeChecked();
      await expect(toggle).toHaveAccessibleDescription(/blocks notifications/);
    }
  });
}

test('Forget this device: asks first, then removes everything and returns to the first-run form @core', async ({
  users,
}) => {
  const { page } = await users.start('Alice');
  await sendMessage(page, 'something sent');
  await composer(page).fill('a draft');
  await openSettings(page);
  await page.getByRole('group', { name: 'Theme' }).getByLabel('Dark').check();
  expect((await appKeys(page)).length).toBeGreaterThan(3);

  // Asked first; Esc (or Keep) answers no, and leaves Settings open.
  const forget = page.getByRole('button', { name: 'Forget this device…' });
  await forget.click();
  const keep = page.getByRole('button', { name: 'Keep' });
  await expect(keep).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(keep).toHaveCount(0);
  await expect(forget).toBeFocused();
  await expect(settingsHeading(page)).toBeVisible();

  await forget.click();
  await page.getByRole('button', { name: 'Forget this device', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Welcome to Synap Chat' })).toBeVisible();
  await expect(page.getByLabel('Display name')).toHaveValue('');
  await expect(page.getByLabel('Server URL')).toHaveValue(SYNAP_URL);
  await expect(page.getByLabel('Room prefix')).toHaveValue('chat-room-');
  await expect(page.locator('html')).not.toHaveAttribute('data-theme');
  expect(await appKeys(page)).toEqual([]);

  // Nothing comes back with a reload: still the first-run form.
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Welcome to Synap Chat' })).toBeVisible();
  expect(await appKeys(page)).toEqual([]);
});

test('the first-run form drops the last server error once the address or the key changes', async ({
  users,
}) => {
  const { page } = await users.open('Alice');
  await page.getByLabel('Display name').fill('Alice');
  await page.getByLabel('Room prefix').fill(users.prefix);
  const url = page.getByLabel('Server URL');
  await url.fill('http://127.0.0.1:9');
  await page.getByRole('button', { name: 'Start chatting' }).click();
  const alert = page.getByRole('alert');
  await expect(alert).toContainText('Cannot reach http://127.0.0.1:9');

  await url.press('End');
  await url.press('Backspace');
  await expect(alert).toHaveCount(0);
  // The same server again: its error is still true.
  await url.pressSequentially('9');
  await expect(alert).toContainText('Cannot reach http://127.0.0.1:9');
  await page.getByLabel('API key', { exact: true }).fill('a-key');
  await expect(alert).toHaveCount(0);

  await url.fill(SYNAP_URL);
  await page.getByLabel('API key', { exact: true }).fill('');
  await page.getByRole('button', { name: 'Start chatting' }).click();
  await expect(timeline(page)).toBeVisible();
  await expectLive(page, { mode: 'socket' });
});

test('Forget this device in one tab takes the other tabs back to the first-run form too', async ({
  users,
}) => {
  const { page, context } = await users.start('Alice');
  const other = await context.newPage();
  await other.goto('./');
  await expect(timeline(other)).toBeVisible();

  await openSettings(page);
  await page.getByRole('button', { name: 'Forget this device…' }).click();
  await page.getByRole('button', { name: 'Forget this device', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Welcome to Synap Chat' })).toBeVisible();
  await expect(other.getByRole('heading', { name: 'Welcome to Synap Chat' })).toBeVisible();
  // Give the other tab's timers (cursors, read markers, tails) the time to write, if they could.
  await other.waitForTimeout(1_500);
  expect(await appKeys(page)).toEqual([]);
});
