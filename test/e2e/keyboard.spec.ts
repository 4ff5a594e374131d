// Everyday habits from other chat apps: drafts that stay, the keyboard shortcuts (rooms with
// Alt+↑/↓, the Ctrl/⌘+K switcher, ↑ to bring back the last message, Esc, "?"), and mentions
// of the user counted apart and highlighted.
import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import {
  DELIVERY_TIMEOUT_MS,
  DESKTOP,
  composer,
  expect,
  roomsNav,
  sendMessage,
  test,
  timeline,
} from './fixtures';

const delivered = { timeout: DELIVERY_TIMEOUT_MS };

async function joinRoom(page: Page, name: string): Promise<void> {
  const field = roomsNav(page).getByLabel('Room name');
  await field.fill(name);
  await field.press('Enter');
  await expect(timeline(page, name)).toBeVisible();
}

const switcher = (page: Page) => page.getByRole('dialog', { name: 'Go to a room' });
const help = (page: Page) => page.getByRole('dialog', { name: 'Keyboard shortcuts' });

test('drafts: each room keeps its unsent text across switches, Settings and a reload @core', async ({
  users,
}) => {
  const { page } = await users.start('Alice');
  await composer(page).fill('general, half written');
  await joinRoom(page, 'random');
  await expect(composer(page)).toHaveValue('');
  await composer(page).fill('random: line one\nline two');

  await roomsNav(page).getByRole('button', { name: 'general', exact: true }).click();
  await expect(timeline(page, 'general')).toBeVisible();
  await expect(composer(page)).toHaveValue('general, half written');

  // Settings, then Cancel: the chat comes back as it was.
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(composer(page)).toHaveValue('general, half written');

  await page.reload();
  await expect(timeline(page, 'general')).toBeVisible();
  await expect(composer(page)).toHaveValue('general, half written');
  await roomsNav(page).getByRole('button', { name: 'random', exact: true }).click();
  await expect(composer(page)).toHaveValue('random: line one\nline two');

  // Sending clears the draft, for good.
  await composer(page).press('Enter');
  await expect(composer(page)).toHaveValue('');
  await expect(timeline(page, 'random').getByText('random: line one')).toBeVisible();
  await page.reload();
  await expect(timeline(page, 'random')).toBeVisible();
  await expect(composer(page)).toHaveValue('');
});

test('keyboard: Alt+↑/↓ between rooms, Ctrl+K switcher, ↑ edits, Esc and "?" @core', async ({
  users,
}) => {
  const alice = await users.start('Alice');
  const bob = await users.start('Bob');
  const { page } = alice;
  // A room of the server that Alice has not joined, for the switcher.
  await joinRoom(bob.page, 'ops-room');
  await joinRoom(page, 'random');
  await expect(composer(page)).toBeFocused();

  // Alt+↑ and Alt+↓ go through the joined rooms, wrapping, with the focus in the message box.
  await composer(page).press('Alt+ArrowUp');
  await expect(timeline(page, 'general')).toBeVisible();
  await expect(composer(page)).toBeFocused();
  await page.keyboard.press('Alt+ArrowUp');
  await expect(timeline(page, 'random')).toBeVisible();
  await page.keyboard.press('Alt+ArrowDown');
  await expect(timeline(page, 'general')).toBeVisible();
  await expect(composer(page)).toBeFocused();

  // ↑ in the empty box edits the last message sent here (as in Slack, Discord and Element).
  await sendMessage(page, 'first try');
  await expect(timeline(page).getByText('first try')).toBeVisible();
  // Stored first: a message still on its way has no offset for an edit to name.
  await expect(timeline(page).getByText('Sending…')).toHaveCount(0, { timeout: 10_000 });
  await composer(page).press('ArrowUp');
  const editing = page.getByRole('textbox', { name: 'Edit message' });
  await expect(editing).toHaveValue('first try');
  await editing.press('End');
  await page.keyboard.type(', fixed');
  await editing.press('Enter');
  await expect(timeline(page).getByText('first try, fixed')).toBeVisible();
  await expect(timeline(page).getByText('first try', { exact: true })).toHaveCount(0);
  await expect(composer(page)).toHaveValue('');

  // Ctrl+K: a modal dialog to type a room's name in; Enter opens it.
  await composer(page).press('Control+k');
  await expect(switcher(page)).toBeVisible();
  const field = switcher(page).getByRole('combobox', { name: 'Room name' });
  await expect(field).toBeFocused();
  await page.keyboard.type('ran');
  await expect(switcher(page).getByRole('option')).toHaveCount(1);
  await page.keyboard.press('Enter');
  await expect(switcher(page)).toHaveCount(0);
  await expect(timeline(page, 'random')).toBeVisible();
  await expect(composer(page)).toBeFocused();

  // It lists the server's other rooms too (joining on Enter), and keeps the focus inside.
  await roomsNav(page).getByRole('button', { name: 'Refresh room list' }).click();
  await expect(roomsNav(page).getByRole('button', { name: 'Join ops-room' })).toBeVisible(
    delivered,
  );
  await composer(page).focus();
  await page.keyboard.press('Control+k');
  await page.keyboard.type('ops');
  await expect(switcher(page).getByRole('option', { name: 'ops-room, join' })).toBeVisible(
    delivered,
  );
  for (let i = 0; i < 4; i += 1) {
    await page.keyboard.press('Tab');
    const inside = await page.evaluate(
      () => document.activeElement?.closest('dialog') !== null && document.activeElement !== null,
    );
    expect(inside, 'the focus stays in the dialog').toBe(true);
  }
  await field.focus();
  await page.keyboard.press('Enter');
  await expect(timeline(page, 'ops-room')).toBeVisible();
  await expect(roomsNav(page).getByRole('button', { name: 'Leave ops-room' })).toBeVisible();

  // Esc closes the switcher and gives the focus back.
  await page.keyboard.press('Control+k');
  await expect(switcher(page)).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(switcher(page)).toHaveCount(0);
  await expect(composer(page)).toBeFocused();

  // "?" is a question mark in the message box, and the help outside it. (Typing right after
  // a dialog closed also proves the text goes in: see ChatKeys' unmountDialog.)
  await page.keyboard.type('?');
  await expect(composer(page)).toHaveValue('?');
  await expect(help(page)).toHaveCount(0);
  await composer(page).fill('');
  await timeline(page, 'ops-room').focus();
  await page.keyboard.press('?');
  await expect(help(page)).toBeVisible();
  await expect(help(page).getByText('Find a room and open it')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(help(page)).toHaveCount(0);
  // Back where it was: the timeline; Esc from there goes to the message box.
  await expect(timeline(page, 'ops-room')).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(composer(page)).toBeFocused();

  // The help has a visible way in too.
  await page.getByRole('button', { name: /Keyboard shortcuts/ }).click();
  await expect(help(page)).toBeVisible();
  await help(page).getByRole('button', { name: 'Close' }).click();
  await expect(help(page)).toHaveCount(0);
});

test('mentions: counted apart in the room list and highlighted in the message @core', async ({
  users,
}) => {
  const alice = await users.start('Alice');
  const bob = await users.start('Bob');
  const { page } = alice;
  await joinRoom(page, 'random');

  await sendMessage(bob.page, 'just chatting');
  await sendMessage(bob.page, 'hey @alice, can you look at this?');
  const nav = roomsNav(page);
  const general = nav.getByRole('button', { name: 'general, 2 unread, 1 mention' });
  await expect(general).toBeVisible(delivered);
  await expect(general).toContainText('@1');
  // The tab title tells mentions apart too.
  await expect(page).toHaveTitle('(@1) (2) Synap Chat');

  await general.click();
  const mark = timeline(page).locator('mark');
  await expect(mark).toHaveText('@alice');
  await expect(mark).toHaveCount(1);
  await expect(nav.getByRole('button', { name: 'general', exact: true })).toBeVisible();
});

test('notification level: a hint while notifications are off; else all / mentions / off, kept', async ({
  users,
}) => {
  const { page, context } = await users.start('Alice');
  const details = page.getByRole('complementary', { name: 'Room details' });
  await expect(details.getByText(/Desktop notifications are off/)).toBeVisible();
  await details.getByRole('button', { name: 'Open Settings' }).click();
  await expect(page.getByRole('heading', { name: 'Settings' })).toBeVisible();
  await page.getByRole('button', { name: 'Cancel' }).click();

  // Notifications on (as Settings leaves them: allowed by the browser, chosen by the user).
  await context.grantPermissions(['notifications']);
  await page.evaluate(() =>
    localStorage.setItem('synap-chat:notifications', JSON.stringify({ enabled: true })),
  );
  await page.reload();
  const group = details.getByRole('group', { name: 'Notify me in general about' });
  await expect(group.getByRole('radio', { name: 'All messages' })).toBeChecked();
  await group.getByRole('radio', { name: 'All messages' }).focus();
  await page.keyboard.press('ArrowDown');
  await expect(group.getByRole('radio', { name: 'Mentions only' })).toBeChecked();
  await page.reload();
  await expect(group.getByRole('radio', { name: 'Mentions only' })).toBeChecked();
});

/** The serious and critical axe violations on the page, by rule and element. */
async function seriousViolations(page: Page): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page }).analyze();
  return violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .flatMap((violation) =>
      violation.nodes.map((node) => `${violation.id}: ${node.target.join(' ')}`),
    );
}

for (const colorScheme of ['light', 'dark'] as const) {
  test(`axe: the room switcher, the shortcuts and the notification level (${colorScheme})`, async ({
    users,
  }) => {
    const { page, context } = await users.start('Alice', {
      context: { ...DESKTOP, colorScheme },
    });
    await context.grantPermissions(['notifications']);
    await page.evaluate(() =>
      localStorage.setItem('synap-chat:notifications', JSON.stringify({ enabled: true })),
    );
    await page.reload();
    await expect(page.getByRole('radio', { name: 'All messages' })).toBeChecked();
    expect(await seriousViolations(page), 'room with its notification level').toEqual([]);

    await composer(page).press('Control+k');
    await expect(switcher(page)).toBeVisible();
    expect(await seriousViolations(page), 'room switcher').toEqual([]);
    await page.keyboard.press('Escape');

    await timeline(page).focus();
    await page.keyboard.press('?');
    await expect(help(page)).toBeVisible();
    expect(await seriousViolations(page), 'shortcuts').toEqual([]);
  });
}
