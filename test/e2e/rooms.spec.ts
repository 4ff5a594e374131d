import type { Locator } from '@playwright/test';
import {
  DELIVERY_TIMEOUT_MS,
  expect,
  expectLive,
  roomsNav,
  sendMessage,
  test,
  timeline,
} from './fixtures';

const delivered = { timeout: DELIVERY_TIMEOUT_MS };

/** One "Leave …" button per joined room (the nav also lists rooms not joined yet). */
const joinedRooms = (nav: Locator) => nav.getByRole('button', { name: /^Leave / });

test('rooms: join a second room, unread counts for the other one, divider on return, leave', async ({
  users,
}) => {
  const alice = await users.start('Alice');
  const bob = await users.start('Bob');
  const nav = roomsNav(alice.page);
  await sendMessage(bob.page, 'before Alice left');
  await expect(timeline(alice.page).getByText('before Alice left')).toBeVisible(delivered);

  // A bad name is explained, and nothing is joined.
  const roomName = alice.page.getByLabel('Room name');
  await roomName.fill('not/a room');
  await alice.page.getByRole('button', { name: 'Join', exact: true }).click();
  await expect(
    alice.page.getByText('Room names cannot contain "/" or be "." or "..".'),
  ).toBeVisible();
  await expect(joinedRooms(nav)).toHaveCount(1);

  await roomName.fill('side');
  await alice.page.getByRole('button', { name: 'Join', exact: true }).click();
  await expect(timeline(alice.page, 'side')).toBeVisible();
  await expectLive(alice.page);
  await expect(alice.page).toHaveURL(/#\/room\/side$/);
  await expect(nav.getByRole('button', { name: 'side', exact: true })).toHaveAttribute(
    'aria-current',
    'page',
  );
  await expect(nav.getByRole('button', { name: 'general', exact: true })).not.toHaveAttribute(
    'aria-current',
    'page',
  );

  // Bob talks in general, which Alice is not looking at.
  for (const n of [1, 2, 3]) await sendMessage(bob.page, `unread ${n}`);
  const generalUnread = nav.getByRole('button', { name: 'general, 3 unread' });
  await expect(generalUnread).toBeVisible(delivered);
  await expect(generalUnread).toContainText('3');
  await expect(alice.page).toHaveTitle('(3) Synap Chat');
  // Her own room has none.
  await expect(nav.getByRole('button', { name: 'side', exact: true })).toBeVisible();

  // Opening general clears the count and marks where the new messages start.
  await generalUnread.click();
  const log = timeline(alice.page, 'general');
  await expect(log).toBeVisible();
  await expect(nav.getByRole('button', { name: 'general', exact: true })).toBeVisible();
  await expect(nav.getByRole('button', { name: /unread/ })).toHaveCount(0);
  await expect(alice.page).toHaveTitle('Synap Chat');
  const divider = log.getByRole('separator', { name: 'New messages' });
  await expect(divider).toBeVisible();
  await expect(log.getByText('unread 3', { exact: true })).toBeVisible();
  const y = async (text: string) =>
    (await log.getByText(text, { exact: true }).boundingBox())?.y ?? Number.NaN;
  const dividerY = (await divider.boundingBox())?.y ?? Number.NaN;
  expect(await y('before Alice left')).toBeLessThan(dividerY);
  expect(dividerY).toBeLessThan(await y('unread 1'));
  expect(await y('unread 1')).toBeLessThan(await y('unread 2'));
  expect(await y('unread 2')).toBeLessThan(await y('unread 3'));
  for (const n of [1, 2, 3]) await expect(log.getByText(`unread ${n}`)).toHaveCount(1);

  // Messages arriving while she looks at the room are read at once.
  await sendMessage(bob.page, 'seen live');
  await expect(log.getByText('seen live')).toBeVisible(delivered);
  await expect(nav.getByRole('button', { name: /unread/ })).toHaveCount(0);

  // Leaving a room removes it and shows another one.
  await nav.getByRole('button', { name: 'Leave side' }).click();
  await expect(nav.getByRole('button', { name: 'side', exact: true })).toHaveCount(0);
  await expect(log).toBeVisible();

  // The joined rooms survive a reload.
  await alice.page.reload();
  await expect(timeline(alice.page, 'general')).toBeVisible();
  await expect(joinedRooms(nav)).toHaveCount(1);
});

test('deep links: #/room/{id} joins and opens the room, on first run and later', async ({
  users,
}) => {
  // First run from a link: the form, then straight into the linked room.
  const dave = await users.start('Dave', { room: 'welcome' });
  await expect(dave.page.getByRole('heading', { name: '# welcome' })).toBeVisible();
  await expect(
    roomsNav(dave.page).getByRole('button', { name: 'welcome', exact: true }),
  ).toBeVisible();

  // Later, following a link while chatting joins that room too.
  const alice = await users.start('Alice');
  await alice.page.goto('./#/room/linked');
  await expect(timeline(alice.page, 'linked')).toBeVisible();
  await expectLive(alice.page);
  const nav = roomsNav(alice.page);
  await expect(nav.getByRole('button', { name: 'linked', exact: true })).toHaveAttribute(
    'aria-current',
    'page',
  );
  await expect(nav.getByRole('button', { name: 'general', exact: true })).toBeVisible();

  // A link to a room already joined just shows it.
  await alice.page.goto('./#/room/general');
  await expect(timeline(alice.page, 'general')).toBeVisible();
  await expect(joinedRooms(nav)).toHaveCount(2);

  // Rooms others made are offered for joining.
  await nav.getByRole('button', { name: 'Refresh room list' }).click();
  const offer = nav.getByRole('button', { name: 'Join welcome' });
  await expect(offer).toBeVisible(delivered);
  await offer.click();
  await expect(timeline(alice.page, 'welcome')).toBeVisible();
  await expect(timeline(alice.page, 'welcome').getByText('Dave joined')).toBeVisible(delivered);
});
