import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { WebSocketServer } from 'ws';
import type { NetworkMonitor } from '../../../src/lib/feed/network-monitor';
import {
  RoomFeed,
  type RoomFeedEvents,
  type RoomFeedOptions,
  type FeedState,
} from '../../../src/lib/feed/room-feed';
import { probeWebSocket } from '../../../src/lib/synap/socket-transport';
import { SynapError, SynapRest, type RoomStats } from '../../../src/lib/synap/rest';
import {
  TransportPolicy,
  UPGRADE_FAILURES_BEFORE_POLLING,
} from '../../../src/lib/synap/transport-policy';
import { startSynapStandin, type SynapStandin } from '../../standin/server';
import { NodeWebSocket, uniqueRoom, waitFor } from '../helpers';

let standin: SynapStandin;
let rest: SynapRest;
const running: RoomFeed[] = [];

beforeAll(async () => {
  standin = await startSynapStandin({ port: 0, pollIntervalMs: 20 });
  rest = new SynapRest({ baseUrl: standin.url });
});
afterAll(() => standin.close());
afterEach(() => {
  standin.stall(false);
  for (const subscription of running.splice(0)) subscription.stop();
});

/** A started subscription that records everything it reports. */
function watch(options: Partial<RoomFeedOptions> & { room: string }) {
  const subscription = new RoomFeed({
    rest,
    subscriberId: 'tester',
    WebSocket: NodeWebSocket,
    ...options,
  });
  running.push(subscription);
  const seen = {
    offsets: [] as number[],
    live: [] as boolean[],
    states: [] as FeedState['kind'][],
    gaps: [] as RoomFeedEvents['gap'][],
    resets: [] as RoomFeedEvents['reset'][],
    malformed: 0,
  };
  subscription.on('event', ({ event, live }) => {
    seen.offsets.push(event.offset);
    seen.live.push(live);
  });
  subscription.on('state', ({ newState }) => seen.states.push(newState.kind));
  subscription.on('gap', (gap) => seen.gaps.push(gap));
  subscription.on('reset', (reset) => seen.resets.push(reset));
  subscription.on('malformed', ({ count }) => (seen.malformed += count));
  subscription.start();
  return { subscription, seen };
}

async function publishMany(room: string, count: number, via = rest) {
  for (let i = 0; i < count; i += 1) await via.publish(room, 'message', { n: i });
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

/** The stand-in, except that its first stats answer is `first` (stats read at a bad moment). */
function firstStatsAre(first: RoomStats, via = rest): SynapRest {
  let answered = false;
  return new Proxy(via, {
    get(target, key) {
      if (key === 'stats') {
        return async (...args: Parameters<SynapRest['stats']>) => {
          if (answered) return target.stats(...args);
          answered = true;
          return first;
        };
      }
      const value: unknown = Reflect.get(target, key);
      return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
    },
  });
}

describe('RoomFeed against the stand-in', () => {
  it('starts at the end of the room without a cursor and delivers new events live', async () => {
    const room = uniqueRoom();
    await rest.ensureRoom(room);
    await publishMany(room, 3);
    const { subscription, seen } = watch({ room });
    await waitFor(() => subscription.state.kind === 'live', 'live');
    await publishMany(room, 2);
    await waitFor(() => seen.offsets.length === 2, 'two live events');
    expect(seen.offsets).toEqual([3, 4]);
    expect(seen.live).toEqual([true, true]);
  });

  it('replays from a cursor in order (backlog marked not live), over REST when far behind', async () => {
    const room = uniqueRoom();
    await rest.ensureRoom(room);
    await publishMany(room, 350);
    const { generation } = await rest.stats(room);
    const { seen } = watch({ room, cursor: { generation, nextOffset: 10 }, catchUpPageSize: 120 });
    await waitFor(() => seen.offsets.length === 340, 'the backlog');
    expect(seen.offsets).toEqual(range(10, 350));
    expect(seen.live.every((live) => !live)).toBe(true);
  });

  it('resumes after a dropped socket with no gap and no duplicate', async () => {
    const room = uniqueRoom();
    await rest.ensureRoom(room);
    const { subscription, seen } = watch({ room, reconnect: { minDelayMs: 50, maxDelayMs: 200 } });
    await waitFor(() => subscription.state.kind === 'live', 'live');
    await publishMany(room, 5);
    await waitFor(() => seen.offsets.length === 5, 'first five');
    standin.dropSockets();
    await publishMany(room, 5);
    await waitFor(() => seen.states.includes('reconnecting'), 'a reconnect');
    await publishMany(room, 5);
    await waitFor(() => seen.offsets.length >= 15, 'all fifteen');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(seen.offsets).toEqual(range(0, 15));
  });

  it('creates a missing room and goes live', async () => {
    const room = uniqueRoom('missing');
    const { subscription } = watch({ room });
    await waitFor(() => subscription.state.kind === 'live', 'live');
    expect((await rest.stats(room)).name).toBe(room);
  });

  it('detects a wiped room by its generation, reports the reset and follows the new room', async () => {
    const room = uniqueRoom();
    await rest.ensureRoom(room);
    await publishMany(room, 4);
    const before = await rest.stats(room);
    const { subscription, seen } = watch({
      room,
      cursor: { generation: before.generation, nextOffset: 4 },
      reconnect: { minDelayMs: 50, maxDelayMs: 200 },
      livenessIntervalMs: 100,
    });
    await waitFor(() => subscription.state.kind === 'live', 'live');
    standin.wipe();
    await waitFor(() => seen.resets.length === 1, 'the reset');
    expect(seen.resets[0]?.oldGeneration).toBe(before.generation);
    expect(seen.resets[0]?.newGeneration).toBeGreaterThan(before.generation);
    await waitFor(() => subscription.state.kind === 'live', 'live again');
    await publishMany(room, 2);
    await waitFor(() => seen.offsets.length === 2, 'events of the new room');
    expect(seen.offsets).toEqual([0, 1]);
    expect(subscription.generation).toBe(seen.resets[0]?.newGeneration);
  });

  it('detects a reset from a stored cursor of an older generation', async () => {
    const room = uniqueRoom();
    await rest.ensureRoom(room);
    await publishMany(room, 2);
    const { seen, subscription } = watch({ room, cursor: { generation: 1, nextOffset: 40 } });
    await waitFor(() => subscription.state.kind === 'live', 'live');
    expect(seen.resets).toHaveLength(1);
    await waitFor(() => seen.offsets.length === 2, 'the new room from its start');
    expect(seen.offsets).toEqual([0, 1]);
  });

  it('never follows a wiped room from the old room’s offset when the stats were read just before the wipe', async () => {
    const room = uniqueRoom('wiped-between');
    await rest.ensureRoom(room);
    await publishMany(room, 5);
    const before = await rest.stats(room);
    standin.wipe();
    await rest.ensureRoom(room);
    await publishMany(room, 1);
    const { subscription, seen } = watch({
      room,
      rest: firstStatsAre(before),
      cursor: { generation: before.generation, nextOffset: 2 },
      // Far off: only the catch-up itself may notice.
      livenessIntervalMs: 600_000,
      reconnect: { minDelayMs: 50, maxDelayMs: 200 },
    });
    await waitFor(() => seen.resets.length === 1, 'the reset');
    await waitFor(() => seen.offsets.length === 1, "the new room's event");
    expect(seen.offsets).toEqual([0]);
    expect(subscription.generation).toBe(seen.resets[0]?.newGeneration);
  });

  it('notices by its liveness check a feed that stands past the end of its room, and reads the room again', async () => {
    const room = uniqueRoom('past-the-end');
    await rest.ensureRoom(room);
    await publishMany(room, 3);
    const real = await rest.stats(room);
    // The room as the feed believed it: ten events, its cursor at the end of them.
    const believed = { ...real, totalPublished: 10, maxOffset: 9, messageCount: 10 };
    const { subscription, seen } = watch({
      room,
      rest: firstStatsAre(believed),
      cursor: { generation: real.generation, nextOffset: 10 },
      livenessIntervalMs: 100,
      reconnect: { minDelayMs: 50, maxDelayMs: 200 },
    });
    await waitFor(() => seen.resets.length === 1, 'the reset');
    await waitFor(() => subscription.state.kind === 'live', 'live again');
    await publishMany(room, 2);
    await waitFor(() => seen.offsets.length === 5, 'the whole room, then what came after');
    expect(seen.offsets).toEqual(range(0, 5));
  });

  it('jumps over events lost to retention and says how many', async () => {
    const small = await startSynapStandin({ port: 0, maxBuffer: 10, pollIntervalMs: 20 });
    try {
      const smallRest = new SynapRest({ baseUrl: small.url });
      const room = uniqueRoom();
      await smallRest.ensureRoom(room);
      const { generation } = await smallRest.stats(room);
      for (let i = 0; i < 30; i += 1) await smallRest.publish(room, 'message', i);
      const { seen } = watch({ room, rest: smallRest, cursor: { generation, nextOffset: 0 } });
      await waitFor(() => seen.offsets.length === 10, 'the retained events');
      expect(seen.gaps).toEqual([{ fromOffset: 0, toOffset: 20, lost: 20 }]);
      expect(seen.offsets).toEqual(range(20, 30));
    } finally {
      await small.close();
    }
  });

  it('notices a half-open socket by its own liveness check and reconnects', async () => {
    const room = uniqueRoom();
    await rest.ensureRoom(room);
    const { subscription, seen } = watch({
      room,
      livenessIntervalMs: 100,
      reconnect: { minDelayMs: 50, maxDelayMs: 100 },
    });
    await waitFor(() => subscription.state.kind === 'live', 'live');
    standin.stall(true);
    await publishMany(room, 3);
    await waitFor(() => seen.states.includes('reconnecting'), 'the dead socket noticed');
    standin.stall(false);
    await waitFor(() => seen.offsets.length === 3, 'the stalled events');
    expect(seen.offsets).toEqual([0, 1, 2]);
  });

  it("keeps delivering after a retention sweep emptied the room (Synap's stale min_offset)", async () => {
    const expiring = await startSynapStandin({ port: 0, retentionSecs: 0, pollIntervalMs: 20 });
    try {
      const expiringRest = new SynapRest({ baseUrl: expiring.url });
      const room = uniqueRoom();
      await expiringRest.ensureRoom(room);
      for (let i = 0; i < 5; i += 1) await expiringRest.publish(room, 'message', i);
      const { generation } = await expiringRest.stats(room);
      const { subscription, seen } = watch({
        room,
        rest: expiringRest,
        cursor: { generation, nextOffset: 0 },
        livenessIntervalMs: 100,
        reconnect: { minDelayMs: 50, maxDelayMs: 100 },
      });
      await waitFor(() => seen.offsets.length === 5, 'the first five');
      // The sweep empties the room; the server now looks for offset X at X - 5.
      expiring.compact();
      for (let i = 0; i < 3; i += 1) await expiringRest.publish(room, 'message', i);
      await waitFor(() => seen.offsets.length === 8, 'the events after the sweep');
      expect(seen.offsets).toEqual(range(0, 8));
      await expiringRest.publish(room, 'message', 'later');
      await waitFor(() => seen.offsets.length === 9, 'a later event, by polling');
      expect(seen.live.at(-1)).toBe(true);
      expect(subscription.state.kind).toBe('live');
      const history = await subscription.consume(5, 10);
      expect(history.events.map((event) => event.offset)).toEqual([5, 6, 7, 8]);
    } finally {
      await expiring.close();
    }
  });

  it('stops at 401 with an unauthorized state instead of retrying', async () => {
    const secured = await startSynapStandin({ port: 0, apiKeys: ['secret'] });
    try {
      const { subscription } = watch({
        room: uniqueRoom(),
        rest: new SynapRest({ baseUrl: secured.url }),
      });
      await waitFor(() => subscription.state.kind === 'unauthorized', 'unauthorized');
      expect(subscription.state).toMatchObject({ kind: 'unauthorized', forbidden: false });
      const keyed = watch({
        room: uniqueRoom(),
        rest: new SynapRest({ baseUrl: secured.url, apiKey: 'secret' }),
      });
      await waitFor(() => keyed.subscription.state.kind === 'live', 'live with the key');
    } finally {
      await secured.close();
    }
  });

  it('skips and counts frames it cannot read, keeping the socket', async () => {
    const garbage = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    garbage.on('connection', (socket) => {
      socket.send('{"type":"connected"}');
      for (const frame of ['not json', '42', '{"type":"event"}', '{"type":"mystery"}']) {
        socket.send(frame);
      }
      socket.send('{"type":"event","offset":0,"event":"message","data":{"ok":true},"timestamp":1}');
    });
    await new Promise((resolve) => garbage.once('listening', resolve));
    const { port } = garbage.address() as { port: number };
    const room = uniqueRoom();
    await rest.ensureRoom(room);
    const { generation } = await rest.stats(room);
    class ToGarbage extends NodeWebSocket {
      constructor() {
        super(`ws://127.0.0.1:${port}/`);
      }
    }
    const { seen } = watch({ room, WebSocket: ToGarbage, cursor: { generation, nextOffset: 0 } });
    try {
      await waitFor(() => seen.offsets.length === 1, 'the good frame');
      expect(seen.malformed).toBe(4);
    } finally {
      garbage.close();
    }
  });
});

describe('RoomFeed reconnect timing', () => {
  it('backs off from about half a second, doubling up to 30 s, and retries at once when back online', async () => {
    vi.useFakeTimers({
      toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'],
    });
    try {
      const down = new SynapRest({
        baseUrl: 'http://127.0.0.1:9',
        fetch: () => Promise.reject(new TypeError('fetch failed')),
      });
      let notify: (online: boolean) => void = () => {};
      const network: NetworkMonitor = {
        online: true,
        subscribe(listener) {
          notify = listener;
          return () => {};
        },
      };
      const delays: number[] = [];
      const subscription = new RoomFeed({
        rest: down,
        room: 'r',
        subscriberId: 's',
        WebSocket: NodeWebSocket,
        network,
        random: () => 0.999_999,
      });
      running.push(subscription);
      subscription.on('state', ({ newState }) => {
        if (newState.kind === 'reconnecting') delays.push(newState.delayMs);
      });
      subscription.start();
      for (let i = 0; i < 9; i += 1) {
        await vi.waitFor(() => expect(delays).toHaveLength(i + 1));
        await vi.advanceTimersByTimeAsync(delays[i] ?? 0);
      }
      expect(delays.slice(0, 9)).toEqual([
        999, 1_499, 2_499, 4_499, 8_499, 16_499, 30_000, 30_000, 30_000,
      ]);
      const before = delays.length;
      notify(true);
      await vi.waitFor(() => expect(delays.length).toBe(before + 1));
      // Coming back online resets the attempts: the next wait is short again.
      expect(delays.at(-1)).toBe(999);
    } finally {
      vi.useRealTimers();
    }
  });

  it('goes offline at once when the browser loses the network, and comes back with it', async () => {
    const room = uniqueRoom();
    await rest.ensureRoom(room);
    let notify: (online: boolean) => void = () => {};
    const network = {
      online: true,
      subscribe(listener: (online: boolean) => void) {
        notify = listener;
        return () => {};
      },
    };
    const { subscription, seen } = watch({ room, network });
    await waitFor(() => subscription.state.kind === 'live', 'live');
    network.online = false;
    notify(false);
    expect(subscription.state.kind).toBe('offline');
    await rest.publish(room, 'message', 'while offline');
    network.online = true;
    notify(true);
    // The catch-up read may hand over the event a moment before the transport is open.
    await waitFor(
      () => seen.offsets.length === 1 && subscription.state.kind === 'live',
      'live again, with the event sent while offline',
    );
    expect(seen.offsets).toEqual([0]);
  });

  it('waits for the network while the browser says it is offline', async () => {
    const down = new SynapRest({
      baseUrl: 'http://127.0.0.1:9',
      fetch: () => Promise.reject(new SynapError('network', 'offline')),
    });
    const network: NetworkMonitor = { online: false, subscribe: () => () => {} };
    const { subscription } = watch({ room: 'r', rest: down, network });
    await waitFor(() => subscription.state.kind === 'offline', 'offline');
    expect(subscription.state.kind).toBe('offline');
  });
});

describe('RoomFeed over a server whose WebSocket upgrades fail', () => {
  let server: SynapStandin;
  let serverRest: SynapRest;
  beforeAll(async () => {
    server = await startSynapStandin({ port: 0, pollIntervalMs: 20, websocket: 'broken' });
    serverRest = new SynapRest({ baseUrl: server.url });
  });
  afterAll(() => server.close());
  afterEach(() => server.setWebSocket('broken'));

  /** A policy shared like the app shares one per server, probing every `probeMs`. */
  function policyFor(probeMs: number) {
    const policy = new TransportPolicy({
      serverUrl: server.url,
      probe: () => probeWebSocket(NodeWebSocket, serverRest.socketUrl('probe', 'tester', 0)),
      probeIntervalMs: probeMs,
      random: () => 0,
    });
    return policy;
  }

  const policies: TransportPolicy[] = [];
  afterEach(() => {
    for (const policy of policies.splice(0)) policy.stop();
  });

  /** A fresh room on this server and a feed watching it, its policy probing every `probeMs`. */
  async function watchRoom(label: string, probeMs: number, options: Partial<RoomFeedOptions> = {}) {
    const room = uniqueRoom(label);
    await serverRest.ensureRoom(room);
    const policy = policyFor(probeMs);
    policies.push(policy);
    const watched = watch({
      room,
      rest: serverRest,
      policy,
      reconnect: { minDelayMs: 50, maxDelayMs: 200 },
      ...options,
    });
    return { room, feed: watched.subscription, seen: watched.seen };
  }

  /** Publishes `count` events one every `everyMs`, in the background. */
  function publishSteadily(room: string, count: number, everyMs: number): Promise<void> {
    return (async () => {
      for (let i = 0; i < count; i += 1) {
        await serverRest.publish(room, 'message', { n: i });
        await new Promise((resolve) => setTimeout(resolve, everyMs));
      }
    })();
  }

  it('goes live by polling after a few refused upgrades, says why, and delivers in order', async () => {
    // How fast is the bench's to measure; here: it switches without waiting out backoff.
    const { room, feed, seen } = await watchRoom('polled', 60_000);
    await waitFor(() => feed.state.kind === 'live', 'live by polling');
    expect(feed.state).toMatchObject({ kind: 'live', transport: 'polling' });
    expect(feed.state.kind === 'live' && feed.state.reason).toMatch(/WebSocket/);
    expect(seen.states.filter((kind) => kind === 'reconnecting').length).toBeLessThan(
      UPGRADE_FAILURES_BEFORE_POLLING,
    );
    await publishMany(room, 5, serverRest);
    await waitFor(() => seen.offsets.length === 5, 'five events by polling');
    expect(seen.offsets).toEqual(range(0, 5));
    expect(seen.live.every(Boolean)).toBe(true);
  });

  it('hands over from polling to the socket once upgrades work, with no gap and no duplicate', async () => {
    const { room, feed, seen } = await watchRoom('handover', 300);
    await waitFor(() => feed.state.kind === 'live', 'live by polling');
    const publishing = publishSteadily(room, 60, 15);
    await waitFor(() => seen.offsets.length >= 10, 'some events by polling');
    server.setWebSocket('working');
    await waitFor(
      () => feed.state.kind === 'live' && feed.state.transport === 'websocket',
      'the socket',
    );
    await publishing;
    await waitFor(() => seen.offsets.length >= 60, 'all sixty');
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(seen.offsets).toEqual(range(0, 60));
    // The switch happened while live: the user never saw "connecting".
    expect(seen.states.slice(seen.states.indexOf('live'))).not.toContain('connecting');
  });

  it('falls back from the socket to polling when upgrades start failing, with no gap and no duplicate', async () => {
    server.setWebSocket('working');
    const { room, feed, seen } = await watchRoom('fallback', 60_000);
    await waitFor(
      () => feed.state.kind === 'live' && feed.state.transport === 'websocket',
      'the socket',
    );
    const publishing = publishSteadily(room, 40, 15);
    await waitFor(() => seen.offsets.length >= 10, 'some events on the socket');
    server.setWebSocket('broken');
    server.dropSockets();
    await waitFor(
      () => feed.state.kind === 'live' && feed.state.transport === 'polling',
      'polling',
    );
    await publishing;
    await waitFor(() => seen.offsets.length >= 40, 'all forty');
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(seen.offsets).toEqual(range(0, 40));
  });

  it('reports a wipe while polling and follows the new room from its start', async () => {
    const room = uniqueRoom('wiped');
    await serverRest.ensureRoom(room);
    await publishMany(room, 3, serverRest);
    const policy = policyFor(60_000);
    try {
      const { subscription: feed, seen } = watch({
        room,
        rest: serverRest,
        policy,
        livenessIntervalMs: 100,
        reconnect: { minDelayMs: 50, maxDelayMs: 200 },
      });
      await waitFor(() => feed.state.kind === 'live', 'live by polling');
      server.wipe();
      await serverRest.ensureRoom(room);
      await serverRest.publish(room, 'message', 'after the wipe');
      await waitFor(() => seen.resets.length === 1, 'the reset');
      await waitFor(() => seen.offsets.length === 1, "the new room's event");
      expect(seen.offsets).toEqual([0]);
    } finally {
      policy.stop();
    }
  });
});

describe('RoomFeed against a server that lies in its error frames', () => {
  it(
    'checks a huge "earliest retained offset" with the stats before reporting any loss',
    { timeout: 20_000 },
    async () => {
      const room = uniqueRoom('liar');
      await rest.ensureRoom(room);
      await publishMany(room, 3);
      // REST goes to the honest stand-in; the socket says every event is gone.
      let lies = 0;
      const liar = new WebSocketServer({ port: 0 });
      liar.on('connection', (socket) => {
        lies += 1;
        socket.send(
          JSON.stringify({ type: 'connected', room, subscriber_id: 'tester', from_offset: 0 }),
        );
        socket.send(
          JSON.stringify({
            type: 'error',
            error: 'Stream offset 3 out of range; earliest retained offset is 999999999',
          }),
        );
        socket.terminate();
      });
      await new Promise((resolve) => liar.once('listening', resolve));
      const liarPort = (liar.address() as { port: number }).port;
      const RoutedWebSocket = class extends NodeWebSocket {
        constructor(url: string) {
          super(url.replace(new URL(standin.url).host, `127.0.0.1:${liarPort}`));
        }
      } as typeof NodeWebSocket;
      try {
        const { generation } = await rest.stats(room);
        const { seen } = watch({
          room,
          cursor: { generation, nextOffset: 3 },
          WebSocket: RoutedWebSocket,
          reconnect: { minDelayMs: 20, maxDelayMs: 50 },
        });
        await waitFor(() => lies >= 3, 'a few lies');
        expect(seen.gaps).toEqual([]);
        expect(seen.resets).toEqual([]);
        // Nothing was thrown away: a backlog after the cursor still comes, over REST.
        await publishMany(room, 150);
        await waitFor(() => seen.offsets.length >= 50, 'the backlog, caught up over REST');
        expect(seen.offsets.slice(0, 5)).toEqual([3, 4, 5, 6, 7]);
        expect(seen.gaps).toEqual([]);
      } finally {
        liar.close();
      }
    },
  );
});
