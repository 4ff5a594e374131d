// Hostile input, part 1: the XSS corpus (xss-vectors.ts) published over REST into a room the
// way any Synap client could, as message text, user ids (messages, typing, presence), event
// types and room names, both as the seed's JSON strings and as objects. One receiving user,
// in real Chromium with the built app (and its Content-Security-Policy), must run none of it,
// load nothing, get no markup from it, and show message text as text (light formatting such as
// *bold* at most: see src/lib/text/message-format.ts).
import { publishViaRest, roomsNav, test, expect, timeline, DELIVERY_TIMEOUT_MS } from '../fixtures';
import { checkTrapsArmed, startChatting, trapReport, trappedContext } from './page-trap';
import { writeHostileSummary } from './summary';
import { EVALUATION_PROBES, XSS_VECTORS, type XssVector } from './xss-vectors';
import { roomIdProblem } from '../../../src/lib/servers/room-names';
import { plainText } from '../../../src/lib/text/message-format';

const delivered = { timeout: DELIVERY_TIMEOUT_MS };
const BATCH = 8;
/** chat-events.ts refuses longer user ids as malformed. */
const MAX_USER_ID_CHARS = 128;
/** Rooms the app can address (room-names.ts): everything else is skipped by design. */
const addressableRoom = (id: string) => roomIdProblem(id) === null;
/** Addressable rooms opened and chatted in (each takes a few seconds); all are listed. */
const ROOMS_OPENED = 12;

function batches<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The seed's way (a JSON string holding the payload) for even ids, an object for odd ones. */
function payload(vector: XssVector, value: Record<string, unknown>): unknown {
  return vector.id % 2 === 0 ? JSON.stringify(value) : value;
}

/** Plain enough for getByText's whitespace-normalising exact match. */
function sampleable(text: string): boolean {
  return (
    text === text.trim() &&
    ![...text].some((ch) => {
      const code = ch.codePointAt(0) ?? 0;
      return code < 0x20 || code === 0x7f || (code >= 0x2028 && code <= 0x202e);
    })
  );
}

test('hostile input: 300+ XSS vectors in every field run nothing and show as text', async ({
  browser,
  synapUrl,
  synapMode,
  users,
}) => {
  test.setTimeout(600_000);
  const prefix = users.prefix;
  const stream = `${prefix}general`;
  // A tall window: a whole batch of rows is drawn at once by the virtualised timeline.
  const reader = await trappedContext(browser, { viewport: { width: 1280, height: 2400 } });
  const { page } = reader;
  const placements = {
    messageText: 0,
    userIdInMessageTypingJoined: 0,
    eventType: 0,
    editTextReactionEmojiReplyTo: 0,
    roomName: 0,
    roomNameRefusedByServer: 0,
    roomLink: 0,
  };
  try {
    await startChatting(reader, { name: 'Reader', prefix, serverUrl: synapUrl, mode: synapMode });
    await checkTrapsArmed(page);
    const log = timeline(page);
    const publish = (event: string, data: unknown) => publishViaRest(stream, event, data, synapUrl);
    const waitFor = async (sentinel: string) => {
      await publish('message', JSON.stringify({ user_id: 'Sentinel', message: sentinel }));
      await expect(log.getByText(sentinel, { exact: true })).toBeVisible(delivered);
    };
    const shownTexts = async () =>
      new Set((await log.getByRole('paragraph').allTextContents()).map((text) => text.trim()));

    // Message text, each vector twice: as a JSON string and as an object.
    for (const [index, batch] of batches(XSS_VECTORS, BATCH).entries()) {
      await Promise.all(
        batch.flatMap((vector) => {
          const message = { user_id: 'Mallory', message: vector.text, timestamp: Date.now() };
          placements.messageText += 2;
          return [publish('message', JSON.stringify(message)), publish('message', message)];
        }),
      );
      await waitFor(`text batch ${index} done`);
      const shown = await shownTexts();
      // Shown as text, formatted at most: "*x*" reads "x" in bold, never as markup.
      const missing = batch.filter((vector) => !shown.has(plainText(vector.text).trim()));
      expect(missing, 'vectors not shown as text').toEqual([]);
      const sample = batch.find(
        (vector) => sampleable(vector.text) && plainText(vector.text) === vector.text,
      );
      if (sample) {
        await expect(log.getByText(sample.text, { exact: true }).first()).toBeVisible();
      }
    }
    // Template syntax stays as typed: nothing evaluated it to 49.
    for (const probe of EVALUATION_PROBES) {
      await publish('message', JSON.stringify({ user_id: 'Mallory', message: probe }));
    }
    await waitFor('probes done');
    for (const probe of EVALUATION_PROBES) {
      await expect(log.getByText(probe, { exact: true }).last()).toBeVisible();
    }
    await expect(log.getByText('49', { exact: true })).toHaveCount(0);

    // Edits, reactions and replies carry them too: an edit's text is shown (formatted at most),
    // a reaction's emoji as a chip's text or not at all, a reply's target as a number only.
    for (const [index, batch] of batches(XSS_VECTORS, BATCH).entries()) {
      const target = await publish(
        'message',
        JSON.stringify({ user_id: 'Mallory', message: `target ${index}` }),
      );
      await Promise.all(
        batch.flatMap((vector) => {
          placements.editTextReactionEmojiReplyTo += 3;
          return [
            publish('message_edited', { user_id: 'Mallory', target, message: vector.text }),
            publish('reaction', { user_id: 'Mallory', target, emoji: vector.text, add: true }),
            publish('message', {
              user_id: 'Mallory',
              message: `re-${vector.id}`,
              reply_to: vector.text,
            }),
          ];
        }),
      );
      await waitFor(`annotation batch ${index} done`);
    }

    // User ids, in a message, typing and presence; `uid-N` tells the message was shown.
    for (const [index, batch] of batches(XSS_VECTORS, BATCH).entries()) {
      await Promise.all(
        batch.flatMap((vector) => {
          const userId = vector.text;
          const timestamp = Date.now();
          placements.userIdInMessageTypingJoined += 3;
          return [
            publish('message', payload(vector, { user_id: userId, message: `uid-${vector.id}` })),
            publish('typing', payload(vector, { user_id: userId, is_typing: true, timestamp })),
            publish('user_joined', payload(vector, { user_id: userId, timestamp })),
          ];
        }),
      );
      await waitFor(`user batch ${index} done`);
      const shown = await shownTexts();
      const valid = batch.filter((vector) => {
        const trimmed = vector.text.trim();
        return trimmed !== '' && trimmed.length <= MAX_USER_ID_CHARS;
      });
      const missing = valid.filter((vector) => !shown.has(`uid-${vector.id}`));
      expect(missing, 'messages from hostile user ids not shown').toEqual([]);
      const sample = valid.find((vector) => sampleable(vector.text));
      if (sample) {
        await expect(log.getByText(sample.text, { exact: true }).first()).toBeVisible();
      }
    }
    // The online list has them, as text (the latest: presence fades after 75 s of silence).
    const online = page.getByRole('list', { name: 'Online' });
    const onlineSample = [...XSS_VECTORS]
      .reverse()
      .find((vector) => sampleable(vector.text) && vector.text.length <= MAX_USER_ID_CHARS);
    if (onlineSample) {
      await expect(online.getByText(onlineSample.text, { exact: true }).first()).toBeAttached();
    }

    // Event types: another app's events, never shown.
    for (const batch of batches(XSS_VECTORS, 20)) {
      await Promise.all(
        batch.map((vector) =>
          publish(
            vector.text,
            payload(vector, { user_id: 'Mallory', message: `evtype-${vector.id}` }),
          ),
        ),
      );
      placements.eventType += batch.length;
    }
    await waitFor('event types done');
    await expect(log.getByText(/evtype-/)).toHaveCount(0);

    // Room names: streams `{prefix}{vector}` wherever the server takes the name. The app lists
    // only the ids it can address; those it joins and chats in, the rest it must skip.
    const addressable: XssVector[] = [];
    for (const batch of batches(XSS_VECTORS, 20)) {
      const answers = await Promise.all(
        batch.map((vector) =>
          fetch(`${synapUrl}/stream/${encodeURIComponent(`${prefix}${vector.text}`)}`, {
            method: 'PUT',
          }),
        ),
      );
      batch.forEach((vector, index) => {
        if (!answers[index]?.ok) {
          placements.roomNameRefusedByServer += 1;
          return;
        }
        placements.roomName += 1;
        if (addressableRoom(vector.text)) addressable.push(vector);
      });
    }
    const rooms = roomsNav(page);
    await rooms.getByRole('button', { name: 'Refresh room list' }).click();
    for (const vector of addressable.filter((v) => sampleable(v.text))) {
      await expect(
        rooms.getByRole('button', { name: `Join ${vector.text}`, exact: true }),
      ).toBeVisible(delivered);
    }
    const joinButtons = await rooms.getByRole('button', { name: /^Join / }).allTextContents();
    expect(joinButtons.length, 'only addressable rooms are offered').toBe(addressable.length);
    // Links to every room: the addressable ones open, the others change nothing.
    for (const vector of XSS_VECTORS) {
      if (addressableRoom(vector.text)) continue;
      await page.evaluate(
        (hash) => (location.hash = hash),
        `#/room/${encodeURIComponent(vector.text)}`,
      );
      placements.roomLink += 1;
    }
    await expect(timeline(page)).toBeVisible();
    const opened = addressable.filter((v) => sampleable(v.text)).slice(0, ROOMS_OPENED);
    for (const vector of opened) {
      await page.evaluate(
        (hash) => (location.hash = hash),
        `#/room/${encodeURIComponent(vector.text)}`,
      );
      const roomLog = timeline(page, vector.text);
      await expect(roomLog).toBeVisible();
      await expect(page.getByRole('status')).toHaveText(/^\s*Live/, delivered);
      const text = `hello in ${vector.text}`;
      await publishViaRest(
        `${prefix}${vector.text}`,
        'message',
        JSON.stringify({ user_id: vector.text, message: text }),
        synapUrl,
      );
      await expect(roomLog.getByText(plainText(text), { exact: true })).toBeVisible(delivered);
    }
    // The join form refuses the rest, saying why, with the name shown as text.
    const joinForm = rooms.getByLabel('Room name');
    for (const vector of XSS_VECTORS.filter((v) => !addressableRoom(v.text)).slice(0, 8)) {
      await joinForm.fill(vector.text);
      await joinForm.press('Enter');
      await expect(
        rooms.getByText(/Room names cannot|at most 100 characters|Enter a room name/),
      ).toBeVisible();
    }

    // Nothing ran, nothing loaded, nothing became markup.
    const report = await trapReport(page);
    const hrefs = await page.evaluate(() =>
      [
        ...document.querySelectorAll('body [href], body [src], body [action], body [formaction]'),
      ].map(
        (element) =>
          element.getAttribute('href') ??
          element.getAttribute('src') ??
          element.getAttribute('action') ??
          element.getAttribute('formaction') ??
          '',
      ),
    );
    expect(
      hrefs.filter((href) => /^\s*(javascript|data|vbscript):/i.test(href)),
      'javascript:/data: links in the page',
    ).toEqual([]);
    writeHostileSummary('xss', {
      vectors: XSS_VECTORS.length,
      placements,
      executed: report.executed.length,
      cspViolations: report.cspViolations.length,
      domDangers: report.domDangers.length,
      strayRequests: reader.strayRequests.length,
    });
    expect(report.executed, 'vectors that ran').toEqual([]);
    expect(report.domDangers, 'active markup in the page').toEqual([]);
    expect(report.cspViolations, 'Content-Security-Policy violations').toEqual([]);
    expect(reader.strayRequests, 'requests a vector made').toEqual([]);
    expect(reader.problems, 'uncaught errors or dialogs').toEqual([]);
  } finally {
    await reader.context.close();
  }
});
