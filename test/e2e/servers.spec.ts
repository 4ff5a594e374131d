// Rooms over several Synap servers (docs/multi-server.md), as two users meet them: each room
// lives on the server the placement gives it, a stopped server is named with the rooms that
// wait for it while the others' rooms go on, a restarted (empty) one comes back with the reset
// notice, and a server added to one user's list moves a room there with its earlier messages
// shown above one "Moved here from …" line. Every server is a private stand-in of the test's
// mode, so stopping one disturbs no other test.
import type { Page } from '@playwright/test';
import { placeRoom } from '../../src/lib/servers/placement';
import {
  DELIVERY_TIMEOUT_MS,
  expect,
  fillSetup,
  listStreams,
  multiServerTest as test,
  paragraphTexts,
  publishedMessages,
  roomInfoValues,
  roomsNav,
  sendMessage,
  timeline,
  type ChatUser,
  type SynapMode,
  type Users,
} from './fixtures';

const delivered = { timeout: DELIVERY_TIMEOUT_MS };
const RESET_NOTICE = 'This room was reset by the server: its earlier history is gone';
const SPLIT_HINT = '(also on another server: someone uses another server list)';

// --- rooms and where they live ---------------------------------------------------------------

/** The first `${label}N` room id whose stream `accept`s (placement is known in advance). */
function pickRoom(prefix: string, label: string, accept: (stream: string) => boolean): string {
  for (let n = 0; n < 10_000; n += 1) {
    const id = `${label}${n}`;
    if (accept(`${prefix}${id}`)) return id;
  }
  throw new Error(`no room ${label}N fits`);
}

/** One room per server of `urls` (placed there), each also passing `accept` if given. */
function oneRoomPerServer(
  prefix: string,
  urls: string[],
  accept: (stream: string) => boolean = () => true,
): string[] {
  return urls.map((url, index) =>
    pickRoom(prefix, `s${index}-`, (stream) => placeRoom(stream, urls) === url && accept(stream)),
  );
}

// --- the screen ------------------------------------------------------------------------------

/** The status of the room on screen, in the header (the outage lines are statuses too). */
const roomStatus = (page: Page) => page.getByRole('banner').getByRole('status');

async function expectRoomLive(page: Page, mode: SynapMode, timeout = DELIVERY_TIMEOUT_MS) {
  await expect(roomStatus(page)).toHaveText(
    mode === 'socket' ? 'Live' : /^\s*Live · polling\s*Why\?\s*$/,
    { timeout },
  );
}

/** Joins a room, or selects it if joined already, through the rooms panel's form. */
async function openRoom(page: Page, id: string): Promise<void> {
  const field = roomsNav(page).getByLabel('Room name');
  await field.fill(id);
  await field.press('Enter');
  await expect(timeline(page, id)).toBeVisible();
  await expect(page).toHaveURL(new RegExp(`#/room/${id}$`));
}

const outageLines = (page: Page) => page.getByRole('alert').filter({ hasText: 'is not answering' });

const OUTAGE =
  /^(\S+) is not answering \((.+)\): the (rooms?) (#.+?) (waits?) for it\. Rooms on the other servers work as usual\.$/;

/**
 * The outage lines shown, each as "server: #a, #b" (rooms sorted), or as it reads if it is not
 * worded as it should be (then the comparison fails, showing it).
 */
async function outages(page: Page): Promise<string[]> {
  const texts = await outageLines(page).allTextContents();
  return texts.map((raw) => {
    const text = raw.replace(/\s+/g, ' ').trim();
    const match = OUTAGE.exec(text);
    if (!match) return `badly worded: ${text}`;
    const [, url, , noun, list, verb] = match;
    const rooms = (list ?? '').split(', ');
    const one = rooms.length === 1;
    if (noun !== (one ? 'room' : 'rooms') || verb !== (one ? 'waits' : 'wait')) {
      return `bad grammar: ${text}`;
    }
    return `${url}: ${rooms.sort().join(', ')}`;
  });
}

const outage = (url: string, rooms: string[]) =>
  `${url}: ${rooms
    .map((id) => `#${id}`)
    .sort()
    .join(', ')}`;

/** The Room info panel's "Server" row. */
const shownServer = async (page: Page) => (await roomInfoValues(page)).Server;

/**
 * A new user through the first-run form, with this server list, until the first room is live.
 * (Not `users.start`: its expectLive reads the one status of the page, and while a polling
 * server's WebSocket is being tried, the outage line is a status too.)
 */
async function startUser(
  users: Users,
  mode: SynapMode,
  name: string,
  urls: string[],
): Promise<ChatUser> {
  const user = await users.open(name);
  await fillSetup(user.page, { name, prefix: users.prefix, serverUrl: urls.join(', ') });
  await user.page.getByRole('button', { name: 'Start chatting' }).click();
  await expect(timeline(user.page, 'general')).toBeVisible();
  await expectRoomLive(user.page, mode);
  return user;
}

/** Alice and Bob with this server list, each having joined `rooms` (general comes first). */
async function startBoth(
  users: Users,
  mode: SynapMode,
  urls: string[],
  rooms: string[],
): Promise<{ alice: ChatUser; bob: ChatUser }> {
  const alice = await startUser(users, mode, 'Alice', urls);
  const bob = await startUser(users, mode, 'Bob', urls);
  await Promise.all(
    [alice, bob].map(async (user) => {
      for (const id of rooms) {
        await openRoom(user.page, id);
        await expectRoomLive(user.page, mode);
      }
    }),
  );
  return { alice, bob };
}

/** Both open the room; Alice writes, Bob sees it; Bob answers, Alice sees it. */
async function exchange(alice: ChatUser, bob: ChatUser, id: string, tag: string) {
  await openRoom(alice.page, id);
  await openRoom(bob.page, id);
  const fromAlice = `${tag} ${id}: from Alice`;
  const fromBob = `${tag} ${id}: from Bob`;
  await sendMessage(alice.page, fromAlice);
  await expect(timeline(bob.page, id).getByText(fromAlice, { exact: true })).toBeVisible(delivered);
  await sendMessage(bob.page, fromBob);
  await expect(timeline(alice.page, id).getByText(fromBob, { exact: true })).toBeVisible(delivered);
  return [
    ['Alice', fromAlice],
    ['Bob', fromBob],
  ];
}

/** The `message`s of a room's stream on a server, as [author, text]. */
async function storedMessages(stream: string, server: string): Promise<unknown[][]> {
  return (await publishedMessages(stream, server)).map((m) => [m.user_id, m.message]);
}

// --- the tests -------------------------------------------------------------------------------

test('three servers: each room lives on its server by the placement, both users chat in every one, Room info names the server @core', async ({
  users,
  privateSynaps,
  synapMode,
}) => {
  const urls = (await privateSynaps.start(3)).map((synap) => synap.url);
  const { prefix } = users;
  const owner = (id: string) => placeRoom(`${prefix}${id}`, urls);
  const rooms = ['general', ...oneRoomPerServer(prefix, urls)];
  for (const url of urls) expect(rooms.some((id) => owner(id) === url)).toBe(true);

  const { alice, bob } = await startBoth(users, synapMode, urls, rooms);
  const sent = new Map<string, unknown[][]>();
  for (const id of rooms) {
    sent.set(id, await exchange(alice, bob, id, 'hello'));
    // Room info names the room's server, for both.
    for (const user of [alice, bob]) {
      await expect.poll(() => shownServer(user.page), delivered).toBe(owner(id));
    }
  }

  // Each room's stream is on its own server, and only there, holding exactly its messages.
  for (const url of urls) {
    const streams = (await listStreams(url)).filter((stream) => stream.startsWith(prefix));
    const owned = rooms.filter((id) => owner(id) === url).map((id) => `${prefix}${id}`);
    expect(streams.sort(), `the streams on ${url}`).toEqual(owned.sort());
  }
  for (const id of rooms) {
    expect(await storedMessages(`${prefix}${id}`, owner(id))).toEqual(sent.get(id));
  }

  // One list for both users, nothing split, no server named as not answering.
  for (const user of [alice, bob]) {
    const nav = roomsNav(user.page);
    for (const id of rooms) {
      await expect(nav.getByRole('button', { name: `Leave ${id}`, exact: true })).toBeVisible();
    }
    await expect(nav.getByText(SPLIT_HINT)).toHaveCount(0);
    await expect(nav.getByText(/which does not own it/)).toHaveCount(0);
    await expect(outageLines(user.page)).toHaveCount(0);
  }
});

test('a server stops: it is named with the rooms that wait for it while the others chat on; restarted empty, its rooms come back with the reset notice @core', async ({
  users,
  privateSynaps,
  synapMode,
}) => {
  const synaps = await privateSynaps.start(3);
  const urls = synaps.map((synap) => synap.url);
  const { prefix } = users;
  const owner = (id: string) => placeRoom(`${prefix}${id}`, urls);
  const rooms = ['general', ...oneRoomPerServer(prefix, urls)];
  const { alice, bob } = await startBoth(users, synapMode, urls, rooms);

  const victim = synaps[0]!;
  const waiting = rooms.filter((id) => owner(id) === victim.url);
  const others = rooms.filter((id) => owner(id) !== victim.url);
  expect(waiting.length).toBeGreaterThan(0);
  // The victim's rooms have some history, which the restart will take away.
  for (const id of waiting) await exchange(alice, bob, id, 'before');
  await openRoom(alice.page, others[0]!);
  await openRoom(bob.page, others[0]!);

  await victim.stop();
  for (const user of [alice, bob]) {
    await expect.poll(() => outages(user.page), delivered).toEqual([outage(victim.url, waiting)]);
  }
  // The rooms of the two other servers work as usual, both ways, the line staying up.
  for (const id of others) {
    await exchange(alice, bob, id, 'meanwhile');
    await expectRoomLive(alice.page, synapMode);
    await expectRoomLive(bob.page, synapMode);
  }
  for (const user of [alice, bob]) {
    expect(await outages(user.page)).toEqual([outage(victim.url, waiting)]);
  }

  // Back, empty (as a real restart leaves it): every room of it is live again, and says that
  // its history is gone; the line goes away.
  await victim.restart();
  for (const user of [alice, bob]) {
    await expect.poll(() => outages(user.page), { timeout: 35_000 }).toEqual([]);
  }
  const after: unknown[][] = [];
  for (const id of waiting) {
    for (const user of [alice, bob]) {
      await openRoom(user.page, id);
      await expectRoomLive(user.page, synapMode, 35_000);
      await expect(user.page.getByText(RESET_NOTICE)).toBeVisible(delivered);
    }
    after.push(...(await exchange(alice, bob, id, 'after')));
    expect(await storedMessages(`${prefix}${id}`, victim.url)).toEqual(after.splice(0));
  }
  // The other servers' rooms were never reset.
  for (const id of others) {
    await openRoom(alice.page, id);
    await expectRoomLive(alice.page, synapMode);
    await expect(alice.page.getByText(RESET_NOTICE)).toHaveCount(0);
  }
});

test('a fourth server added to one list: a room that moves there keeps its earlier messages above one "Moved here from" line, new ones go to the new server, and the split is flagged @core', async ({
  users,
  privateSynaps,
  synapMode,
}) => {
  const urls4 = (await privateSynaps.start(4)).map((synap) => synap.url);
  const added = urls4[3]!;
  const urls3 = urls4.slice(0, 3);
  const { prefix } = users;
  const ownerBefore = (id: string) => placeRoom(`${prefix}${id}`, urls3);
  const ownerAfter = (id: string) => placeRoom(`${prefix}${id}`, urls4);
  // One room that moves to the added server, one per old server that stays where it is.
  const moved = pickRoom(prefix, 'moving-', (stream) => placeRoom(stream, urls4) === added);
  const staying = oneRoomPerServer(prefix, urls3, (stream) => placeRoom(stream, urls4) !== added);
  const rooms = ['general', moved, ...staying];
  const movedStream = `${prefix}${moved}`;
  const oldServer = ownerBefore(moved);

  const { alice, bob } = await startBoth(users, synapMode, urls3, rooms);
  const before = await exchange(alice, bob, moved, 'before');
  expect(await storedMessages(movedStream, oldServer)).toEqual(before);
  await expect.poll(() => shownServer(alice.page), delivered).toBe(oldServer);

  // Alice adds the fourth server in Settings (the same form as the first run's).
  const { page } = alice;
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Settings' })).toBeVisible();
  await page.getByLabel('Server URL').fill(urls4.join(', '));
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('heading', { name: 'Settings' })).toHaveCount(0);

  // Every room stays joined; the moved one is on the new server now.
  const nav = roomsNav(page);
  for (const id of rooms) {
    await expect(nav.getByRole('button', { name: `Leave ${id}`, exact: true })).toBeVisible();
  }
  await openRoom(page, moved);
  await expectRoomLive(page, synapMode);
  await expect.poll(() => shownServer(page), delivered).toBe(added);

  // The old server's messages, then exactly one line saying where they come from.
  const log = timeline(page, moved);
  const movedLine = log.getByText(/^Moved here from /);
  await expect(movedLine).toHaveCount(1, delivered);
  await expect(movedLine).toHaveText(
    `Moved here from ${oldServer}: the messages above are that server's`,
  );
  for (const [, text] of before) {
    await expect(log.getByText(String(text), { exact: true })).toHaveCount(1);
  }

  // A new message goes to the new server only, and shows below the line.
  const afterText = `after ${moved}: from Alice on ${added}`;
  await sendMessage(page, afterText);
  await expect(log.getByText(afterText, { exact: true })).toBeVisible();
  await expect(log.getByText('Sending…')).toHaveCount(0, delivered);
  expect(await storedMessages(movedStream, added)).toEqual([['Alice', afterText]]);
  expect(await storedMessages(movedStream, oldServer)).toEqual(before);
  const order = async () => {
    const lines = (await paragraphTexts(log)).map((text) => text.replace(/\s+/g, ' ').trim());
    const at = (start: string) => lines.findIndex((line) => line.startsWith(start));
    return [...before.map(([, text]) => at(String(text))), at('Moved here from '), at(afterText)];
  };
  await expect
    .poll(async () => {
      const indexes = await order();
      const sorted = indexes.every(
        (index, i) => index >= 0 && (i === 0 || index > indexes[i - 1]!),
      );
      return sorted ? 'in order' : `rows at ${indexes.join(', ')}`;
    })
    .toBe('in order');
  await expect(movedLine).toHaveCount(1);

  // Bob still has three servers: for him the room stays on the old one.
  await openRoom(bob.page, moved);
  await expect.poll(() => shownServer(bob.page), delivered).toBe(oldServer);

  // The old server still has the room, which it does not own under Alice's list: her room
  // list flags it, beside the joined room (and only there: the other rooms did not move).
  await nav.getByRole('button', { name: 'Refresh room list' }).click();
  const roomRow = (id: string) =>
    nav
      .getByRole('listitem')
      .filter({ has: page.getByRole('button', { name: `Leave ${id}`, exact: true }) });
  const flagged = rooms.filter((id) => ownerAfter(id) !== ownerBefore(id));
  expect(flagged).toContain(moved);
  for (const id of flagged) {
    await expect(roomRow(id).getByText(SPLIT_HINT)).toHaveCount(1, delivered);
    await expect(roomRow(id).locator('[title]').filter({ hasText: '⚠' })).toHaveAttribute(
      'title',
      `Also on ${ownerBefore(id)}, which does not own it: someone uses another server list`,
    );
  }
  await expect(nav.getByText(SPLIT_HINT)).toHaveCount(flagged.length);
  // Bob's list (three servers, the room where it always was) has nothing split.
  await roomsNav(bob.page).getByRole('button', { name: 'Refresh room list' }).click();
  await expect(roomsNav(bob.page).getByText(SPLIT_HINT)).toHaveCount(0);
});
