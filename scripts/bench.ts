// `npm run bench`: the project's performance targets, measured against the in-process
// stand-in over real sockets. Prints one row per figure and exits non-zero on a miss.
// Timings are wall-clock on whatever machine runs it: compare runs on the same machine.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import WebSocket from 'ws';
import { decodeChatEvent, messagePublication } from '../src/lib/chat-events';
import { loadHistory } from '../src/lib/history';
import { RoomFeed } from '../src/lib/room-feed';
import type { WebSocketConstructor } from '../src/lib/socket-transport';
import { SynapRest, type StreamEvent } from '../src/lib/synap-rest';
import { startSynapStandin } from '../test/standin/server';

const NodeWebSocket = WebSocket as unknown as WebSocketConstructor;

interface Row {
  figure: string;
  value: number;
  unit: string;
  target: number;
  /** 'max': the value must not exceed the target; 'min': must reach it. */
  kind: 'max' | 'min';
}
const rows: Row[] = [];
function record(figure: string, value: number, unit: string, target: number, kind: Row['kind']) {
  rows.push({ figure, value: Math.round(value * 10) / 10, unit, target, kind });
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function fill(rest: SynapRest, room: string, count: number) {
  await rest.ensureRoom(room);
  const batch: Promise<unknown>[] = [];
  for (let i = 0; i < count; i += 1) {
    const event = i % 2 === 0 ? 'message' : 'typing';
    const data =
      event === 'message'
        ? messagePublication('bench', `message ${i}`, `c${i}`).data
        : JSON.stringify({ user_id: 'bench', is_typing: true, timestamp: Date.now() });
    batch.push(rest.publish(room, event, data));
    if (batch.length === 50) await Promise.all(batch.splice(0));
  }
  await Promise.all(batch);
}

const standin = await startSynapStandin({ port: 0 });
const rest = new SynapRest({ baseUrl: standin.url });
try {
  // 1. Catching up on 10,000 missed events (the socket alone trickles 100 per 100 ms: ~10 s).
  const backlogRoom = 'bench-backlog';
  await fill(rest, backlogRoom, 10_000);
  const { generation } = await rest.stats(backlogRoom);
  const started = performance.now();
  await new Promise<void>((resolve) => {
    const subscription = new RoomFeed({
      rest,
      room: backlogRoom,
      subscriberId: 'bench-reader',
      cursor: { generation, nextOffset: 0 },
      WebSocket: NodeWebSocket,
    });
    subscription.on('event', ({ event }) => {
      if (event.offset === 9_999) {
        subscription.stop();
        resolve();
      }
    });
    subscription.start();
  });
  record('catch up 10,000 missed events', performance.now() - started, 'ms', 2_000, 'max');

  // 2. Opening a busy room: the last 50 messages out of 10,000 events.
  const historyTimes: number[] = [];
  for (let i = 0; i < 10; i += 1) {
    const t0 = performance.now();
    const page = await loadHistory({
      consume: (from, limit) => rest.consume(backlogRoom, 'bench-history', from, limit),
      beforeOffset: 10_000,
      minMessages: 50,
      maxEvents: 5_000,
      countsAsMessage: (event: StreamEvent) => event.event === 'message',
    });
    historyTimes.push(performance.now() - t0);
    if (page.events.filter((event) => event.event === 'message').length !== 50) {
      throw new Error('history did not return 50 messages');
    }
  }
  record(
    'open a room: last 50 messages (median of 10)',
    percentile(historyTimes, 50),
    'ms',
    150,
    'max',
  );

  // 3. Publish-to-echo latency over the socket (the server polls every 100 ms).
  const echoRoom = 'bench-echo';
  await rest.ensureRoom(echoRoom);
  const echo = new RoomFeed({
    rest,
    room: echoRoom,
    subscriberId: 'bench-echo',
    WebSocket: NodeWebSocket,
  });
  const arrivals = new Map<number, number>();
  echo.on('event', ({ event }) => arrivals.set(event.offset, performance.now()));
  await new Promise<void>((resolve) => {
    echo.on('state', ({ newState }) => newState.kind === 'live' && resolve());
    echo.start();
  });
  const latencies: number[] = [];
  for (let i = 0; i < 60; i += 1) {
    const sentAt = performance.now();
    const { offset } = await rest.publish(
      echoRoom,
      'message',
      messagePublication('b', 'x', `e${i}`).data,
    );
    while (!arrivals.has(offset)) await new Promise((resolve) => setTimeout(resolve, 2));
    latencies.push((arrivals.get(offset) ?? sentAt) - sentAt);
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 50));
  }
  echo.stop();
  record('message echo latency p50', percentile(latencies, 50), 'ms', 120, 'max');
  record('message echo latency p95', percentile(latencies, 95), 'ms', 200, 'max');

  // 4. Back live after the network drops the socket (a fresh client each time, so every
  // measurement is a first retry: later ones back off on purpose).
  const dropTimes: number[] = [];
  for (let i = 0; i < 5; i += 1) {
    const room = `bench-drop-${i}`;
    await rest.ensureRoom(room);
    const dropped = new RoomFeed({
      rest,
      room,
      subscriberId: 'bench-drop',
      WebSocket: NodeWebSocket,
    });
    let live: () => void = () => {};
    dropped.on('state', ({ newState }) => newState.kind === 'live' && live());
    await new Promise<void>((resolve) => {
      live = resolve;
      dropped.start();
    });
    const t0 = performance.now();
    await new Promise<void>((resolve) => {
      live = resolve;
      standin.dropSockets();
    });
    dropTimes.push(performance.now() - t0);
    dropped.stop();
  }
  record(
    'back live after a dropped socket (median of 5)',
    percentile(dropTimes, 50),
    'ms',
    1_500,
    'max',
  );

  // 5. Decoding chat events (every frame goes through it).
  const sample: StreamEvent[] = Array.from({ length: 100_000 }, (_, i) => ({
    offset: i,
    event: 'message',
    data: messagePublication('alice', `hello number ${i}`, `c${i}`).data,
    timestamp: 1_764_000_000,
  }));
  const d0 = performance.now();
  for (const event of sample) decodeChatEvent(event);
  record(
    'decode chat events',
    100_000 / ((performance.now() - d0) / 1000),
    'events/s',
    200_000,
    'min',
  );
} finally {
  await standin.close();
}

// 6. What every user downloads.
// Built fresh, so the figure is never that of an older build left in dist/.
execFileSync('npx', ['vite', 'build'], { stdio: 'ignore' });
const html = readFileSync('dist/index.html');
record('app size (dist/index.html, gzip)', gzipSync(html).length / 1024, 'KiB', 60, 'max');

let missed = 0;
console.log('\nfigure | value | target | result');
console.log('--- | --- | --- | ---');
for (const row of rows) {
  const ok = row.kind === 'max' ? row.value <= row.target : row.value >= row.target;
  if (!ok) missed += 1;
  const target = `${row.kind === 'max' ? '≤' : '≥'} ${row.target.toLocaleString('en')} ${row.unit}`;
  console.log(
    `${row.figure} | ${row.value.toLocaleString('en')} ${row.unit} | ${target} | ${ok ? 'ok' : 'MISSED'}`,
  );
}
console.log(missed ? `\n${missed} target(s) missed` : '\nall targets met');
process.exit(missed ? 1 : 0);
