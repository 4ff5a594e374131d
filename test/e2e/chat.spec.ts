import {
  DELIVERY_TIMEOUT_MS,
  composer,
  consumeAll,
  expect,
  expectRoomInfoInStep,
  onlineList,
  publishedMessages,
  roomInfoValues,
  seedDecodeRestEvent,
  sendButton,
  sendMessage,
  test,
  timeline,
} from './fixtures';

const delivered = { timeout: DELIVERY_TIMEOUT_MS };

/** An entry of the online list: the avatar's initial, the name, "(you)" for oneself. */
const member = (name: string, own = false) =>
  new RegExp(`^\\S\\s+${name}${own ? ' \\(you\\)' : ''}\\s*$`);

test('two users chat both ways; text is shown literally and links are safe @core', async ({
  users,
  synapUrl,
}) => {
  const alice = await users.start('Alice');
  const bob = await users.start('Bob');
  const aliceLog = timeline(alice.page);
  const bobLog = timeline(bob.page);

  await sendMessage(alice.page, 'Hi Bob, how are you?');
  await expect(bobLog.getByText('Hi Bob, how are you?', { exact: true })).toBeVisible(delivered);
  await sendMessage(bob.page, 'Fine thanks, Alice!');
  await expect(aliceLog.getByText('Fine thanks, Alice!', { exact: true })).toBeVisible(delivered);

  // Each message once on both sides; own messages say "You", the others' their author.
  for (const log of [aliceLog, bobLog]) {
    await expect(log.getByText('Hi Bob, how are you?', { exact: true })).toHaveCount(1);
    await expect(log.getByText('Fine thanks, Alice!', { exact: true })).toHaveCount(1);
    await expect(log.getByText('You', { exact: true })).toHaveCount(1);
  }
  // (Names are isolated in <bdi>s, the "… joined" lines' too: count the messages' authors.)
  const authors = (log: typeof aliceLog, name: string) =>
    log.locator('.author').getByText(name, { exact: true });
  await expect(authors(aliceLog, 'Bob')).toHaveCount(1);
  await expect(authors(aliceLog, 'Alice')).toHaveCount(0);
  await expect(authors(bobLog, 'Alice')).toHaveCount(1);
  await expect(authors(bobLog, 'Bob')).toHaveCount(0);
  // Sent and confirmed: nothing is left pending.
  await expect(aliceLog.getByText('Sending…')).toHaveCount(0);

  // HTML is text: shown as typed, no element made (and no script run: see the fixture).
  const html = '<b>bold</b> <img src=x onerror="alert(1)"> <script>alert(2)</script>';
  await sendMessage(alice.page, html);
  await expect(bobLog.getByText(html, { exact: true })).toBeVisible(delivered);
  await expect(aliceLog.getByText(html, { exact: true })).toBeVisible();
  for (const log of [aliceLog, bobLog]) {
    await expect(log.locator('b, img, script')).toHaveCount(0);
  }

  // A web address becomes a safe link that opens elsewhere; javascript: stays text.
  await sendMessage(bob.page, 'Docs at https://example.com/chat?room=1 and javascript:alert(3)');
  const link = aliceLog.getByRole('link', { name: 'https://example.com/chat?room=1' });
  await expect(link).toBeVisible(delivered);
  await expect(link).toHaveAttribute('href', 'https://example.com/chat?room=1');
  await expect(link).toHaveAttribute('target', '_blank');
  const rel = (await link.getAttribute('rel')) ?? '';
  expect(rel.split(/\s+/)).toEqual(expect.arrayContaining(['noopener', 'noreferrer', 'nofollow']));
  await expect(aliceLog.getByRole('link')).toHaveCount(1);
  await expect(aliceLog.getByText('javascript:alert(3)')).toBeVisible();
  await expect(aliceLog.locator('a[href^="javascript:" i]')).toHaveCount(0);

  // Shift+Enter starts a new line; Enter sends both lines as one message.
  const box = composer(alice.page);
  await box.click();
  await box.pressSequentially('first line');
  await box.press('Shift+Enter');
  await box.pressSequentially('second line');
  await expect(box).toHaveValue('first line\nsecond line');
  await box.press('Enter');
  await expect(box).toHaveValue('');
  const twoLines = bobLog.getByText('first line second line');
  await expect(twoLines).toBeVisible(delivered);
  await expect(twoLines).toHaveJSProperty('textContent', 'first line\nsecond line');
  expect((await twoLines.boundingBox())?.height ?? 0).toBeGreaterThan(
    (await bobLog.getByText('Fine thanks, Alice!', { exact: true }).boundingBox())?.height ?? 0,
  );

  // Only whitespace: the Send button stays off and Enter sends nothing.
  await box.fill('   \n  ');
  await expect(sendButton(alice.page)).toBeDisabled();
  await box.press('Enter');
  await box.fill('');
  await sendMessage(alice.page, 'last one');
  await expect(bobLog.getByText('last one', { exact: true })).toBeVisible(delivered);

  // What the server holds: exactly the five messages, by the right authors.
  const stored = await publishedMessages(`${users.prefix}general`, synapUrl);
  expect(stored.map((m) => [m.user_id, m.message])).toEqual([
    ['Alice', 'Hi Bob, how are you?'],
    ['Bob', 'Fine thanks, Alice!'],
    ['Alice', html],
    ['Bob', 'Docs at https://example.com/chat?room=1 and javascript:alert(3)'],
    ['Alice', 'first line\nsecond line'],
    ['Alice', 'last one'],
  ]);

  // Room info follows the room: its count catches up with the server's.
  await expectRoomInfoInStep(alice.page, `${users.prefix}general`, synapUrl);
  expect(Number((await roomInfoValues(alice.page)).Subscribers)).toBeGreaterThanOrEqual(2);
});

test('typing: the other user sees "is typing…" until the message is sent, the text cleared or the field left @core', async ({
  users,
  synapUrl,
}) => {
  const alice = await users.start('Alice');
  const bob = await users.start('Bob');
  const typing = alice.page.getByText('Bob is typing…');
  const box = composer(bob.page);
  const stream = `${users.prefix}general`;
  /** Bob's latest typing event on the server, read the seed's way. */
  const lastTyping = async () =>
    (await consumeAll(stream, synapUrl))
      .filter((event) => event.event === 'typing')
      .map((event) => seedDecodeRestEvent(event))
      .filter((payload) => payload.user_id === 'Bob')
      .at(-1)?.is_typing;

  // 1. Sending ends it.
  await box.pressSequentially('Hello Al', { delay: 30 });
  await expect(typing).toBeVisible(delivered);
  // Bob does not see himself typing.
  await expect(bob.page.getByText('is typing…')).toHaveCount(0);
  await box.pressSequentially('ice');
  await box.press('Enter');
  await expect(timeline(alice.page).getByText('Hello Alice', { exact: true })).toBeVisible(
    delivered,
  );
  await expect(typing).toHaveCount(0);

  // 2. Clearing the text ends it, with an explicit "stopped typing" event (the indicator
  //    showing means Bob's "typing" reached the server, so a later "stopped" is a new one).
  await box.pressSequentially('something', { delay: 30 });
  await expect(typing).toBeVisible(delivered);
  await box.fill('');
  await expect(typing).toHaveCount(0, delivered);
  await expect.poll(lastTyping, delivered).toBe(false);

  // 3. Leaving the field ends it too.
  await box.pressSequentially('more', { delay: 30 });
  await expect(typing).toBeVisible(delivered);
  await box.blur();
  await expect(typing).toHaveCount(0, delivered);
  await expect.poll(lastTyping, delivered).toBe(false);
  // The unsent text is kept.
  await expect(box).toHaveValue('more');
});

test('presence: a joining user appears online and in the timeline; closing the page says goodbye @core', async ({
  users,
}) => {
  const alice = await users.start('Alice');
  const log = timeline(alice.page);
  const online = onlineList(alice.page);
  await expect(online.getByRole('listitem')).toHaveCount(1);
  await expect(online.getByRole('listitem')).toHaveText([member('Alice', true)]);

  const bob = await users.start('Bob');
  await expect(log.getByText('Bob joined')).toBeVisible(delivered);
  await expect(alice.page.getByRole('heading', { name: 'Online — 2' })).toBeVisible();
  await expect(online.getByRole('listitem')).toHaveText([member('Alice', true), member('Bob')]);
  // Bob sees Alice, who was there first.
  await expect(onlineList(bob.page).getByRole('listitem')).toHaveText(
    [member('Bob', true), member('Alice')],
    delivered,
  );

  // Bob closes the tab: pagehide sends user_left.
  await bob.page.close({ runBeforeUnload: true });
  await expect(log.getByText('Bob left')).toBeVisible(delivered);
  await expect(online.getByRole('listitem')).toHaveText([member('Alice', true)]);
  await expect(alice.page.getByRole('heading', { name: 'Online — 1' })).toBeVisible();
  // Once each.
  await expect(log.getByText('Bob joined')).toHaveCount(1);
  await expect(log.getByText('Bob left')).toHaveCount(1);

  // Carol navigates away instead of closing: the same goodbye.
  const carol = await users.start('Carol');
  await expect(log.getByText('Carol joined')).toBeVisible(delivered);
  await expect(online.getByRole('listitem')).toHaveText([member('Alice', true), member('Carol')]);
  await carol.page.goto('about:blank');
  await expect(log.getByText('Carol left')).toBeVisible(delivered);
  await expect(online.getByRole('listitem')).toHaveText([member('Alice', true)]);
});
