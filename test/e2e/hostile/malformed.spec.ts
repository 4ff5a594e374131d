// Hostile input, part 2: malformed frames and payloads from a server of the test's own
// (hostile-server.ts). After every kind the app must still show a normal message, raise no
// page error, show nothing it was not meant to (replayed or far-ahead offsets), and count
// what it skipped in Room info.
import {
  composer,
  connectionStatus,
  expect,
  roomInfoValues,
  sendMessage,
  test,
  timeline,
  DELIVERY_TIMEOUT_MS,
  type SynapMode,
} from '../fixtures';
import { HostileSynap, eventFrame, type ConsumeOverride } from './hostile-server';
import { startChatting, trapReport, trappedContext, type TrappedUser } from './page-trap';
import { writeHostileSummary } from './summary';

const delivered = { timeout: DELIVERY_TIMEOUT_MS };
const MB = 1024 * 1024;

/** `data` the seed's way (a JSON string holding the payload), as stored JSON text. */
const seed = (payload: unknown) => JSON.stringify(JSON.stringify(payload));
/** `data` as an object, as stored JSON text. */
const object = (payload: unknown) => JSON.stringify(payload);
const deep = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

interface KindContext {
  server: HostileSynap;
  room: string;
  /** The offset the next stored event gets. */
  next: () => number;
  /** Sends frames to the app's socket. */
  send: (...frames: Array<string | Buffer>) => Promise<void>;
  /** Stores a hostile event (REST and socket agree on it) and sends it. */
  store: (dataJson: string, options?: { event?: string; timestampJson?: string }) => void;
}

interface Kind {
  name: string;
  /** How many frames or events the app should count as skipped. */
  skipped: number;
  run: (context: KindContext) => Promise<void> | void;
  /** Text that must never show (an offset the app must not accept again). */
  neverShown?: string;
}

const frame = (fields: Record<string, unknown>) => JSON.stringify(fields);
const message = (offset: number, text: string) =>
  frame({
    type: 'event',
    offset,
    event: 'message',
    data: seed({ user_id: 'Mallory', message: text }),
    timestamp: 1,
  });

/** Frames over the stream WebSocket, and hostile events stored in the room. */
const SOCKET_KINDS: Kind[] = [
  { name: 'not JSON', skipped: 1, run: (c) => c.send('hello, not json') },
  { name: 'truncated JSON', skipped: 1, run: (c) => c.send('{"type":"event","offset":') },
  { name: 'empty frame', skipped: 1, run: (c) => c.send('') },
  { name: 'JSON null', skipped: 1, run: (c) => c.send('null') },
  { name: 'JSON number', skipped: 1, run: (c) => c.send('42') },
  { name: 'JSON string', skipped: 1, run: (c) => c.send('"event"') },
  { name: 'JSON array', skipped: 1, run: (c) => c.send('[{"type":"event"}]') },
  { name: 'unknown frame type', skipped: 1, run: (c) => c.send(frame({ type: 'banana' })) },
  {
    name: 'frame without a type',
    skipped: 1,
    run: (c) => c.send(frame({ offset: c.next(), event: 'message', data: 'x' })),
  },
  {
    name: 'frame type of the wrong type',
    skipped: 1,
    run: (c) => c.send(frame({ type: ['event'], offset: c.next(), event: 'message' })),
  },
  {
    name: 'event without an offset',
    skipped: 1,
    run: (c) => c.send(frame({ type: 'event', event: 'message', data: 'x', timestamp: 1 })),
  },
  {
    name: 'offset as text',
    skipped: 1,
    run: (c) => c.send(frame({ type: 'event', offset: String(c.next()), event: 'message' })),
  },
  { name: 'negative offset', skipped: 1, run: (c) => c.send(message(-1, 'FAKE-negative')) },
  {
    name: 'fractional offset',
    skipped: 1,
    run: (c) => c.send(message(c.next() + 0.5, 'FAKE-fraction')),
  },
  { name: 'offset beyond 2^53', skipped: 1, run: (c) => c.send(message(2 ** 60, 'FAKE-2^60')) },
  {
    name: 'offset 1e400 (Infinity)',
    skipped: 1,
    run: (c) => c.send('{"type":"event","offset":1e400,"event":"message","data":null}'),
  },
  {
    name: 'event name missing',
    skipped: 1,
    run: (c) => c.send(frame({ type: 'event', offset: c.next(), data: 'x', timestamp: 1 })),
  },
  {
    name: 'event name not text',
    skipped: 1,
    run: (c) => c.send(frame({ type: 'event', offset: c.next(), event: 42, data: 'x' })),
  },
  {
    name: 'binary frame',
    skipped: 1,
    run: (c) => c.send(Buffer.from([0x00, 0xff, 0xfe, 0x7b, 0x22, 0x80, 0x81])),
  },
  {
    // Read as text it would be a valid event for the next offset; taken, it would make the
    // server's real event at that offset a duplicate, and the next check would fail.
    name: 'binary frame holding a valid event',
    skipped: 1,
    neverShown: 'FAKE-binary',
    run: (c) => c.send(Buffer.from(message(c.next(), 'FAKE-binary'))),
  },
  {
    name: '5 MB text frame',
    skipped: 1,
    run: (c) => c.send(`{"type":"noise","pad":"${'x'.repeat(5 * MB)}"}`),
  },
  { name: '5 MB binary frame', skipped: 1, run: (c) => c.send(Buffer.alloc(5 * MB, 0x7b)) },
  {
    name: '5,000-deep nested frame',
    skipped: 1,
    run: (c) => c.send(`{"type":"event","nested":${deep(5000)}}`),
  },
  {
    name: '100,000-deep nested frame',
    skipped: 1,
    run: (c) => c.send(`{"type":"event","nested":${deep(100_000)}}`),
  },
  {
    name: 'offsets going backwards',
    skipped: 0,
    neverShown: 'FAKE-replayed',
    run: (c) =>
      c.send(...[3, 2, 1].map((back) => message(Math.max(0, c.next() - back), 'FAKE-replayed'))),
  },
  {
    name: 'duplicate of the last offset',
    skipped: 0,
    neverShown: 'FAKE-duplicate',
    run: (c) => c.send(message(c.next() - 1, 'FAKE-duplicate')),
  },
  {
    name: 'offset far ahead (a gap)',
    skipped: 0,
    neverShown: 'FAKE-far-ahead',
    run: (c) => c.send(message(Number.MAX_SAFE_INTEGER, 'FAKE-far-ahead')),
  },
  {
    name: 'a second welcome',
    skipped: 0,
    run: (c) => c.send(frame({ type: 'connected', room: c.room, from_offset: 0 })),
  },
  {
    name: 'error frame with hostile text',
    skipped: 0,
    run: (c) => c.send(frame({ type: 'error', error: '<img src=x onerror=__xssHit("error")>' })),
  },
  {
    name: 'error frame claiming a huge earliest offset',
    skipped: 0,
    run: (c) =>
      c.send(
        frame({
          type: 'error',
          error: 'Stream offset 5 out of range; earliest retained offset is 999999999',
        }),
      ),
  },
  {
    name: '1 MB message',
    skipped: 0,
    run: (c) => c.store(seed({ user_id: 'Big', message: `BIG-START ${'x'.repeat(MB)} BIG-END` })),
  },
  {
    name: '1 MB user_id',
    skipped: 1,
    run: (c) => c.store(seed({ user_id: 'u'.repeat(MB), message: 'x' })),
  },
  { name: 'payload 5,000 deep', skipped: 1, run: (c) => c.store(deep(5000)) },
  {
    name: 'message 5,000 deep',
    skipped: 1,
    run: (c) => c.store(`{"user_id":"Deep","message":${deep(5000)}}`),
  },
  { name: 'data that is not JSON text', skipped: 1, run: (c) => c.store('"not json {"') },
  { name: 'data null', skipped: 1, run: (c) => c.store('null') },
  { name: 'data a number', skipped: 1, run: (c) => c.store('12345') },
  { name: 'data an array', skipped: 1, run: (c) => c.store('["user_id","message"]') },
  {
    name: 'data encoded twice',
    skipped: 1,
    run: (c) => c.store(JSON.stringify(seed({ user_id: 'Twice', message: 'x' }))),
  },
  { name: 'user_id missing', skipped: 1, run: (c) => c.store(seed({ message: 'no author' })) },
  {
    name: 'user_id an object',
    skipped: 1,
    run: (c) => c.store(object({ user_id: { name: 'x' }, message: 'x' })),
  },
  {
    name: 'user_id an array',
    skipped: 1,
    run: (c) => c.store(object({ user_id: ['x'], message: 'x' })),
  },
  {
    name: 'user_id blank',
    skipped: 1,
    run: (c) => c.store(seed({ user_id: ' \t ', message: 'x' })),
  },
  {
    name: 'message a number',
    skipped: 1,
    run: (c) => c.store(seed({ user_id: 'N', message: 42 })),
  },
  { name: 'message null', skipped: 1, run: (c) => c.store(seed({ user_id: 'N', message: null })) },
  {
    name: 'message an object',
    skipped: 1,
    run: (c) => c.store(object({ user_id: 'N', message: { text: 'x' } })),
  },
  {
    name: 'typing and presence with wrong types',
    skipped: 2,
    run: (c) => {
      c.store(seed({ user_id: 'T', is_typing: 'yes' }), { event: 'typing' });
      c.store(seed({ user_id: 17, heartbeat: 'sure' }), { event: 'user_joined' });
      c.store(seed({ user_id: null }), { event: 'user_left' });
      c.store('"{]"', { event: 'typing' });
    },
  },
  {
    name: 'unknown event types',
    skipped: 0,
    run: (c) => {
      for (const event of ['MESSAGE', 'message ', '__proto__', 'constructor', 'toString', '']) {
        c.store(seed({ user_id: 'Other', message: 'FAKE-unknown-type' }), { event });
      }
    },
    neverShown: 'FAKE-unknown-type',
  },
  {
    name: 'absurd timestamps',
    skipped: 0,
    run: (c) => {
      const payloadTimes: unknown[] = [
        1e300,
        -1,
        0,
        'NaN',
        'yesterday',
        8.64e15 + 1,
        [],
        {},
        true,
        '2025-13-45T99:99:99Z',
        1e11 - 1,
        Number.MAX_SAFE_INTEGER,
      ];
      payloadTimes.forEach((timestamp, index) =>
        c.store(seed({ user_id: 'Clock', message: `time-payload-${index}`, timestamp })),
      );
      ['1e300', '-5', '"noon"', 'null', '1e400', '0.5', '8640000000001', '{}'].forEach(
        (timestampJson, index) =>
          c.store(seed({ user_id: 'Clock', message: `time-server-${index}` }), { timestampJson }),
      );
    },
  },
  {
    name: 'prototype pollution',
    skipped: 0,
    run: (c) =>
      c.store(
        '{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}},' +
          '"user_id":"__proto__","message":"proto-ok"}',
      ),
  },
  {
    name: 'lone surrogates and control characters',
    skipped: 0,
    run: (c) =>
      c.store('{"user_id":"\\ud800Lone","message":"lone \\udfff \\u0000 \\u202e\\u0007 end"}'),
  },
  {
    name: 'a burst of 5,000 frames',
    skipped: 2_500,
    run: (c) =>
      c.server.burst(
        c.room,
        Array.from({ length: 2_500 }, (_, index) => ({
          event: 'message',
          dataJson: seed({ user_id: 'Burst', message: `burst ${index}` }),
        })),
        (index) => (index % 2 ? Buffer.from([index % 256]) : `junk ${index}`),
      ),
  },
];

/** Consume answers of every shape, met while the app polls (the server's WebSocket fails). */
const REST_KINDS: Array<Kind & { override?: ConsumeOverride }> = [
  {
    name: 'consume answer not JSON',
    skipped: 0,
    run: () => {},
    override: () => ({ body: '<html>oops' }),
  },
  {
    name: 'consume answer without events',
    skipped: 0,
    run: () => {},
    override: (h) => ({ body: `{"next_offset":${h.nextOffset}}` }),
  },
  {
    name: 'consume answer with events not a list',
    skipped: 0,
    run: () => {},
    override: (h) => ({ body: `{"events":{"0":1},"next_offset":${h.nextOffset}}` }),
  },
  {
    name: 'unreadable entries in a consume answer',
    skipped: 7,
    run: () => {},
    override: (h) => ({
      body: `{"events":[${[
        ...h.events,
        'null',
        '5',
        '"x"',
        '{}',
        '{"offset":"3","event":"message","data":[]}',
        '{"offset":-1,"event":"message","data":[]}',
        `{"offset":${h.nextOffset},"event":42,"data":[]}`,
      ].join(',')}],"next_offset":${h.nextOffset}}`,
    }),
  },
  {
    name: 'consume next_offset backwards, negative, huge',
    skipped: 0,
    run: () => {},
    override: (h) => ({ body: `{"events":[${h.events.join(',')}],"next_offset":-5}` }),
  },
  {
    name: 'consume answer padded to 5 MB and 5,000 deep',
    skipped: 0,
    run: () => {},
    override: (h) => ({
      body: `{"events":[${h.events.join(',')}],"next_offset":${h.nextOffset},"pad":"${'x'.repeat(5 * MB)}","deep":${deep(5000)}}`,
    }),
  },
  {
    name: 'HTTP 500 with an HTML page',
    skipped: 0,
    run: () => {},
    override: () => ({ status: 500, body: '<h1>500</h1>' }),
  },
  {
    name: 'HTTP 200 with an empty body',
    skipped: 0,
    run: () => {},
    override: () => ({ body: '' }),
  },
  {
    name: 'data not bytes',
    skipped: 1,
    run: (c) =>
      void c.server.append(c.room, 'message', seed({ user_id: 'R', message: 'x' }), {
        restDataJson: '"hello"',
      }),
  },
  {
    name: 'data bytes out of range',
    skipped: 1,
    run: (c) =>
      void c.server.append(c.room, 'message', seed({ user_id: 'R', message: 'x' }), {
        restDataJson: '[300,-1,"a",null,1e9]',
      }),
  },
  {
    name: 'data bytes of invalid UTF-8',
    skipped: 1,
    run: (c) =>
      void c.server.append(c.room, 'message', seed({ user_id: 'R', message: 'x' }), {
        restDataJson: '[255,254,128,123]',
      }),
  },
  {
    name: 'consume event far ahead (a gap)',
    skipped: 0,
    neverShown: 'FAKE-rest-ahead',
    run: () => {},
    override: (h) => ({
      body: `{"events":[${[
        ...h.events,
        eventFrame({
          offset: Number.MAX_SAFE_INTEGER,
          event: 'message',
          dataJson: `[${Buffer.from(seed({ user_id: 'M', message: 'FAKE-rest-ahead' })).join(',')}]`,
          timestampJson: '1',
        }).replace('"type":"event",', ''),
      ].join(',')}],"next_offset":${h.nextOffset}}`,
    }),
  },
];

async function checkStillWorking(
  user: TrappedUser,
  server: HostileSynap,
  room: string,
  kind: Kind,
  index: number,
): Promise<void> {
  const { page } = user;
  const log = timeline(page);
  const text = `ok after kind ${index}: ${kind.name}`;
  server.append(room, 'message', seed({ user_id: 'Bob', message: text }));
  await expect(
    log.getByText(text, { exact: true }),
    `the app stopped after "${kind.name}"`,
  ).toBeVisible(delivered);
  if (kind.neverShown) await expect(log.getByText(kind.neverShown)).toHaveCount(0);
  expect(user.problems, `page errors after "${kind.name}"`).toEqual([]);
}

async function runKinds(
  mode: SynapMode,
  kinds: Array<Kind & { override?: ConsumeOverride }>,
  browser: Parameters<typeof trappedContext>[0],
  prefix: string,
): Promise<{ keptWorking: number; skippedShown: number; expectedSkipped: number }> {
  const server = new HostileSynap();
  server.websocketBroken = mode === 'polling';
  await server.start();
  const user = await trappedContext(browser);
  const { page } = user;
  const room = `${prefix}general`;
  let keptWorking = 0;
  let expectedSkipped = 0;
  try {
    await startChatting(user, { name: 'Alice', prefix, serverUrl: server.url, mode });
    await checkStillWorking(
      user,
      server,
      room,
      { name: 'nothing yet', skipped: 0, run: () => {} },
      -1,
    );
    const context: KindContext = {
      server,
      room,
      next: () => server.nextOffset(room),
      send: async (...frames) => {
        expect(await server.sendRaw(room, frames), 'open sockets').toBe(1);
      },
      store: (dataJson, options = {}) =>
        void server.append(room, options.event ?? 'message', dataJson, options),
    };
    for (const [index, kind] of kinds.entries()) {
      if (mode === 'socket') {
        // One live socket to take the frames (a kind before may have made the app reconnect).
        await expect(connectionStatus(page)).toHaveText('Live', delivered);
        await expect.poll(() => server.openSockets(room), delivered).toBe(1);
      }
      if (kind.override) server.consumeOverrides.push(kind.override);
      await kind.run(context);
      expectedSkipped += kind.skipped;
      await checkStillWorking(user, server, room, kind, index);
      keptWorking += 1;
    }
    // The page never showed an impossible time, and still sends.
    const log = timeline(page);
    await expect(log.getByText(/NaN|Invalid Date|Infinity/)).toHaveCount(0);
    await sendMessage(page, 'still chatting');
    await expect(log.getByText('still chatting', { exact: true })).toBeVisible(delivered);
    await expect(composer(page)).toBeEditable();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(await page.evaluate(() => (({}) as Record<string, unknown>).polluted)).toBeUndefined();
    // Room info counts what was skipped.
    await expect
      .poll(async () => (await roomInfoValues(page)).Skipped, delivered)
      .toBe(expectedSkipped.toLocaleString('en-US'));
    const skippedShown = Number(((await roomInfoValues(page)).Skipped ?? '0').replace(/\D/g, ''));
    const report = await trapReport(page);
    expect(report.executed, 'code that ran').toEqual([]);
    expect(report.domDangers, 'active markup in the page').toEqual([]);
    expect(report.cspViolations, 'Content-Security-Policy violations').toEqual([]);
    expect(user.problems).toEqual([]);
    return { keptWorking, skippedShown, expectedSkipped };
  } finally {
    await user.context.close();
    await server.close();
  }
}

test('hostile input: malformed frames and events over the socket are skipped and counted', async ({
  browser,
  users,
}) => {
  test.setTimeout(300_000);
  const result = await runKinds('socket', SOCKET_KINDS, browser, users.prefix);
  writeHostileSummary('malformed-socket', {
    kinds: SOCKET_KINDS.length,
    keptWorking: result.keptWorking,
    skippedShown: result.skippedShown,
  });
});

test('hostile input: malformed consume answers while polling are skipped and counted', async ({
  browser,
  users,
}) => {
  test.setTimeout(300_000);
  const result = await runKinds('polling', REST_KINDS, browser, users.prefix);
  writeHostileSummary('malformed-rest', {
    kinds: REST_KINDS.length,
    keptWorking: result.keptWorking,
    skippedShown: result.skippedShown,
  });
});
