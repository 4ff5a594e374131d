// The fault scenarios of issue 8's "Prove it", one function each. Every scenario has its own
// stand-in, proxy and browser contexts, so the specs run independent ones side by side. Each
// checks that every message the server stored is shown once, in offset order (the tally of
// fault-kit.ts, against REST consume of the stand-in), and that the status told the user.
import type { Users } from '../fixtures';
import { sendMessage, timeline } from '../fixtures';
import {
  type FaultLab,
  type FaultServer,
  type ScenarioReport,
  Publisher,
  deliveredTally,
  expect,
  expectClean,
  expectLiveAgain,
  expectStatusSeen,
  labels,
  sleep,
  startFaultUser,
  statusLog,
  storedMessages,
  test,
} from './fault-kit';
import type { Page } from '@playwright/test';
import type { SynapMode } from '../servers';

export interface ScenarioContext {
  users: Users;
  lab: FaultLab;
  mode: SynapMode;
  report: ScenarioReport;
}

export type Scenario = (context: ScenarioContext) => Promise<void>;

const room = (users: Users) => `${users.prefix}general`;

/** The notice a reset room gets (wipe, restart, deletion). */
const RESET_NOTICE = /room was reset/i;
/** The notice (or timeline line) for events lost to retention. */
const GAP_NOTICE = /no longer available|may be missing|dropped by the server/i;

const notices = (page: Page) => page.getByRole('list', { name: 'Room notices' });

async function deleteRoom(server: FaultServer, stream: string): Promise<void> {
  const answer = await fetch(`${server.directUrl}/stream/${encodeURIComponent(stream)}`, {
    method: 'DELETE',
  });
  expect(answer.status, 'DELETE of the room').toBe(200);
}

async function roomExists(server: FaultServer, stream: string): Promise<boolean> {
  const answer = await fetch(`${server.directUrl}/stream/${encodeURIComponent(stream)}/stats`);
  await answer.body?.cancel();
  return answer.ok;
}

// --- the network -----------------------------------------------------------------------------

/** 50 drops (every connection reset, new ones refused for a moment) over 1,000 messages. */
export const drops: Scenario = async ({ users, lab, report }) => {
  const server = await lab.server();
  const alice = await startFaultUser(users, 'Alice', server);
  const stream = room(users);
  const carol = new Publisher(server, stream);

  const since = Date.now();
  const publishing = carol.steadily(labels('drop', 1_000), 20_000);
  // Alice writes now and then too: her publishes cross the proxy and get cut as well.
  const aliceTexts = labels('drop by Alice', 8);
  const writing = (async () => {
    for (const text of aliceTexts) {
      await sleep(2_200);
      await sendMessage(alice.page, text);
    }
  })();
  // A kept-alive idle connection that is merely reset, the browser replaces without telling
  // the page; refusing new ones for a moment makes each drop felt.
  let reset = 0;
  for (let drop = 0; drop < 50; drop += 1) {
    await sleep(100);
    reset += server.proxy.dropAll();
    server.proxy.set('refuse');
    await sleep(300);
    server.proxy.set('pass');
  }
  await Promise.all([publishing, writing]);
  report.note('drops', 50);
  report.note('connectionsReset', reset);
  report.note('publishSeconds', (Date.now() - since) / 1000);

  await expectStatusSeen(alice.page, /^Reconnecting/, { since });
  await expectLiveAgain(alice.page);
  // Alice's messages that failed on the way go again by themselves (nothing is clicked here).
  const result = await deliveredTally(alice.page, server, stream, { marker: 'drop ' });
  report.note('finalStatus', await alice.page.getByRole('status').textContent());
  report.add(result);
  const stored = await storedMessages(server, stream, 'drop ');
  report.note('serverDuplicates', stored.serverDuplicates);
  expectClean(result, 'Alice');
  // Each once; one that failed goes again later, so not necessarily in the order written.
  const byAlice = stored.texts.filter((text) => text.startsWith('drop by Alice'));
  report.note(
    'aliceStoredOrder',
    byAlice.map((text) => Number(text.slice(-4))),
  );
  expect([...byAlice].sort()).toEqual(aliceTexts);
};

/** Every connection silent for 15 s (nothing closes): the liveness check must notice. */
export const halfOpen: Scenario = async ({ users, lab, report }) => {
  const server = await lab.server();
  const alice = await startFaultUser(users, 'Alice', server);
  const stream = room(users);
  const carol = new Publisher(server, stream).run('half-open', 8);

  await sleep(3_000);
  const since = Date.now();
  server.proxy.set('blackhole');
  await sleep(15_000);
  server.proxy.set('pass');
  const caughtAt = await expectStatusSeen(alice.page, /^Reconnecting/, { since, timeout: 60_000 });
  report.note('caughtAfterSeconds', (caughtAt - since) / 1000);
  await expectLiveAgain(alice.page);
  report.note('backLiveAfterSeconds', (Date.now() - since) / 1000);
  await sleep(1_500);
  await carol.stop();

  const result = await deliveredTally(alice.page, server, stream, { marker: 'half-open ' });
  report.note('finalStatus', await alice.page.getByRole('status').textContent());
  report.add(result);
  expectClean(result, 'Alice');
};

/** The browser offline and back three times, Alice writing as it goes and while it is gone. */
export const offline: Scenario = async ({ users, lab, report }) => {
  const server = await lab.server();
  const alice = await startFaultUser(users, 'Alice', server);
  const bob = await startFaultUser(users, 'Bob', server);
  const stream = room(users);
  // Slow enough that a publish is still on its way when the network goes.
  server.proxy.set('latency', 150);
  const carol = new Publisher(server, stream).run('offline', 5);

  const aliceTexts: string[] = [];
  let offlineShown = 0;
  for (let round = 1; round <= 3; round += 1) {
    const since = Date.now();
    const inFlight = `offline ${round}a sent as the network went`;
    await sendMessage(alice.page, inFlight);
    await alice.context.setOffline(true);
    const whileOffline = `offline ${round}b sent while offline`;
    await sendMessage(alice.page, whileOffline);
    aliceTexts.push(inFlight, whileOffline);
    await expectStatusSeen(alice.page, /^Offline|^Reconnecting/, { since, timeout: 30_000 });
    if ((await alice.page.getByRole('status').textContent())?.includes('Offline')) {
      offlineShown += 1;
    }
    await sleep(2_000);
    await alice.context.setOffline(false);
    await expectLiveAgain(alice.page);
    report.note(`round${round}BackLiveSeconds`, (Date.now() - since) / 1000);
  }
  await carol.stop();
  report.note('roundsShowingOffline', offlineShown);

  // What failed on the way goes again by itself once the connection is back: nothing is
  // clicked here, and no "Not sent" may be left (the tally counts those as never stored).
  for (const user of [alice, bob]) {
    const result = await deliveredTally(user.page, server, stream, { marker: 'offline ' });
    report.add(result);
    expectClean(result, user.name);
  }
  const stored = await storedMessages(server, stream, 'offline ');
  report.note('serverDuplicates', stored.serverDuplicates);
  expect(stored.texts.filter((text) => /^offline \d[ab] /.test(text))).toEqual(aliceTexts);
};

/** HTTP 500 for everything for 8 s, then a socket that stops delivering while REST goes on. */
export const errorsAndStall: Scenario = async ({ users, lab, mode, report }) => {
  const server = await lab.server();
  const alice = await startFaultUser(users, 'Alice', server);
  const stream = room(users);
  const carol = new Publisher(server, stream).run('failing', 8);
  await sleep(2_000);

  // The server answers 500 to everything for 8 s; its sockets are dropped as it fails.
  const since500 = Date.now();
  server.proxy.set('http-500');
  server.proxy.dropAll();
  await sendMessage(alice.page, 'failing sent during the 500s');
  await expect(
    timeline(alice.page).getByText(/^Not sent.*: .*injected by the fault proxy/),
  ).toBeVisible({ timeout: 20_000 });
  await expectStatusSeen(alice.page, /^Reconnecting/, { since: since500 });
  await sleep(Math.max(0, since500 + 8_000 - Date.now()));
  server.proxy.set('pass');
  await expectLiveAgain(alice.page);
  report.note('answered500', server.proxy.counts.answered500);
  report.note('backLiveAfter500sSeconds', (Date.now() - since500) / 1000);

  // Then the server stops delivering over its sockets while REST (stats) goes on: only the
  // liveness check can tell. A poller does not notice a socket stall at all.
  const sinceStall = Date.now();
  server.standin.stall(true);
  if (mode === 'socket') {
    const caughtAt = await expectStatusSeen(alice.page, /^Reconnecting|^Connecting/, {
      since: sinceStall,
      timeout: 40_000,
    });
    report.note('stallCaughtAfterSeconds', (caughtAt - sinceStall) / 1000);
  } else {
    await sleep(4_000);
  }
  server.standin.stall(false);
  await expectLiveAgain(alice.page);
  await sendMessage(alice.page, 'failing sent after the stall');
  await sleep(1_000);
  await carol.stop();

  const result = await deliveredTally(alice.page, server, stream, { marker: 'failing ' });
  report.note('finalStatus', await alice.page.getByRole('status').textContent());
  report.add(result);
  expectClean(result, 'Alice');
  const stored = await storedMessages(server, stream, 'failing sent');
  expect(stored.texts).toEqual(['failing sent during the 500s', 'failing sent after the stall']);
};

// --- the server ------------------------------------------------------------------------------

/** A restart mid-conversation wipes the room: "reset" is said, and the chat goes on in it. */
export const restartWipe: Scenario = async ({ users, lab, report }) => {
  const server = await lab.server();
  const alice = await startFaultUser(users, 'Alice', server);
  const bob = await startFaultUser(users, 'Bob', server);
  const stream = room(users);
  const carol = new Publisher(server, stream).run('restart', 6);
  await sleep(2_000);
  await sendMessage(alice.page, 'restart by Alice before');
  await sleep(1_000);

  const since = Date.now();
  const restarting = server.restart();
  // Written as the server goes down: pending while the room is wiped.
  await sendMessage(alice.page, 'restart by Alice during');
  await restarting;
  for (const user of [alice, bob]) {
    await expect(notices(user.page).getByText(RESET_NOTICE)).toBeVisible({ timeout: 30_000 });
  }
  report.note('resetShownAfterSeconds', (Date.now() - since) / 1000);
  await expectStatusSeen(alice.page, /^Reconnecting|^Connecting/, { since });
  await expectLiveAgain(alice.page);
  await expectLiveAgain(bob.page);
  await sendMessage(alice.page, 'restart by Alice after');
  await sendMessage(bob.page, 'restart by Bob after');
  await sleep(1_000);
  await carol.stop();

  // Only the new room's messages: the old ones went with the wipe.
  for (const user of [alice, bob]) {
    const result = await deliveredTally(user.page, server, stream, { marker: 'restart ' });
    report.add(result);
    expectClean(result, user.name);
  }
  const stored = await storedMessages(server, stream, 'restart by');
  expect(stored.texts).toContain('restart by Alice after');
  expect(stored.texts).toContain('restart by Bob after');
};

/** Offline while 500 events arrive at a room that keeps 200: a gap, then all after it once. */
export const retention: Scenario = async ({ users, lab, report }) => {
  const server = await lab.server({ maxBuffer: 200, maxUnreadBuffer: 200 });
  const alice = await startFaultUser(users, 'Alice', server);
  const stream = room(users);
  const carol = new Publisher(server, stream);
  const before = labels('retention', 20);
  for (const text of before) await carol.publish(text);
  const seen = await deliveredTally(alice.page, server, stream, { marker: 'retention ' });
  expectClean(seen, 'Alice before');

  // Away: the browser offline and the way to the server closed while the room moves on.
  const since = Date.now();
  await alice.context.setOffline(true);
  server.proxy.set('refuse');
  server.proxy.dropAll();
  for (const text of labels('retention', 500, 21)) await carol.publish(text);
  // What the server still holds as Alice comes back: she must show all of it.
  const kept = await storedMessages(server, stream, 'retention ');
  server.proxy.set('pass');
  await alice.context.setOffline(false);

  await expect(alice.page.getByText(GAP_NOTICE).first()).toBeVisible({ timeout: 30_000 });
  await expectStatusSeen(alice.page, /^Offline|^Reconnecting/, { since });
  await expectLiveAgain(alice.page);
  const after = labels('retention', 20, 521);
  for (const text of after) await carol.publish(text);

  // What Alice saw before the gap, then everything after it, once each.
  const expected = [...before, ...kept.texts, ...after];
  const result = await deliveredTally(alice.page, server, stream, {
    marker: 'retention ',
    expected: async () => expected,
  });
  report.add(result);
  report.note('evicted', 500 - kept.texts.length);
  report.note('earliestKeptOffset', kept.minOffset);
  expectClean(result, 'Alice');
  expect(kept.minOffset, 'events were evicted').toBeGreaterThan(before.length);
};

/** The room deleted (REST DELETE) under an open client: it is made again and chat goes on. */
export const roomDeleted: Scenario = async ({ users, lab, report }) => {
  const server = await lab.server();
  const alice = await startFaultUser(users, 'Alice', server);
  const stream = room(users);
  // Carol's publisher waits for the room to come back instead of making it.
  const carol = new Publisher(server, stream, { recreate: false }).run('deleted', 6);
  await sleep(2_500);

  const since = Date.now();
  await deleteRoom(server, stream);
  await expect.poll(() => roomExists(server, stream), { timeout: 30_000 }).toBe(true);
  report.note('recreatedAfterSeconds', (Date.now() - since) / 1000);
  await expect(notices(alice.page).getByText(RESET_NOTICE)).toBeVisible({ timeout: 30_000 });
  await expectStatusSeen(alice.page, /^Reconnecting|^Connecting/, { since });
  await expectLiveAgain(alice.page);
  await sendMessage(alice.page, 'deleted by Alice after');
  await sleep(1_000);
  await carol.stop();

  const result = await deliveredTally(alice.page, server, stream, { marker: 'deleted ' });
  report.add(result);
  expectClean(result, 'Alice');
  expect((await storedMessages(server, stream, 'deleted by')).texts).toEqual([
    'deleted by Alice after',
  ]);
};

const OLD_KEY = 'fault-key-revoked';
const NEW_KEY = 'fault-key-current';

/** The key is revoked (a restart without it): 401, no retry loop, the app asks for a key. */
export const revokedKey: Scenario = async ({ users, lab, report }) => {
  const server = await lab.server({ apiKeys: [OLD_KEY] });
  const alice = await startFaultUser(users, 'Alice', server, { apiKey: OLD_KEY });
  const stream = room(users);
  const carol = new Publisher(server, stream, { apiKey: OLD_KEY });
  for (const text of labels('revoked', 10)) await carol.publish(text);
  const before = await deliveredTally(alice.page, server, stream, {
    marker: 'revoked ',
    apiKey: OLD_KEY,
  });
  report.add(before);
  expectClean(before, 'Alice before');

  const since = Date.now();
  await server.restart({ apiKeys: [NEW_KEY] });
  const status = alice.page.getByRole('status');
  await expect(status).toContainText('Unauthorized', { timeout: 30_000 });
  report.note('unauthorizedAfterSeconds', (Date.now() - since) / 1000);

  // No retry loop: over the next 10 s the room's feed asks nothing more.
  await sleep(1_000);
  server.standin.resetRequestCounts();
  await sleep(10_000);
  const counts = server.standin.requestCounts();
  report.note('requestsIn10sAfter401', counts);
  const feed = counts.consume + counts.stats + counts.ensure + counts.upgrades;
  expect(
    feed + counts.upgradeFailures,
    `feed requests after the 401: ${JSON.stringify(counts)}`,
  ).toBe(0);
  expect(counts.total, `requests after the 401: ${JSON.stringify(counts)}`).toBeLessThanOrEqual(3);

  // It asks for a key; a valid one brings the room back (reset: the restart wiped it).
  await expect(status).toContainText('Unauthorized');
  await status.getByRole('button', { name: 'Settings' }).click();
  const key = alice.page.getByLabel('API key', { exact: true });
  await expect(key).toBeVisible();
  await key.fill(NEW_KEY);
  await alice.page.getByRole('button', { name: 'Save' }).click();
  await expectLiveAgain(alice.page);
  const carolAgain = new Publisher(server, stream, { apiKey: NEW_KEY });
  for (const text of labels('revoked', 10, 11)) await carolAgain.publish(text);
  const after = await deliveredTally(alice.page, server, stream, {
    marker: 'revoked ',
    apiKey: NEW_KEY,
  });
  report.add(after);
  expectClean(after, 'Alice after');
};

// --- the browser -----------------------------------------------------------------------------

/** One user in two tabs of one browser, a burst, and a reload of one tab in the middle of it. */
export const twoTabsReload: Scenario = async ({ users, lab, report }) => {
  const server = await lab.server();
  const first = await startFaultUser(users, 'Alice', server);
  const second = await first.context.newPage();
  await second.goto('./');
  await expect(timeline(second)).toBeVisible();
  await expectLiveAgain(second);
  const stream = room(users);
  const carol = new Publisher(server, stream);

  const burst = carol.steadily(labels('tabs', 300), 6_000);
  const firstWrites = (async () => {
    for (let i = 1; i <= 3; i += 1) {
      await sleep(1_500);
      await sendMessage(first.page, `tabs by the first tab ${i}`);
    }
  })();
  await sleep(1_000);
  await sendMessage(second, 'tabs by the second tab 1');
  await sleep(1_500);
  const reloadedAt = Date.now();
  await second.reload();
  await expect(timeline(second)).toBeVisible();
  // The first tab holds the browser's connection (see tab-hub.ts): the reloaded tab joins it
  // and is live at once, or connects itself if it got there first.
  await expectStatusSeen(second, /^(Connecting|Live)/, { since: reloadedAt });
  await expectLiveAgain(second);
  await sendMessage(second, 'tabs by the second tab 2');
  await Promise.all([burst, firstWrites]);

  // The reloaded tab shows recent history first: older pages are loaded back to the start.
  for (const [name, page] of [
    ['first tab', first.page],
    ['second tab', second],
  ] as const) {
    const result = await deliveredTally(page, server, stream, { marker: 'tabs ', loadOlder: true });
    report.add(result);
    expectClean(result, name);
  }
  const stored = await storedMessages(server, stream, 'tabs by');
  expect(stored.texts.length).toBe(5);
  report.note('serverDuplicates', stored.serverDuplicates);
};

/**
 * REST alone fails for a moment (500s) while the socket stays up: a message written then fails,
 * and must go out by itself once REST answers again, before anything written after it.
 */
export const restHiccup: Scenario = async ({ users, lab, report }) => {
  const server = await lab.server();
  const alice = await startFaultUser(users, 'Alice', server);
  const stream = room(users);
  // Open WebSockets are left alone by http-500: only new requests fail.
  server.proxy.set('http-500');
  await sendMessage(alice.page, 'hiccup 1 sent during the 500s');
  await expect(timeline(alice.page).getByText(/^Not sent/)).toBeVisible({ timeout: 20_000 });
  await sleep(3_000);
  server.proxy.set('pass');
  const since = Date.now();
  await sendMessage(alice.page, 'hiccup 2 sent after');
  const result = await deliveredTally(alice.page, server, stream, {
    marker: 'hiccup ',
    timeout: 30_000,
  });
  report.add(result);
  report.note('settledAfterSeconds', (Date.now() - since) / 1000);
  report.note(
    'statusSeen',
    (await statusLog(alice.page)).map(([, text]) => text),
  );
  expectClean(result, 'Alice');
  expect((await storedMessages(server, stream, 'hiccup ')).texts).toEqual([
    'hiccup 1 sent during the 500s',
    'hiccup 2 sent after',
  ]);
};

export const SCENARIOS = {
  drops,
  'half-open': halfOpen,
  offline,
  '500s-and-stall': errorsAndStall,
  'restart-wipe': restartWipe,
  retention,
  'room-deleted': roomDeleted,
  'revoked-key': revokedKey,
  'two-tabs-reload': twoTabsReload,
  'rest-hiccup': restHiccup,
} satisfies Record<string, Scenario>;

export type ScenarioName = keyof typeof SCENARIOS;

/**
 * Runs independent scenarios side by side in one test (each a step; they mostly wait on
 * timers, so this keeps the suite short), lets every one finish, then fails with all that
 * failed.
 */
export async function runScenarios(
  context: Omit<ScenarioContext, 'report'>,
  names: readonly ScenarioName[],
): Promise<void> {
  const outcomes = await Promise.allSettled(
    names.map((name) =>
      test.step(name, async () => {
        const report = context.lab.report(name);
        try {
          await SCENARIOS[name]({ ...context, report });
          report.finish('passed');
        } catch (error) {
          report.finish('failed', error);
          throw error;
        }
      }),
    ),
  );
  const failed = outcomes.flatMap((outcome, i) =>
    outcome.status === 'rejected' ? [{ name: names[i], error: outcome.reason as unknown }] : [],
  );
  if (failed.length === 0) return;
  const first = failed[0]?.error;
  const summary = failed
    .map(({ name, error }) => `${name}: ${error instanceof Error ? error.message : String(error)}`)
    .join('\n\n');
  const error = new Error(`${failed.length} of ${names.length} scenarios failed\n\n${summary}`);
  if (first instanceof Error && first.stack) error.stack = `${error.message}\n${first.stack}`;
  throw error;
}
