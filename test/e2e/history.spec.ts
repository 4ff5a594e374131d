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
  const texts = () => markedTexts(log, 'page ');
  await expect(log.getByText(label(120), { exact: true })).toBeVisible();

  // The newest part only: a run of the latest messages, not all of them.
  const first = await texts();
  expect(first.length).toBeGreaterThanOrEqual(50);
  expect(first.length).toBeLessThan(120);
  expect(first).toEqual(all.slice(-first.length));
  // The view starts at the bottom.
  await expect(log.getByText(label(120), { exact: true })).toBeInViewport();

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
