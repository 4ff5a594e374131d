import type { Locator } from '@playwright/test';
import {
  DELIVERY_TIMEOUT_MS,
  ensureStream,
  expect,
  expectLive,
  markedTexts,
  messageData,
  publishViaRest,
  sendMessage,
  test,
  timeline,
} from './fixtures';

const delivered = { timeout: DELIVERY_TIMEOUT_MS };
/** The timeline asks for older messages when scrolled this close to its top (Timeline.svelte). */
const LOAD_OLDER_AT_PX = 120;

/**
 * The timeline keeps only the rows in view (and a margin) in the page, so a long one is read
 * by scrolling it, half a view at a time: down from the top to the end, or up from the end to
 * just short of where older messages would load. Returns the texts that start with `marker`,
 * sorted (these labels sort in the order they were sent); fails if any view shows them out of
 * order or twice.
 */
async function readByScrolling(log: Locator, marker: string, way: 'down' | 'up') {
  const stopUpAt = LOAD_OLDER_AT_PX + 1;
  return log.evaluate(
    async (element, { marker, way, stopUpAt }) => {
      const drawn = () =>
        new Promise<void>((resolve) => requestAnimationFrame(() => setTimeout(resolve, 50)));
      const end = () => element.scrollHeight - element.clientHeight;
      const seen = new Set<string>();
      element.scrollTop = way === 'down' ? 0 : end();
      for (;;) {
        await drawn();
        const shown = [...element.querySelectorAll('p')]
          .map((paragraph) => (paragraph.textContent ?? '').trim())
          .filter((text) => text.startsWith(marker));
        shown.forEach((text, index) => {
          const before = shown[index - 1];
          if (before !== undefined && before >= text) {
            throw new Error(`"${before}" is shown before "${text}"`);
          }
          seen.add(text);
        });
        const at = element.scrollTop;
        if (way === 'down' ? at >= end() - 1 : at <= stopUpAt) break;
        const step = element.clientHeight / 2;
        element.scrollTop = way === 'down' ? at + step : Math.max(stopUpAt, at - step);
      }
      return [...seen].sort();
    },
    { marker, way, stopUpAt },
  );
}

test('reload resumes: no duplicates, and what was said while away appears once, in order @core', async ({
  users,
  synapUrl,
}) => {
  const alice = await users.start('Alice');
  const bob = await users.start('Bob');
  const stream = `${users.prefix}general`;
  const log = timeline(alice.page);
  const texts = () => markedTexts(log, 'resume');

  await sendMessage(alice.page, 'resume 1 from Alice');
  await sendMessage(bob.page, 'resume 2 from Bob');
  await expect(log.getByText('resume 2 from Bob')).toBeVisible(delivered);

  // A plain reload: the same messages, once each.
  await alice.page.reload();
  await expect(log).toBeVisible();
  await expectLive(alice.page);
  await sendMessage(bob.page, 'resume 3 after the reload');
  await expect(log.getByText('resume 3 after the reload')).toBeVisible(delivered);
  await expect
    .poll(texts)
    .toEqual(['resume 1 from Alice', 'resume 2 from Bob', 'resume 3 after the reload']);

  // Away: the page is gone while others talk (over REST, and Bob in the app).
  await alice.page.goto('about:blank');
  const typing = JSON.stringify({ user_id: 'Carol', is_typing: true });
  await publishViaRest(stream, 'message', messageData('Carol', 'resume 4 while away'), synapUrl);
  await publishViaRest(stream, 'typing', typing, synapUrl);
  await publishViaRest(stream, 'message', messageData('Carol', 'resume 5 while away'), synapUrl);
  await sendMessage(bob.page, 'resume 6 while away');
  await expect(timeline(bob.page).getByText('resume 6 while away')).toBeVisible(delivered);

  await alice.page.goto('./');
  await expect(log).toBeVisible();
  await expectLive(alice.page);
  await expect(log.getByText('resume 6 while away')).toBeVisible(delivered);
  const expected = [
    'resume 1 from Alice',
    'resume 2 from Bob',
    'resume 3 after the reload',
    'resume 4 while away',
    'resume 5 while away',
    'resume 6 while away',
  ];
  await expect.poll(texts).toEqual(expected);

  // And nothing turns up twice later, e.g. once the socket catches up: a last message after.
  await sendMessage(bob.page, 'resume 7 last');
  await expect(log.getByText('resume 7 last')).toBeVisible(delivered);
  await expect.poll(texts).toEqual([...expected, 'resume 7 last']);
});

test('coming back after being away marks the missed messages with "New messages"', async ({
  users,
  privateSynap,
}) => {
  // The server holds the socket's events back until the history is on screen, so the missed
  // messages always arrive after it, over the socket: the divider must still mark them.
  const alice = await users.start('Alice', { serverUrl: privateSynap.url });
  const bob = await users.start('Bob', { serverUrl: privateSynap.url });
  const log = timeline(alice.page);
  await sendMessage(bob.page, 'seen before leaving');
  await expect(log.getByText('seen before leaving')).toBeVisible(delivered);

  await alice.page.goto('about:blank');
  await sendMessage(bob.page, 'missed 1');
  await sendMessage(bob.page, 'missed 2');
  await expect(timeline(bob.page).getByText('missed 2')).toBeVisible(delivered);

  await privateSynap.stall(true);
  await alice.page.goto('./');
  // History (over REST) is on screen before the socket delivers anything.
  await expect(log.getByText('seen before leaving')).toBeVisible(delivered);
  await privateSynap.stall(false);
  await expect(log.getByText('missed 2')).toBeVisible(delivered);
  const divider = log.getByRole('separator', { name: 'New messages' });
  await expect(divider).toBeVisible();
  const y = async (text: string) =>
    (await log.getByText(text, { exact: true }).boundingBox())?.y ?? Number.NaN;
  const dividerY = (await divider.boundingBox())?.y ?? Number.NaN;
  expect(await y('seen before leaving')).toBeLessThan(dividerY);
  expect(dividerY).toBeLessThan(await y('missed 1'));
});

test('history paging: the newest messages first, earlier ones on demand, all once and in order', async ({
  users,
  synapUrl,
}) => {
  test.setTimeout(120_000);
  const stream = `${users.prefix}general`;
  const label = (n: number) => `page ${String(n).padStart(3, '0')}`;
  const all = Array.from({ length: 120 }, (_, i) => label(i + 1));

  // 120 messages from two authors, with typing noise in between (360 events).
  await ensureStream(stream, synapUrl);
  for (const [i, text] of all.entries()) {
    const author = i % 2 === 0 ? 'Carol' : 'Dan';
    const typing = (isTyping: boolean) =>
      JSON.stringify({ user_id: author, is_typing: isTyping, timestamp: Date.now() });
    await publishViaRest(stream, 'typing', typing(true), synapUrl);
    await publishViaRest(stream, 'typing', typing(false), synapUrl);
    await publishViaRest(stream, 'message', messageData(author, text), synapUrl);
  }

  const alice = await users.start('Alice');
  const page = alice.page;
  const log = timeline(page);
  const texts = () => readByScrolling(log, 'page ', 'down');
  await expect(log.getByText(label(120), { exact: true })).toBeVisible();
  // The view starts at the bottom.
  await expect(log.getByText(label(120), { exact: true })).toBeInViewport();
  // Only the rows in view are in the page, not all that were loaded.
  expect((await markedTexts(log, 'page ')).length).toBeLessThan(50);

  // The newest part only: a run of the latest messages, not all of them.
  const first = await readByScrolling(log, 'page ', 'up');
  expect(first.length).toBeGreaterThanOrEqual(50);
  expect(first.length).toBeLessThan(120);
  expect(first).toEqual(all.slice(-first.length));

  // Near the top, earlier messages load by themselves; the button at the top does it too.
  // (Reaching the button scrolls to the top, which may already have loaded everything, so
  // each round does whichever is possible.)
  const loadEarlier = log.getByRole('button', { name: 'Load earlier messages' });
  await expect(loadEarlier).toBeAttached();
  const beginning = log.getByText('Beginning of the room');
  await expect(async () => {
    if (await loadEarlier.isVisible()) await loadEarlier.click({ timeout: 2_000 });
    else await log.evaluate((element) => element.scrollTo({ top: 0 }));
    await expect(beginning).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 60_000 });
  await expect(loadEarlier).toHaveCount(0);
  await expect.poll(texts).toEqual(all);

  // Scrolled up, a new message does not yank the view: a button offers to jump to it.
  await log.evaluate((element) => element.scrollTo({ top: 0 }));
  await publishViaRest(stream, 'message', messageData('Carol', label(121)), synapUrl);
  const jump = page.getByRole('button', { name: 'Jump to latest (1 new)' });
  await expect(jump).toBeVisible(delivered);
  await expect(log.getByText(label(121), { exact: true })).not.toBeInViewport();
  await jump.click();
  await expect(log.getByText(label(121), { exact: true })).toBeInViewport();
  await expect(page.getByRole('button', { name: /Jump to latest/ })).toHaveCount(0);
  await expect.poll(texts).toEqual([...all, label(121)]);
});

test('a reload with unread messages opens at "New messages", the first one in view @core', async ({
  users,
}) => {
  test.setTimeout(120_000);
  const alice = await users.start('Alice');
  const bob = await users.start('Bob');
  await sendMessage(bob.page, 'read before leaving');
  await expect(timeline(alice.page).getByText('read before leaving')).toBeVisible(delivered);

  // Alice's page is closed while Bob writes 30 messages (two lines each: more than a view).
  await alice.page.close();
  const label = (n: number) => `unread ${String(n).padStart(2, '0')}`;
  for (let n = 1; n <= 30; n += 1) await sendMessage(bob.page, `${label(n)}\nfrom Bob`);
  await expect(timeline(bob.page).getByText(label(30))).toBeVisible(delivered);

  const page = await alice.context.newPage();
  await page.goto('./');
  const log = timeline(page);
  const divider = log.getByRole('separator', { name: 'New messages' });
  await expect(divider).toBeVisible(delivered);
  await expectLive(page);
  await expect(divider).toBeInViewport();
  await expect(log.getByText(label(1))).toBeInViewport();
  // Near the top of the view: the unread part is read from its start, down.
  const logBox = await log.boundingBox();
  const dividerBox = await divider.boundingBox();
  if (!logBox || !dividerBox) throw new Error('the timeline or its divider has no box');
  expect(dividerBox.y - logBox.y).toBeLessThan(logBox.height / 4);
  // The newest are further down, a jump away.
  await expect(log.getByText(label(30))).not.toBeInViewport();
  const jump = page.getByRole('button', { name: /^Jump to latest/ });
  await expect(jump).toBeVisible();
  await jump.click();
  await expect(log.getByText(label(30))).toBeInViewport();
  await expect(page.getByRole('button', { name: /Jump to latest/ })).toHaveCount(0);

  // Read now: the next reload opens at the bottom, as always.
  await page.reload();
  await expect(log.getByText(label(30))).toBeInViewport(delivered);
  await expect(page.getByRole('button', { name: /Jump to latest/ })).toHaveCount(0);
});
