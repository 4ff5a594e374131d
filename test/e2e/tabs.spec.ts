// Several tabs of one user in one browser share one connection per room: one leader tab
// follows the room and relays it; the others show the same timeline, send through it, and
// take over when it closes. Runs against both kinds of server (socket and polling); tabs of the
// built page opened from disk (file://) share too.
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Page, WebSocket } from '@playwright/test';
import {
  DELIVERY_TIMEOUT_MS,
  DESKTOP,
  consumeAll,
  expect,
  expectLive,
  fillSetup,
  markedTexts,
  onlineList,
  roomsNav,
  seedDecodeRestEvent,
  sendMessage,
  test,
  timeline,
  type ChatUser,
} from './fixtures';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** The build playwright.config.ts made and serves (a folder of its own per E2E_PORT_OFFSET). */
const RUN_SUFFIX = process.env.E2E_PORT_OFFSET ? `-${process.env.E2E_PORT_OFFSET}` : '';
const BUILT_INDEX = path.join(ROOT, `test-results/e2e-app${RUN_SUFFIX}`, 'index.html');

const delivered = { timeout: DELIVERY_TIMEOUT_MS };

/** What one tab asks of the server to follow rooms: sockets open, polls and history reads. */
interface Traffic {
  sockets: Set<WebSocket>;
  consumes: number;
}

function watchTraffic(page: Page): Traffic {
  const traffic: Traffic = { sockets: new Set(), consumes: 0 };
  page.on('websocket', (socket) => {
    traffic.sockets.add(socket);
    socket.on('close', () => traffic.sockets.delete(socket));
  });
  page.on('request', (request) => {
    if (/\/stream\/[^/]+\/consume\//.test(request.url())) traffic.consumes += 1;
  });
  return traffic;
}

const following = (tab: { traffic: Traffic }) =>
  tab.traffic.consumes > 0 || tab.traffic.sockets.size > 0;

async function openTab(
  user: ChatUser,
  room = 'general',
): Promise<{ page: Page; traffic: Traffic }> {
  const page = await user.context.newPage();
  const traffic = watchTraffic(page);
  // Settings are saved in this browser: the chat opens at once.
  await page.goto(room === 'general' ? './' : `./#/room/${room}`);
  await expect(timeline(page, room)).toBeVisible();
  await expectLive(page);
  return { page, traffic };
}

test('three tabs of one user share one connection, show each message once and hand over when the leader closes @core', async ({
  users,
  synapMode,
}) => {
  const alice = await users.start('Alice');
  const tabs = [await openTab(alice), await openTab(alice)];
  // The first tab too, watched from its start.
  const first = { page: alice.page, traffic: watchTraffic(alice.page) };
  await alice.page.reload();
  await expectLive(alice.page);
  tabs.unshift(first);
  const bob = await users.start('Bob');
  const bobLog = timeline(bob.page);

  // Settled: count what each tab asks of the server from here.
  for (const tab of tabs) tab.traffic.consumes = 0;
  await sendMessage(bob.page, 'tabs 1 from Bob');
  for (const tab of tabs) {
    await expect(timeline(tab.page).getByText('tabs 1 from Bob', { exact: true })).toHaveCount(
      1,
      delivered,
    );
  }
  // One tab follows the room for all three: one socket, or one tab polling.
  const sockets = tabs.reduce((sum, tab) => sum + tab.traffic.sockets.size, 0);
  expect(sockets, 'sockets open in the three tabs').toBe(synapMode === 'socket' ? 1 : 0);
  expect(tabs.filter(following).length, 'tabs following the room').toBe(1);

  // A message from a tab that does not lead goes out once and shows in every tab.
  await sendMessage(tabs[2]!.page, 'tabs 2 from tab three');
  await expect(bobLog.getByText('tabs 2 from tab three', { exact: true })).toHaveCount(
    1,
    delivered,
  );
  for (const tab of tabs) {
    const log = timeline(tab.page);
    await expect
      .poll(() => markedTexts(log, 'tabs '), delivered)
      .toEqual(['tabs 1 from Bob', 'tabs 2 from tab three']);
    await expect(log.getByText('Sending…')).toHaveCount(0, delivered);
  }
  // One device: Bob saw Alice join once, not once per tab.
  await expect(bobLog.getByText('Alice joined')).toHaveCount(1);

  // The leader tab closes: another takes over, with nothing lost or doubled, and no goodbye.
  const leaderIndex = tabs.findIndex(following);
  const [leader] = tabs.splice(leaderIndex, 1);
  await leader!.page.close({ runBeforeUnload: true });
  await expectLive(tabs[0]!.page);
  await sendMessage(bob.page, 'tabs 3 from Bob');
  await sendMessage(tabs[0]!.page, 'tabs 4 after the handover');
  const all = ['tabs 1 from Bob', 'tabs 2 from tab three', 'tabs 3 from Bob'];
  for (const tab of tabs) {
    await expect
      .poll(() => markedTexts(timeline(tab.page), 'tabs '), delivered)
      .toEqual([...all, 'tabs 4 after the handover']);
  }
  await expect
    .poll(() => markedTexts(bobLog, 'tabs '), delivered)
    .toEqual([...all, 'tabs 4 after the handover']);
  await expect(bobLog.getByText('Alice left')).toHaveCount(0);
  await expect(onlineList(bob.page).getByText('Alice')).toBeVisible();

  // Closing one of the two that are left says nothing; closing the last says goodbye.
  await tabs[0]!.page.close({ runBeforeUnload: true });
  await sendMessage(bob.page, 'tabs 5 from Bob');
  await expect(timeline(tabs[1]!.page).getByText('tabs 5 from Bob')).toHaveCount(1, delivered);
  await expect(bobLog.getByText('Alice left')).toHaveCount(0);
  await tabs[1]!.page.close({ runBeforeUnload: true });
  await expect(bobLog.getByText('Alice left')).toHaveCount(1, delivered);
  await expect(bobLog.getByText('Alice joined')).toHaveCount(1);
});

test('a leader tab that goes without a word is replaced within seconds, and the user stays online @core', async ({
  users,
}) => {
  const alice = await users.start('Alice');
  const second = await openTab(alice);
  const bob = await users.start('Bob');
  const bobLog = timeline(bob.page);
  await sendMessage(bob.page, 'crash 1 from Bob');
  await expect(timeline(second.page).getByText('crash 1 from Bob')).toHaveCount(1, delivered);

  // The first tab leads (it took the lock first). It goes as a crash would: its page-closing
  // code never runs (no goodbye, no handover, no last cursor write); the browser frees its locks.
  await alice.page.evaluate(() => {
    for (const type of ['pagehide', 'visibilitychange', 'beforeunload', 'unload']) {
      window.addEventListener(type, (event) => event.stopImmediatePropagation(), true);
      document.addEventListener(type, (event) => event.stopImmediatePropagation(), true);
    }
  });
  await alice.page.close();
  await sendMessage(bob.page, 'crash 2 from Bob');
  await expect(timeline(second.page).getByText('crash 2 from Bob')).toHaveCount(1, {
    timeout: 5_000,
  });
  await sendMessage(second.page, 'crash 3 from the surviving tab');
  await expect(bobLog.getByText('crash 3 from the surviving tab')).toHaveCount(1, delivered);
  await expect
    .poll(() => markedTexts(timeline(second.page), 'crash '), delivered)
    .toEqual(['crash 1 from Bob', 'crash 2 from Bob', 'crash 3 from the surviving tab']);
  await expect(bobLog.getByText('Alice left')).toHaveCount(0);
});

test('unread counts agree across tabs: reading a room in one tab clears it in the others @core', async ({
  users,
}) => {
  const alice = await users.start('Alice');
  const roomName = alice.page.getByLabel('Room name');
  await roomName.fill('side');
  await roomName.press('Enter');
  await expect(timeline(alice.page, 'side')).toBeVisible();
  await expectLive(alice.page);
  const second = await openTab(alice, 'side');
  const bob = await users.start('Bob');

  for (const n of [1, 2, 3]) await sendMessage(bob.page, `unread ${n}`);
  for (const page of [alice.page, second.page]) {
    await expect(roomsNav(page).getByRole('button', { name: 'general, 3 unread' })).toBeVisible(
      delivered,
    );
  }
  // Read in the first tab: the second one counts it read too.
  await roomsNav(alice.page).getByRole('button', { name: 'general, 3 unread' }).click();
  await expect(timeline(alice.page).getByText('unread 3', { exact: true })).toBeVisible();
  await expect(roomsNav(second.page).getByRole('button', { name: /unread/ })).toHaveCount(0, {
    timeout: 5_000,
  });
  await expect(second.page).toHaveTitle('Synap Chat');
});

test('a reload is not news: others see no "left" and "joined" for it @core', async ({ users }) => {
  const alice = await users.start('Alice');
  const bob = await users.start('Bob');
  const aliceLog = timeline(alice.page);
  await expect(aliceLog.getByText('Bob joined')).toHaveCount(1, delivered);
  await bob.page.reload();
  await expect(timeline(bob.page)).toBeVisible();
  await expectLive(bob.page);
  await sendMessage(bob.page, 'reload 1 from Bob after his reload');
  await expect(aliceLog.getByText('reload 1 from Bob after his reload')).toBeVisible(delivered);
  await expect(aliceLog.getByText('Bob left')).toHaveCount(0);
  await expect(aliceLog.getByText('Bob joined')).toHaveCount(1);
  // Nor does Bob see his own reload.
  await expect(timeline(bob.page).getByText('Bob left')).toHaveCount(0);
});

test('a theme chosen in one tab applies in the other tabs at once', async ({ users }) => {
  const alice = await users.start('Alice');
  const second = await openTab(alice, 'general');
  await alice.page.getByRole('button', { name: 'Settings', exact: true }).click();
  await alice.page.getByRole('group', { name: 'Theme' }).getByLabel('Dark').check();
  const theme = (page: typeof second.page) =>
    page.evaluate(() => document.documentElement.dataset.theme ?? null);
  await expect.poll(() => theme(alice.page)).toBe('dark');
  await expect.poll(() => theme(second.page)).toBe('dark');
});

test('a room joined in one tab (a #/room/ link) is joined in the other tabs at once, and leaving it there leaves it everywhere', async ({
  users,
}) => {
  const alice = await users.start('Alice');
  const second = await openTab(alice);
  const bob = await users.start('Bob', { room: 'side' });
  const bobLog = timeline(bob.page, 'side');

  // A link to the room followed in the first tab.
  await alice.page.evaluate(() => (location.hash = '#/room/side'));
  await expect(timeline(alice.page, 'side')).toBeVisible();
  await expectLive(alice.page);
  // The second tab lists it among its rooms (not under "On this server – Join"), and stays
  // where its reader is.
  const nav = roomsNav(second.page);
  await expect(nav.getByRole('button', { name: 'Leave side' })).toBeVisible();
  await expect(nav.getByRole('button', { name: 'Join side' })).toHaveCount(0);
  await expect(timeline(second.page)).toBeVisible();
  await sendMessage(bob.page, 'side 1 from Bob');
  await nav.getByRole('button', { name: /^side/ }).click();
  await expect(timeline(second.page, 'side').getByText('side 1 from Bob')).toBeVisible(delivered);
  await expect(bobLog.getByText('Alice joined')).toHaveCount(1);

  // Left in the first tab: left in the second too, and the device says so once.
  await roomsNav(alice.page).getByRole('button', { name: 'Leave side' }).click();
  await expect(nav.getByRole('button', { name: 'Leave side' })).toHaveCount(0);
  await expect(timeline(second.page)).toBeVisible();
  await expect(bobLog.getByText('Alice left')).toHaveCount(1, delivered);
});

test('tabs of the page opened from disk (file://) share one connection: one "joined", "You" in both, no "left" while a tab stays', async ({
  browser,
  users,
  synapUrl,
}) => {
  const url = pathToFileURL(BUILT_INDEX).href;
  const context = await browser.newContext(DESKTOP);
  const problems: string[] = [];
  context.on('page', (page) => page.on('pageerror', (error) => problems.push(error.message)));
  try {
    const first = await context.newPage();
    await first.goto(url);
    expect(await first.evaluate(() => location.protocol)).toBe('file:');
    await fillSetup(first, { name: 'Alice', prefix: users.prefix, serverUrl: synapUrl });
    await first.getByRole('button', { name: 'Start chatting' }).click();
    await expect(timeline(first)).toBeVisible();
    await expectLive(first);
    // Settings are kept in this browser: the second tab opens the chat at once.
    const second = await context.newPage();
    await second.goto(url);
    await expect(timeline(second)).toBeVisible();
    await expectLive(second);
    const bob = await users.start('Bob');
    const bobLog = timeline(bob.page);

    await sendMessage(first, 'disk 1 from the first tab');
    await expect(bobLog.getByText('disk 1 from the first tab')).toBeVisible(delivered);
    for (const page of [first, second]) {
      const log = timeline(page);
      await expect(log.getByText('disk 1 from the first tab')).toHaveCount(1, delivered);
      // Sent from this device, whichever tab: "You", not the name.
      await expect(log.getByText('You', { exact: true })).toHaveCount(1);
      await expect(log.locator('.author').getByText('Alice', { exact: true })).toHaveCount(0);
    }
    // One device: one "joined" on the wire, however many tabs.
    const joined = (await consumeAll(`${users.prefix}general`, synapUrl)).filter((event) => {
      const payload = seedDecodeRestEvent(event);
      return event.event === 'user_joined' && payload.user_id === 'Alice' && !payload.heartbeat;
    });
    expect(joined).toHaveLength(1);

    // One of the two tabs closes: the other still holds the room, so nobody is told "left".
    await first.close({ runBeforeUnload: true });
    await expectLive(second);
    await sendMessage(bob.page, 'disk 2 from Bob');
    await expect(timeline(second).getByText('disk 2 from Bob')).toBeVisible(delivered);
    await expect(bobLog.getByText('Alice left')).toHaveCount(0);
    await expect(onlineList(bob.page).getByText('Alice')).toBeVisible();
    expect(problems).toEqual([]);
  } finally {
    await context.close();
  }
});
