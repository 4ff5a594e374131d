// Several tabs of one user in one browser share one connection per room: one leader tab
// follows the room and relays it; the others show the same timeline, send through it, and
// take over when it closes. Runs against both kinds of server (socket and polling).
import type { Page, WebSocket } from '@playwright/test';
import {
  DELIVERY_TIMEOUT_MS,
  expect,
  expectLive,
  markedTexts,
  onlineList,
  roomsNav,
  sendMessage,
  test,
  timeline,
  type ChatUser,
} from './fixtures';

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
