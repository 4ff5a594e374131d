// Richer conversations, end to end, as two people use them: replies (with a quote that jumps
// to the answered message), edits (from the row's menu and with ↑), deletes, reactions from
// the emoji picker, and "Search this room" reaching back through thousands of events. The
// wire format stays readable by the seed's plain consumers, and only a message's author can
// edit or delete it, whatever name the event claims.
import type { Locator, Page } from '@playwright/test';
import {
  DELIVERY_TIMEOUT_MS,
  composer,
  consumeAll,
  ensureStream,
  expect,
  expectLive,
  messageData,
  publishManyViaControl,
  publishViaRest,
  seedDecodeRestEvent,
  sendMessage,
  test,
  timeline,
  type RestEvent,
} from './fixtures';

const delivered = { timeout: DELIVERY_TIMEOUT_MS };

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A message's text in its bubble (not in a reply's quote of it, nor an "Original: …" line). */
const bubbleText = (log: Locator | Page, text: string): Locator =>
  log.getByRole('paragraph').filter({ hasText: new RegExp(`^\\s*${escapeRegExp(text)}\\s*$`) });

/** The timeline row of the message whose bubble says `text`. */
const messageRow = (log: Locator, text: string): Locator =>
  log.locator('[data-row]').filter({ has: bubbleText(log.page(), text) });

const editBox = (page: Page) => page.getByRole('textbox', { name: 'Edit message', exact: true });
const replyBox = (page: Page) => page.getByRole('textbox', { name: 'Reply', exact: true });

/** Opens the row's "⋯" menu the way a mouse user does (it shows on hover) and picks `item`. */
async function rowAction(row: Locator, item: string): Promise<void> {
  await row.hover();
  const trigger = row.getByRole('button', { name: /^Actions for / });
  await trigger.click();
  await expect(trigger).toHaveAttribute('aria-expanded', 'true');
  const menu = row.page().getByRole('menu', { name: 'Message actions' });
  await expect(menu).toBeVisible();
  await menu.getByRole('menuitem', { name: item, exact: true }).click();
}

/** The 👍 chip under a row (its accessible name says who reacted). */
const thumbsChip = (row: Locator): Locator =>
  row.getByRole('group', { name: 'Reactions' }).getByRole('button', { name: /^👍 reacted by / });

/** The chip's visible text: the emoji and the count (the emoji is a box without an emoji font). */
const chipShows = (count: number) => new RegExp(`^\\s*👍\\s*${count}\\s*$`);

/** The stored `message` events of a stream with their offsets, decoded the seed's way. */
async function storedEvents(stream: string, server: string) {
  return (await consumeAll(stream, server)).map((event: RestEvent) => ({
    offset: event.offset,
    event: event.event,
    payload: seedDecodeRestEvent(event),
  }));
}

async function offsetOfMessage(stream: string, server: string, text: string): Promise<number> {
  const found = (await storedEvents(stream, server)).find(
    (event) => event.event === 'message' && event.payload.message === text,
  );
  if (!found) throw new Error(`no stored message "${text}"`);
  return found.offset;
}

test('replies, edits, reactions and deletes between two users; only the author can change a message @core', async ({
  users,
  synapUrl,
}) => {
  test.setTimeout(120_000);
  const stream = `${users.prefix}general`;
  const alice = await users.start('Alice');
  const bob = await users.start('Bob');
  const aliceLog = timeline(alice.page);
  const bobLog = timeline(bob.page);

  // --- reply ------------------------------------------------------------------------------
  await sendMessage(alice.page, 'Lunch at noon?');
  const bobsCopy = messageRow(bobLog, 'Lunch at noon?');
  await expect(bobsCopy).toBeVisible(delivered);

  // Reply from the row's menu; Esc takes it back to a plain message.
  await rowAction(bobsCopy, 'Reply');
  await expect(replyBox(bob.page)).toBeFocused();
  await expect(bob.page.getByText(/Replying to Alice:\s*Lunch at noon\?/)).toBeVisible();
  await replyBox(bob.page).press('Escape');
  await expect(composer(bob.page)).toBeVisible();
  await expect(replyBox(bob.page)).toHaveCount(0);
  await expect(bob.page.getByText(/Replying to/)).toHaveCount(0);

  // Again, for real; while Bob writes, the room talks on and pushes Alice's question up.
  await rowAction(bobsCopy, 'Reply');
  await expect(bob.page.getByText(/Replying to Alice:\s*Lunch at noon\?/)).toBeVisible();
  for (let i = 1; i <= 40; i += 1) {
    await publishViaRest(stream, 'message', messageData('Carol', `chatter ${i}`), synapUrl);
  }
  await expect(messageRow(bobLog, 'chatter 40')).toBeVisible(delivered);
  await replyBox(bob.page).fill('Noon works for me');
  await replyBox(bob.page).press('Enter');
  await expect(composer(bob.page)).toHaveValue('');
  await expect(bob.page.getByText(/Replying to/)).toHaveCount(0);

  // Alice sees the reply under a quote of her message, which is far up by now.
  const reply = messageRow(aliceLog, 'Noon works for me');
  await expect(reply).toBeVisible(delivered);
  const quote = reply.getByRole('button', { name: 'Go to the message from you: Lunch at noon?' });
  await expect(quote).toBeVisible();
  await expect(quote).toContainText('Lunch at noon?');
  await expect(
    messageRow(bobLog, 'Noon works for me').getByRole('button', {
      name: /^Go to the message from \u2068?Alice\u2069?: Lunch at noon\?$/,
    }),
  ).toBeVisible();
  const question = messageRow(aliceLog, 'Lunch at noon?');
  await expect(question).not.toBeInViewport();
  await quote.click();
  await expect(question).toBeInViewport();
  await expect(question).toHaveClass(/\bmarked\b/);
  // The mark is for a moment only.
  await expect(question).not.toHaveClass(/\bmarked\b/, { timeout: 5_000 });

  // --- edit, from the menu ----------------------------------------------------------------
  await sendMessage(alice.page, 'Meet at the cafe');
  await expect(messageRow(bobLog, 'Meet at the cafe')).toBeVisible(delivered);
  await rowAction(messageRow(aliceLog, 'Meet at the cafe'), 'Edit');
  await expect(editBox(alice.page)).toBeFocused();
  await expect(editBox(alice.page)).toHaveValue('Meet at the cafe');
  await expect(alice.page.getByRole('button', { name: 'Save', exact: true })).toBeVisible();
  await editBox(alice.page).fill('Meet at the park');
  await editBox(alice.page).press('Enter');
  await expect(composer(alice.page)).toHaveValue('');

  const parkForBob = messageRow(bobLog, 'Meet at the park');
  await expect(parkForBob).toBeVisible(delivered);
  await expect(bubbleText(bobLog, 'Meet at the cafe')).toHaveCount(0);
  const editedMark = parkForBob.getByRole('button', { name: /^edited/ });
  await expect(editedMark).toBeVisible();
  await expect(editedMark).toHaveAttribute('title', 'Original: Meet at the cafe');
  await editedMark.click();
  await expect(editedMark).toHaveAttribute('aria-expanded', 'true');
  await expect(parkForBob.getByText('Original: Meet at the cafe')).toBeVisible();
  await expect(
    messageRow(aliceLog, 'Meet at the park').getByRole('button', { name: /^edited/ }),
  ).toBeVisible();

  // --- edit, with ↑ in the empty message box (Esc lets it go first) -------------------------
  await sendMessage(alice.page, 'See you thre');
  await expect(messageRow(bobLog, 'See you thre')).toBeVisible(delivered);
  await expect(aliceLog.getByText('Sending…')).toHaveCount(0);
  await composer(alice.page).press('ArrowUp');
  await expect(editBox(alice.page)).toHaveValue('See you thre');
  await editBox(alice.page).press('Escape');
  await expect(composer(alice.page)).toHaveValue('');
  await expect(editBox(alice.page)).toHaveCount(0);
  await composer(alice.page).press('ArrowUp');
  await expect(editBox(alice.page)).toHaveValue('See you thre');
  await editBox(alice.page).fill('See you there');
  await editBox(alice.page).press('Enter');
  const thereForBob = messageRow(bobLog, 'See you there');
  await expect(thereForBob).toBeVisible(delivered);
  await expect(thereForBob.getByRole('button', { name: /^edited/ })).toBeVisible();
  await expect(bubbleText(bobLog, 'See you thre')).toHaveCount(0);

  // --- reactions --------------------------------------------------------------------------
  await rowAction(parkForBob, 'React…');
  const picker = bob.page.getByRole('dialog', { name: 'Add a reaction' });
  await expect(picker).toBeVisible();
  await picker.getByRole('button', { name: 'thumbs up' }).click();
  await expect(picker).toHaveCount(0);

  const parkForAlice = messageRow(aliceLog, 'Meet at the park');
  const aliceChip = thumbsChip(parkForAlice);
  const bobChip = thumbsChip(parkForBob);
  await expect(aliceChip).toHaveText(chipShows(1), delivered);
  await expect(aliceChip).toHaveAttribute('title', /Bob/);
  await expect(aliceChip).toHaveAccessibleName(/reacted by \u2068?Bob\u2069? — click to add yours/);
  await expect(aliceChip).toHaveAttribute('aria-pressed', 'false');
  await expect(bobChip).toHaveText(chipShows(1));
  await expect(bobChip).toHaveAttribute('aria-pressed', 'true');

  // Alice adds hers with a click on the chip: two, on both sides.
  await aliceChip.click();
  await expect(aliceChip).toHaveAttribute('aria-pressed', 'true');
  await expect(aliceChip).toHaveText(chipShows(2));
  await expect(bobChip).toHaveText(chipShows(2), delivered);
  await expect(bobChip).toHaveAttribute('title', /Alice/);

  // Bob takes his back: one (Alice's), on both sides.
  await bobChip.click();
  await expect(bobChip).toHaveText(chipShows(1));
  await expect(bobChip).toHaveAttribute('aria-pressed', 'false');
  await expect(aliceChip).toHaveText(chipShows(1), delivered);
  await expect(aliceChip).toHaveAttribute('aria-pressed', 'true');
  await expect(aliceChip).not.toHaveAttribute('title', /Bob/);
  await expect(bobChip).not.toHaveAttribute('title', /Bob/);

  // --- delete, with the confirmation ------------------------------------------------------
  await sendMessage(alice.page, 'Oops, wrong room');
  await expect(messageRow(bobLog, 'Oops, wrong room')).toBeVisible(delivered);
  await rowAction(messageRow(aliceLog, 'Oops, wrong room'), 'Delete');
  // The first activation only asks.
  const menu = alice.page.getByRole('menu', { name: 'Message actions' });
  const sure = menu.getByRole('menuitem', { name: 'Delete — sure?' });
  await expect(sure).toBeVisible();
  await expect(bubbleText(aliceLog, 'Oops, wrong room')).toHaveCount(1);
  await sure.click();
  await expect(bubbleText(aliceLog, 'Oops, wrong room')).toHaveCount(0);
  await expect(aliceLog.getByText('Message deleted', { exact: true })).toHaveCount(1);
  await expect(bubbleText(bobLog, 'Oops, wrong room')).toHaveCount(0, delivered);
  await expect(bobLog.getByText('Message deleted', { exact: true })).toBeVisible();
  await expect(bobLog.getByText('Message deleted', { exact: true })).toHaveCount(1);

  // --- forgeries: an edit and a delete under Bob's name on Alice's messages change nothing --
  const parkOffset = await offsetOfMessage(stream, synapUrl, 'Meet at the cafe');
  const thereOffset = await offsetOfMessage(stream, synapUrl, 'See you thre');
  await publishViaRest(
    stream,
    'message_edited',
    JSON.stringify({
      user_id: 'Bob',
      target: parkOffset,
      message: 'Forged by Bob',
      timestamp: Date.now(),
      client_id: 'forged-edit-1',
    }),
    synapUrl,
  );
  await publishViaRest(
    stream,
    'message_deleted',
    JSON.stringify({
      user_id: 'Bob',
      target: thereOffset,
      timestamp: Date.now(),
      client_id: 'forged-delete-1',
    }),
    synapUrl,
  );
  // The same kind of event does apply from the author (Carol, over REST, as another client
  // would). Events arrive in order: once this edit shows, the forgeries have been read.
  const sentinel = await publishViaRest(
    stream,
    'message',
    messageData('Carol', 'after the forgeries'),
    synapUrl,
  );
  await publishViaRest(
    stream,
    'message_edited',
    JSON.stringify({
      user_id: 'Carol',
      target: sentinel,
      message: 'after the forgeries, edited by Carol',
      timestamp: Date.now(),
      client_id: 'carol-edit-1',
    }),
    synapUrl,
  );
  for (const log of [aliceLog, bobLog]) {
    const carols = messageRow(log, 'after the forgeries, edited by Carol');
    await expect(carols).toBeVisible(delivered);
    await expect(carols.getByRole('button', { name: /^edited/ })).toBeVisible();
    await expect(log.getByText('Forged by Bob')).toHaveCount(0);
    await expect(bubbleText(log, 'Meet at the park')).toHaveCount(1);
    await expect(bubbleText(log, 'See you there')).toHaveCount(1);
    await expect(log.getByText('Message deleted', { exact: true })).toHaveCount(1);
  }

  // --- a reload keeps it all (cached tail + history) --------------------------------------
  for (const user of [alice, bob]) {
    await user.page.reload();
    const log = timeline(user.page);
    await expect(log).toBeVisible();
    await expectLive(user.page);
    await expect(messageRow(log, 'after the forgeries, edited by Carol')).toBeVisible(delivered);
    const park = messageRow(log, 'Meet at the park');
    await expect(park).toBeVisible();
    await expect(park.getByRole('button', { name: /^edited/ })).toHaveAttribute(
      'title',
      'Original: Meet at the cafe',
    );
    await expect(thumbsChip(park)).toHaveText(chipShows(1));
    await expect(thumbsChip(park)).toHaveAttribute(
      'aria-pressed',
      user === alice ? 'true' : 'false',
    );
    await expect(
      messageRow(log, 'See you there').getByRole('button', { name: /^edited/ }),
    ).toBeVisible();
    await expect(bubbleText(log, 'Meet at the cafe')).toHaveCount(0);
    await expect(bubbleText(log, 'Oops, wrong room')).toHaveCount(0);
    await expect(log.getByText('Message deleted', { exact: true })).toHaveCount(1);
    await expect(log.getByText('Forged by Bob')).toHaveCount(0);
  }
  // The reply's quote is still there after the reload (its message is in the history).
  await expect(
    messageRow(aliceLog, 'Noon works for me').getByRole('button', {
      name: 'Go to the message from you: Lunch at noon?',
    }),
  ).toBeAttached();
});

test('seed interop: a plain consumer reads every message, replies included, and may ignore the new event types @core', async ({
  users,
  synapUrl,
}) => {
  const stream = `${users.prefix}general`;
  const alice = await users.start('Alice');
  const bob = await users.start('Bob');
  const aliceLog = timeline(alice.page);
  const bobLog = timeline(bob.page);

  await sendMessage(alice.page, 'Seeds, are you there?');
  const question = messageRow(bobLog, 'Seeds, are you there?');
  await expect(question).toBeVisible(delivered);
  await rowAction(question, 'Reply');
  await replyBox(bob.page).fill('Reading you loud and clear');
  await replyBox(bob.page).press('Enter');
  await expect(messageRow(aliceLog, 'Reading you loud and clear')).toBeVisible(delivered);

  await rowAction(question, 'React…');
  await bob.page
    .getByRole('dialog', { name: 'Add a reaction' })
    .getByRole('button', {
      name: 'party popper',
    })
    .click();
  await expect(
    messageRow(aliceLog, 'Seeds, are you there?')
      .getByRole('group', { name: 'Reactions' })
      .getByRole('button', { name: /^🎉 reacted by / }),
  ).toBeVisible(delivered);

  await rowAction(messageRow(aliceLog, 'Seeds, are you there?'), 'Edit');
  await editBox(alice.page).fill('Seeds, are you still there?');
  await editBox(alice.page).press('Enter');
  await expect(messageRow(bobLog, 'Seeds, are you still there?')).toBeVisible(delivered);

  // What a seed consumer reads over REST: every `message`, decoded its way (bytes → JSON
  // string → JSON.parse); the rest are other event types it may skip.
  await expect
    .poll(async () => (await consumeAll(stream, synapUrl)).map((event) => event.event))
    .toEqual(expect.arrayContaining(['message_edited', 'reaction']));
  const events = await storedEvents(stream, synapUrl);
  const messages = events.filter((event) => event.event === 'message');
  expect(messages.map((m) => [m.payload.user_id, m.payload.message])).toEqual([
    ['Alice', 'Seeds, are you there?'],
    ['Bob', 'Reading you loud and clear'],
  ]);
  const [original, answer] = messages;
  for (const message of messages) {
    expect(typeof message.payload.timestamp).toBe('number');
  }
  // The reply is a plain message with one more field: the offset it answers.
  expect(answer?.payload.reply_to).toBe(original?.offset);
  expect(original?.payload).not.toHaveProperty('reply_to');

  const edit = events.find((event) => event.event === 'message_edited');
  expect(edit?.payload).toMatchObject({
    user_id: 'Alice',
    target: original?.offset,
    message: 'Seeds, are you still there?',
  });
  expect(typeof edit?.payload.timestamp).toBe('number');
  expect(typeof edit?.payload.client_id).toBe('string');
  const reaction = events.find((event) => event.event === 'reaction');
  expect(reaction?.payload).toMatchObject({
    user_id: 'Bob',
    target: original?.offset,
    emoji: '🎉',
    add: true,
  });
  expect(typeof reaction?.payload.timestamp).toBe('number');
  expect(typeof reaction?.payload.client_id).toBe('string');
  // Only the known kinds: nothing else was invented on the stream.
  const kinds = new Set(events.map((event) => event.event));
  expect(
    [...kinds].filter(
      (kind) =>
        !['message', 'message_edited', 'message_deleted', 'reaction', 'typing'].includes(kind) &&
        !['user_joined', 'user_left'].includes(kind),
    ),
  ).toEqual([]);
});

test('search this room: Ctrl+F, typing finds a message 7,000 events back, and Enter jumps to it, reading the history back on the way @core', async ({
  users,
  synapUrl,
}) => {
  const stream = `${users.prefix}general`;
  const needle = 'the needle is here';
  await ensureStream(stream, synapUrl);
  await publishViaRest(stream, 'message', messageData('Carol', needle), synapUrl);

  // 7,000 events on top, six messages in seven (more messages than the timeline keeps in
  // memory, 5,000), typing in between, published at once by the stand-in's test control.
  const FILLER_EVENTS = 7_000;
  const filler = Array.from({ length: FILLER_EVENTS }, (_, i) => {
    const author = i % 2 === 0 ? 'Dan' : 'Erin';
    return i % 7 === 6
      ? { event: 'typing', data: JSON.stringify({ user_id: author, is_typing: i % 2 === 0 }) }
      : { event: 'message', data: messageData(author, `hay ${i}`) };
  });
  await publishManyViaControl(stream, filler, synapUrl);
  await publishViaRest(stream, 'message', messageData('Dan', 'top of the haystack'), synapUrl);

  const alice = await users.start('Alice');
  const { page } = alice;
  const log = timeline(page);
  await expect(bubbleText(log, 'top of the haystack')).toBeInViewport(delivered);
  // The room opened with its newest messages only: the needle is not loaded.
  await expect(log.getByText(needle)).toHaveCount(0);

  // Ctrl+F from the message box, where the focus is once a room opens.
  await expect(composer(page)).toBeFocused();
  await page.keyboard.press('ControlOrMeta+f');
  const panel = page.getByRole('region', { name: 'Search this room' });
  await expect(panel).toBeVisible();
  const field = panel.getByRole('combobox', { name: 'Search this room' });
  // The panel opens to type in.
  await expect(field, 'the search field takes the focus').toBeFocused();
  // It searches as the user types: no Enter needed.
  await field.fill('needle');

  await expect(panel.getByRole('status')).toHaveText('1 message found.', { timeout: 30_000 });
  const results = panel.getByRole('listbox', { name: 'Messages found' });
  await expect(results.getByRole('option')).toHaveCount(1);
  const result = results.getByRole('option').first();
  await expect(result).toContainText(needle);
  await expect(result).toContainText('Carol');
  await expect(result.locator('mark')).toHaveText('needle');

  // Enter jumps to the first result, none chosen with ↓ first.
  await field.press('Enter');

  const found = messageRow(log, needle);
  await expect(found).toBeInViewport({ timeout: 30_000 });
  await expect(found).toHaveClass(/\bmarked\b/);
  await expect(bubbleText(log, needle)).toBeInViewport();
  await expect(page.getByText(/no longer available/)).toHaveCount(0);
  await expect(page.getByText(/Reading back/)).toHaveCount(0);
});
