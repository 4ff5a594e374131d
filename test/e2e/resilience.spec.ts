import type { Page, Route } from '@playwright/test';
import {
  DELIVERY_TIMEOUT_MS,
  type ChatUser,
  type SynapMode,
  connectionStatus,
  expect,
  expectLive,
  markedTexts,
  publishedMessages,
  type PrivateSynap,
  sendMessage,
  test,
  timeline,
} from './fixtures';

const delivered = { timeout: DELIVERY_TIMEOUT_MS };

interface StatusRecorder {
  __statusTexts?: string[];
}

/** Records every text the connection status shows, however briefly. */
async function recordStatus(page: Page): Promise<() => Promise<string[]>> {
  await page.evaluate(() => {
    const seen: string[] = [];
    (window as StatusRecorder).__statusTexts = seen;
    const record = () => {
      const text = document.querySelector('[role="status"]')?.textContent?.trim() ?? '';
      if (seen.at(-1) !== text) seen.push(text);
    };
    record();
    new MutationObserver(record).observe(document.body, {
      subtree: true,
      childList: true,
      characterData: true,
    });
  });
  return () => page.evaluate(() => (window as StatusRecorder).__statusTexts ?? []);
}

/**
 * Cuts the users' connections to the server. On sockets, the server drops every one of them.
 * A poller holds no connection open: every request it makes fails as on a cut connection,
 * until the returned function lets them through again.
 */
async function dropConnections(
  mode: SynapMode,
  privateSynap: PrivateSynap,
  users: ChatUser[],
): Promise<() => Promise<void>> {
  if (mode === 'socket') {
    await privateSynap.control('drop-sockets');
    return async () => {};
  }
  const { origin } = new URL(privateSynap.url);
  const toServer = (url: URL) => url.origin === origin;
  const cut = (route: Route) => route.abort('connectionreset');
  for (const user of users) await user.context.route(toServer, cut);
  return async () => {
    for (const user of users) await user.context.unroute(toServer, cut);
  };
}

test('dropped connections: the status shows reconnecting, comes back live, and chat goes on @core', async ({
  users,
  privateSynap,
  synapMode,
}) => {
  const alice = await users.start('Alice', { serverUrl: privateSynap.url });
  const bob = await users.start('Bob', { serverUrl: privateSynap.url });
  const aliceLog = timeline(alice.page);
  await sendMessage(bob.page, 'drop 1 before');
  await expect(aliceLog.getByText('drop 1 before')).toBeVisible(delivered);

  const statuses = await recordStatus(alice.page);
  const reconnect = await dropConnections(synapMode, privateSynap, [alice, bob]);
  await expect.poll(statuses, delivered).toContainEqual(expect.stringMatching(/^Reconnecting/));
  await reconnect();
  await expectLive(alice.page);
  await expectLive(bob.page);

  await sendMessage(bob.page, 'drop 2 after');
  await expect(aliceLog.getByText('drop 2 after')).toBeVisible(delivered);
  await sendMessage(alice.page, 'drop 3 reply');
  await expect(timeline(bob.page).getByText('drop 3 reply')).toBeVisible(delivered);
  for (const log of [aliceLog, timeline(bob.page)]) {
    await expect
      .poll(() => markedTexts(log, 'drop '))
      .toEqual(['drop 1 before', 'drop 2 after', 'drop 3 reply']);
  }
});

test('server wipe: the room is reported reset and the chat continues in it @core', async ({
  users,
  privateSynap,
}) => {
  const alice = await users.start('Alice', { serverUrl: privateSynap.url });
  const bob = await users.start('Bob', { serverUrl: privateSynap.url });
  const aliceLog = timeline(alice.page);
  await sendMessage(bob.page, 'wipe 1 before');
  await expect(aliceLog.getByText('wipe 1 before')).toBeVisible(delivered);

  await privateSynap.control('wipe');
  const notice = 'This room was reset by the server: its earlier history is gone';
  await expect(alice.page.getByText(notice)).toBeVisible(delivered);
  await expect(bob.page.getByText(notice)).toBeVisible(delivered);
  // The old room's messages are gone with it.
  await expect(aliceLog.getByText('wipe 1 before')).toHaveCount(0);
  await expectLive(alice.page);
  await expectLive(bob.page);

  await sendMessage(bob.page, 'wipe 2 after');
  await expect(aliceLog.getByText('wipe 2 after')).toBeVisible(delivered);
  await sendMessage(alice.page, 'wipe 3 reply');
  await expect(timeline(bob.page).getByText('wipe 3 reply')).toBeVisible(delivered);
  await expect.poll(() => markedTexts(aliceLog, 'wipe ')).toEqual(['wipe 2 after', 'wipe 3 reply']);
  await expect
    .poll(() => markedTexts(timeline(bob.page), 'wipe '))
    .toEqual(['wipe 2 after', 'wipe 3 reply']);

  // The notice can be dismissed.
  await alice.page.getByRole('button', { name: `Dismiss: ${notice}` }).click();
  await expect(alice.page.getByText(notice)).toHaveCount(0);
});

test('failed send: "Not sent" with Retry and Discard; Retry delivers it once @core', async ({
  users,
  synapUrl,
}) => {
  const alice = await users.start('Alice');
  const bob = await users.start('Bob');
  const stream = `${users.prefix}general`;
  const aliceLog = timeline(alice.page);
  const bobLog = timeline(bob.page);

  // Alice's message publishes fail: first the server answers 500, then the network is gone.
  let failure: 'server' | 'network' = 'server';
  const failMessages = async (route: Route) => {
    const body = route.request().postDataJSON() as { event?: string } | null;
    if (route.request().method() !== 'POST' || body?.event !== 'message') {
      await route.continue();
    } else if (failure === 'server') {
      await route.fulfill({
        status: 500,
        headers: { 'access-control-allow-origin': '*' },
        contentType: 'application/json',
        body: '{"code":500,"error":"Internal error: disk on fire"}',
      });
    } else {
      await route.abort('internetdisconnected');
    }
  };
  await alice.page.route('**/stream/*/publish', failMessages);

  await sendMessage(alice.page, 'important message');
  const notSent = aliceLog.getByText(/^Not sent/);
  await expect(notSent).toBeVisible(delivered);
  await expect(notSent).toContainText('disk on fire');
  await expect(aliceLog.getByText('important message', { exact: true })).toBeVisible();
  const retry = aliceLog.getByRole('button', { name: 'Retry' });
  await expect(retry).toBeVisible();
  await expect(aliceLog.getByRole('button', { name: 'Discard' })).toBeVisible();

  // Still failing: Retry fails again, with the new reason, and nothing is lost.
  failure = 'network';
  await retry.click();
  await expect(notSent).toContainText('Cannot reach', delivered);
  await expect(retry).toBeVisible();

  // A second failed message can be thrown away.
  await sendMessage(alice.page, 'never mind');
  await expect(aliceLog.getByRole('button', { name: 'Discard' })).toHaveCount(2, delivered);
  // Its own Discard: failed messages go again by themselves while the room is live, so which
  // one shows a Discard button at a given moment changes.
  const neverMind = aliceLog.locator('[data-row]').filter({ hasText: 'never mind' });
  await neverMind.getByRole('button', { name: 'Discard' }).click();
  await expect(aliceLog.getByText('never mind')).toHaveCount(0);
  await expect(aliceLog.getByText('important message', { exact: true })).toBeVisible();

  // The server is reachable again: Retry delivers the message, once.
  await alice.page.unroute('**/stream/*/publish', failMessages);
  await retry.click({ timeout: 5_000 }).catch(async (error: unknown) => {
    // Gone meanwhile: a live room sends what failed again by itself once the server answers.
    if ((await retry.count()) > 0) throw error;
  });
  await expect(bobLog.getByText('important message', { exact: true })).toBeVisible(delivered);
  await expect(notSent).toHaveCount(0, delivered);
  await expect(aliceLog.getByText('Sending…')).toHaveCount(0, delivered);
  await sendMessage(bob.page, 'got it');
  await expect(aliceLog.getByText('got it')).toBeVisible(delivered);
  for (const log of [aliceLog, bobLog]) {
    await expect(log.getByText('important message', { exact: true })).toHaveCount(1);
    await expect(log.getByText('never mind')).toHaveCount(0);
  }
  expect((await publishedMessages(stream, synapUrl)).map((m) => m.message)).toEqual([
    'important message',
    'got it',
  ]);
  await expectLive(alice.page);
});

test('server restart: a countdown with "Retry now", unsent messages kept and sent by themselves once live again', async ({
  users,
  privateSynap,
}) => {
  const alice = await users.start('Alice', { serverUrl: privateSynap.url });
  const log = timeline(alice.page);
  await sendMessage(alice.page, 'restart 1 before');
  await expect(log.getByText('restart 1 before')).toBeVisible();
  await expect(log.getByText('Sending…')).toHaveCount(0, delivered);

  await privateSynap.stop();
  const status = connectionStatus(alice.page);
  await expect(status).toContainText(/Reconnecting in \d+ s/, delivered);
  const retryNow = status.getByRole('button', { name: 'Retry now' });
  await expect(retryNow).toBeVisible();

  // What is written meanwhile is kept, marked as not sent.
  await sendMessage(alice.page, 'restart 2 while down');
  await expect(log.getByText(/^Not sent/)).toBeVisible(delivered);

  // The server is back (empty, as after a real restart): "Retry now" need not wait.
  await privateSynap.restart();
  await expect(async () => {
    if (await retryNow.isVisible()) await retryNow.click({ timeout: 1_000 });
    await expectLive(alice.page, { timeout: 2_000 });
  }).toPass({ timeout: DELIVERY_TIMEOUT_MS * 2 });
  await expect(
    alice.page.getByText('This room was reset by the server: its earlier history is gone'),
  ).toBeVisible(delivered);

  // Back live, what was not sent goes by itself: no Retry click needed.
  await expect(log.getByText(/^Not sent/)).toHaveCount(0, delivered);
  await expect(log.getByText('Sending…')).toHaveCount(0, delivered);
  await expect.poll(() => markedTexts(log, 'restart ')).toEqual(['restart 2 while down']);
});

test('offline: the status says so, and the chat comes back when the network does', async ({
  users,
}) => {
  test.setTimeout(120_000);
  const alice = await users.start('Alice');
  const bob = await users.start('Bob');
  const status = connectionStatus(alice.page);
  await alice.context.setOffline(true);
  // An open socket survives the browser's "offline" event; the app notices when its liveness
  // check (every 10 s) fails twice, so this takes a while.
  await expect(status).toHaveText('Offline — waiting for the network', { timeout: 60_000 });
  await sendMessage(bob.page, 'offline 1 sent while Alice was offline');
  await alice.context.setOffline(false);
  await expectLive(alice.page);
  await expect(
    timeline(alice.page).getByText('offline 1 sent while Alice was offline'),
  ).toBeVisible(delivered);
});
