// The switch to polling as a new user sees it, on a server whose WebSocket upgrades all fail
// (as the shipped Synap 1.3.1 binary's do). Runs in the polling project only.
import {
  FIRST_SOCKET_PROBE_MS,
  UPGRADE_FAILURES_BEFORE_POLLING,
} from '../../src/lib/synap/transport-policy';
import {
  DELIVERY_TIMEOUT_MS,
  expect,
  expectLive,
  fillSetup,
  markedTexts,
  sendMessage,
  test,
  timeline,
} from './fixtures';

const delivered = { timeout: DELIVERY_TIMEOUT_MS };

/** Three refused upgrades, with reconnect backoff (0.5 s, then 1 s, jittered) in between. */
const SWITCH_TIMEOUT_MS = 8_000;

interface StatusRecorder {
  __statusTexts?: string[];
}

test('no WebSocket on the server: a new user is polling within seconds, chats both ways, and a reload polls at once @polling-only', async ({
  users,
  synapUrl,
}) => {
  // A fresh browser: nothing remembered about this server.
  const alice = await users.open('Alice');
  const { page } = alice;
  const socketsOpenedAt: number[] = [];
  page.on('websocket', () => socketsOpenedAt.push(Date.now()));
  expect(await page.evaluate(() => Object.keys(localStorage))).toEqual([]);

  await fillSetup(page, { name: 'Alice', prefix: users.prefix, serverUrl: synapUrl });
  await page.getByRole('button', { name: 'Start chatting' }).click();
  await expect(timeline(page)).toBeVisible();
  // The socket is tried first; after the allowed failed upgrades, rooms are polled.
  await expectLive(page, { timeout: SWITCH_TIMEOUT_MS });
  expect(socketsOpenedAt).toHaveLength(UPGRADE_FAILURES_BEFORE_POLLING);

  // Chatting works as usual, both ways, each message once and in order.
  const bob = await users.start('Bob');
  const aliceLog = timeline(page);
  const bobLog = timeline(bob.page);
  await sendMessage(page, 'poll 1 from Alice');
  await expect(bobLog.getByText('poll 1 from Alice', { exact: true })).toBeVisible(delivered);
  await sendMessage(bob.page, 'poll 2 from Bob');
  await expect(aliceLog.getByText('poll 2 from Bob', { exact: true })).toBeVisible(delivered);
  await sendMessage(page, 'poll 3 from Alice');
  await expect(bobLog.getByText('poll 3 from Alice', { exact: true })).toBeVisible(delivered);
  const before = ['poll 1 from Alice', 'poll 2 from Bob', 'poll 3 from Alice'];
  for (const log of [aliceLog, bobLog]) {
    await expect.poll(() => markedTexts(log, 'poll ')).toEqual(before);
  }
  await expect(aliceLog.getByText('Sending…')).toHaveCount(0, delivered);

  // A reload remembers the choice: polling from the start, without failing sockets first
  // (the background probe may try one socket later, after FIRST_SOCKET_PROBE_MS or more).
  await alice.context.addInitScript(() => {
    const seen: string[] = [];
    (window as StatusRecorder).__statusTexts = seen;
    const record = () => {
      const text = document.querySelector('[role="status"]')?.textContent?.trim() ?? '';
      if (text && seen.at(-1) !== text) seen.push(text);
    };
    new MutationObserver(record).observe(document, {
      subtree: true,
      childList: true,
      characterData: true,
    });
  });
  const reloadedAt = Date.now();
  const socketsOpenedAtReload = socketsOpenedAt.length;
  await page.reload();
  await expect(aliceLog).toBeVisible();
  await expectLive(page, { timeout: 5_000 });
  const earlySockets = () =>
    socketsOpenedAt
      .slice(socketsOpenedAtReload)
      .filter((at) => at - reloadedAt < FIRST_SOCKET_PROBE_MS);
  expect(earlySockets(), 'WebSocket attempts after the reload').toEqual([]);
  // Straight from "Connecting…" to polling: no failed socket, no "Reconnecting".
  const statuses = await page.evaluate(() => (window as StatusRecorder).__statusTexts ?? []);
  const unexpected = statuses.filter((text) => !/^(Connecting…|Live · polling)/.test(text));
  expect(unexpected, `statuses after the reload: ${statuses.join(' | ')}`).toEqual([]);

  // The conversation resumes with nothing lost or doubled, and goes on both ways.
  await sendMessage(bob.page, 'poll 4 from Bob');
  await expect(aliceLog.getByText('poll 4 from Bob', { exact: true })).toBeVisible(delivered);
  await sendMessage(page, 'poll 5 from Alice');
  await expect(bobLog.getByText('poll 5 from Alice', { exact: true })).toBeVisible(delivered);
  const all = [...before, 'poll 4 from Bob', 'poll 5 from Alice'];
  for (const log of [aliceLog, bobLog]) {
    await expect.poll(() => markedTexts(log, 'poll ')).toEqual(all);
  }
  expect(earlySockets(), 'WebSocket attempts after the reload').toEqual([]);
});
