import WebSocket from 'ws';
import {
  DELIVERY_TIMEOUT_MS,
  consumeAll,
  expect,
  publishViaRest,
  seedDecodeRestEvent,
  sendMessage,
  test,
  timeline,
} from './fixtures';

const delivered = { timeout: DELIVERY_TIMEOUT_MS };

/** 2025-11-24 16:00:00.5 UTC, as Python's time.time() gives it. */
const PY_SECONDS = 1_764_000_000.5;
const PY_ISO = '2025-11-24T16:00:00.500Z';

/** Frames of the stream WebSocket, read the seed's JavaScript way, until `done` says stop. */
function readSocket(
  url: string,
  done: (frames: Array<Record<string, unknown>>) => boolean,
): Promise<Array<Record<string, unknown>>> {
  return new Promise((resolve, reject) => {
    const frames: Array<Record<string, unknown>> = [];
    const ws = new WebSocket(url);
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error(`no complete answer from ${url}; got ${JSON.stringify(frames)}`));
    }, DELIVERY_TIMEOUT_MS);
    ws.on('message', (raw: WebSocket.RawData) => {
      frames.push(JSON.parse(raw.toString()) as Record<string, unknown>);
      if (done(frames)) {
        clearTimeout(timer);
        ws.close();
        resolve(frames);
      }
    });
    ws.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

test.use({ locale: 'en-GB', timezoneId: 'Europe/Paris' });

test('seed interop: messages published the seed’s Python and JavaScript ways render correctly', async ({
  users,
  synapUrl,
}) => {
  const alice = await users.start('Alice');
  const stream = `${users.prefix}general`;
  const log = timeline(alice.page);

  // Python: data = json.dumps({...}), timestamp = time.time() (float seconds).
  await publishViaRest(
    stream,
    'message',
    JSON.stringify({ user_id: 'PySeed', message: 'hello from python', timestamp: PY_SECONDS }),
    synapUrl,
  );
  await expect(log.getByText('hello from python', { exact: true })).toBeVisible(delivered);
  await expect(log.getByText('PySeed', { exact: true })).toBeVisible();
  // The right day and local time (Paris is UTC+1 in November), not 1970 nor the year 57000.
  const pyTime = log.locator(`time[datetime="${PY_ISO}"]`);
  await expect(pyTime).toHaveCount(1);
  await expect(pyTime).toHaveText('17:00');
  await expect(pyTime).toHaveAttribute('title', /24 November 2025/);
  await expect(log.getByRole('separator', { name: /24 November/ })).toBeVisible();
  await expect(log.getByText(/1970|57\d\d\d/)).toHaveCount(0);

  // JavaScript: data = JSON.stringify({...}), timestamp = Date.now() (ms).
  const jsMs = Date.now();
  await publishViaRest(
    stream,
    'message',
    JSON.stringify({ user_id: 'JsSeed', message: 'hello from javascript', timestamp: jsMs }),
    synapUrl,
  );
  await expect(log.getByText('hello from javascript', { exact: true })).toBeVisible(delivered);
  await expect(log.locator(`time[datetime="${new Date(jsMs).toISOString()}"]`)).toHaveCount(1);

  // Other publishers send data as a JSON object instead of a string.
  await publishViaRest(
    stream,
    'message',
    {
      user_id: 'ObjSeed',
      message: 'hello as an object',
      timestamp: jsMs,
    },
    synapUrl,
  );
  await expect(log.getByText('hello as an object', { exact: true })).toBeVisible(delivered);
  await expect(log.getByText('ObjSeed', { exact: true })).toBeVisible();

  // Junk in the stream is skipped, not shown and not fatal.
  await publishViaRest(stream, 'message', 'not json at all', synapUrl);
  await publishViaRest(stream, 'message', JSON.stringify({ message: 'no author' }), synapUrl);
  await publishViaRest(stream, 'message', JSON.stringify({ user_id: 'X', message: 42 }), synapUrl);
  await publishViaRest(
    stream,
    'message',
    JSON.stringify({ user_id: 'Seed', message: 'after junk' }),
    synapUrl,
  );
  await expect(log.getByText('after junk', { exact: true })).toBeVisible(delivered);
  await expect(log.getByText('no author')).toHaveCount(0);
  await expect(log.getByText('not json at all')).toHaveCount(0);
});

test('seed interop: what the app publishes reads back the seed’s REST and WebSocket ways', async ({
  users,
  synapUrl,
}) => {
  const alice = await users.start('Alice');
  const stream = `${users.prefix}general`;
  await sendMessage(alice.page, 'hello seed readers');
  await expect(timeline(alice.page).getByText('hello seed readers')).toBeVisible();

  // REST consume: data is the bytes of the published JSON; decode, then JSON.parse.
  await expect
    .poll(async () =>
      (await consumeAll(stream, synapUrl)).some((event) => event.event === 'message'),
    )
    .toBe(true);
  const events = await consumeAll(stream, synapUrl);
  const message = events.find((event) => event.event === 'message');
  if (!message) throw new Error('no message event in the stream');
  expect(Array.isArray(message.data)).toBe(true);
  const payload = seedDecodeRestEvent(message);
  expect(payload.user_id).toBe('Alice');
  expect(payload.message).toBe('hello seed readers');
  expect(typeof payload.timestamp).toBe('number');
  expect(Math.abs((payload.timestamp as number) - Date.now())).toBeLessThan(10 * 60_000);
  // Presence, too, is the seed's user_joined shape.
  const joined = events.find((event) => event.event === 'user_joined');
  if (!joined) throw new Error('no user_joined event in the stream');
  expect(seedDecodeRestEvent(joined)).toMatchObject({ user_id: 'Alice' });

  // WebSocket: the seed's direct connection, `JSON.parse(event.data)` then `JSON.parse(msg.data)`.
  const wsUrl = `${synapUrl.replace(/^http/, 'ws')}/stream/${stream}/ws/seed-js-reader?from_offset=0`;
  const frames = await readSocket(wsUrl, (seen) =>
    seen.some((frame) => frame.type === 'event' && frame.event === 'message'),
  );
  expect(frames[0]).toMatchObject({ type: 'connected', room: stream });
  const frame = frames.find((f) => f.type === 'event' && f.event === 'message');
  expect(typeof frame?.data).toBe('string');
  const data = JSON.parse(frame?.data as string) as Record<string, unknown>;
  expect(data.user_id).toBe('Alice');
  expect(data.message).toBe('hello seed readers');
});
