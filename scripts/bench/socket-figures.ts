// The WebSocket-mode figures, measured in Node against the in-process stand-in over real
// sockets: the library (RoomFeed, history, the codec), not the page.
import WebSocket from 'ws';
import { decodeChatEvent, messagePublication } from '../../src/lib/room/chat-events';
import { loadHistory } from '../../src/lib/room/history-reader';
import { RoomFeed } from '../../src/lib/feed/room-feed';
import type { WebSocketConstructor } from '../../src/lib/synap/socket-transport';
import { SynapRest, type StreamEvent } from '../../src/lib/synap/rest';
import type { SynapStandin } from '../../test/standin/server';
import { percentile, type Figures } from './report';

const NodeWebSocket = WebSocket as unknown as WebSocketConstructor;

export interface SocketSizes {
  backlogEvents: number;
  historyRuns: number;
  echoes: number;
  drops: number;
  decodeEvents: number;
}

export const SOCKET_SIZES: SocketSizes = {
  backlogEvents: 10_000,
  historyRuns: 10,
  echoes: 60,
  drops: 5,
  decodeEvents: 100_000,
};

export const SOCKET_SMOKE_SIZES: SocketSizes = {
  backlogEvents: 1_000,
  historyRuns: 2,
  echoes: 5,
  drops: 1,
  decodeEvents: 10_000,
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

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

/** Resolves when `feed` goes live, or rejects after `timeoutMs`. */
function untilLive(feed: RoomFeed, start: () => void, timeoutMs = 10_000): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`${feed.room} did not go live within ${timeoutMs} ms`));
    }, timeoutMs);
    const off = feed.on('state', ({ newState }) => {
      if (newState.kind !== 'live') return;
      clearTimeout(timer);
      off();
      resolve();
    });
    start();
  });
}

export async function socketFigures(
  standin: SynapStandin,
  figures: Figures,
  sizes: SocketSizes,
): Promise<void> {
  const rest = new SynapRest({ baseUrl: standin.url });
  const note = 'Node, RoomFeed over a working WebSocket';

  // 1. Catching up on missed events (the socket alone trickles 100 per 100 ms: ~10 s for 10,000).
  const backlogRoom = 'bench-backlog';
  const backlog = sizes.backlogEvents;
  await fill(rest, backlogRoom, backlog);
  const { generation } = await rest.stats(backlogRoom);
  const started = performance.now();
  const reader = new RoomFeed({
    rest,
    room: backlogRoom,
    subscriberId: 'bench-reader',
    cursor: { generation, nextOffset: 0 },
    WebSocket: NodeWebSocket,
  });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('catch-up took over 30 s')), 30_000);
      reader.on('event', ({ event }) => {
        if (event.offset !== backlog - 1) return;
        clearTimeout(timer);
        resolve();
      });
      reader.start();
    });
  } finally {
    reader.stop();
  }
  figures.record({
    figure: `catch up ${backlog.toLocaleString('en')} missed events`,
    value: performance.now() - started,
    unit: 'ms',
    target: 2_000,
    kind: 'max',
    note,
  });

  // 2. Opening a busy room: the last 50 messages out of the backlog.
  const historyTimes: number[] = [];
  for (let i = 0; i < sizes.historyRuns; i += 1) {
    const t0 = performance.now();
    const page = await loadHistory({
      consume: (from, limit) => rest.consume(backlogRoom, 'bench-history', from, limit),
      beforeOffset: backlog,
      minMessages: 50,
      maxEvents: 5_000,
      countsAsMessage: (event: StreamEvent) => event.event === 'message',
    });
    historyTimes.push(performance.now() - t0);
    if (page.events.filter((event) => event.event === 'message').length !== 50) {
      throw new Error('history did not return 50 messages');
    }
  }
  figures.record({
    figure: `open a room: last 50 messages (median of ${sizes.historyRuns})`,
    value: percentile(historyTimes, 50),
    unit: 'ms',
    target: 150,
    kind: 'max',
    note,
  });

  // 3. Publish-to-echo latency over the socket (the server polls every 100 ms).
  const echoRoom = 'bench-echo';
  await rest.ensureRoom(echoRoom);
  const echo = new RoomFeed({
    rest,
    room: echoRoom,
    subscriberId: 'bench-echo',
    WebSocket: NodeWebSocket,
  });
  const latencies: number[] = [];
  try {
    const arrivals = new Map<number, number>();
    echo.on('event', ({ event }) => arrivals.set(event.offset, performance.now()));
    await untilLive(echo, () => echo.start());
    for (let i = 0; i < sizes.echoes; i += 1) {
      const sentAt = performance.now();
      const { offset } = await rest.publish(
        echoRoom,
        'message',
        messagePublication('b', 'x', `e${i}`).data,
      );
      while (!arrivals.has(offset)) {
        if (performance.now() - sentAt > 10_000) throw new Error('an echo took over 10 s');
        await sleep(2);
      }
      latencies.push((arrivals.get(offset) ?? sentAt) - sentAt);
      await sleep(Math.random() * 50);
    }
  } finally {
    echo.stop();
  }
  figures.detail('socketEchoLatenciesMs', latencies.map(Math.round));
  for (const [p, target] of [
    [50, 120],
    [95, 200],
  ] as const) {
    figures.record({
      figure: `WebSocket: message echo latency p${p} (${sizes.echoes} messages)`,
      value: percentile(latencies, p),
      unit: 'ms',
      target,
      kind: 'max',
      note,
    });
  }

  // 4. Back live after the network drops the socket (a fresh client each time, so every
  // measurement is a first retry: later ones back off on purpose).
  const dropTimes: number[] = [];
  for (let i = 0; i < sizes.drops; i += 1) {
    const room = `bench-drop-${i}`;
    await rest.ensureRoom(room);
    const dropped = new RoomFeed({
      rest,
      room,
      subscriberId: 'bench-drop',
      WebSocket: NodeWebSocket,
    });
    try {
      await untilLive(dropped, () => dropped.start());
      const t0 = performance.now();
      await untilLive(dropped, () => standin.dropSockets());
      dropTimes.push(performance.now() - t0);
    } finally {
      dropped.stop();
    }
  }
  figures.record({
    figure: `WebSocket: back live after a dropped socket (median of ${sizes.drops})`,
    value: percentile(dropTimes, 50),
    unit: 'ms',
    target: 1_500,
    kind: 'max',
    note,
  });

  // 5. Decoding chat events (every frame goes through it).
  const sample: StreamEvent[] = Array.from({ length: sizes.decodeEvents }, (_, i) => ({
    offset: i,
    event: 'message',
    data: messagePublication('alice', `hello number ${i}`, `c${i}`).data,
    timestamp: 1_764_000_000,
  }));
  const d0 = performance.now();
  for (const event of sample) decodeChatEvent(event);
  figures.record({
    figure: 'decode chat events',
    value: sizes.decodeEvents / ((performance.now() - d0) / 1000),
    unit: 'events/s',
    target: 200_000,
    kind: 'min',
    note: 'Node',
  });
}
