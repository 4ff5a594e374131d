import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TransportEnd } from '../../../src/lib/synap/feed-transport';
import {
  BACKGROUND_POLL_MS,
  FOREGROUND_ACTIVE_POLL_MS,
  FOREGROUND_IDLE_POLL_MS,
  FOREGROUND_QUIET_POLL_MS,
  HIDDEN_POLL_MS,
  openPollTransport,
  pollIntervalMs,
} from '../../../src/lib/synap/poll-transport';
import { SynapError, SynapRest, type ConsumeResult } from '../../../src/lib/synap/rest';
import { startSynapStandin, type SynapStandin } from '../../standin/server';
import { uniqueRoom, waitFor } from '../helpers';

let standin: SynapStandin;
let rest: SynapRest;

beforeAll(async () => {
  standin = await startSynapStandin({ port: 0 });
  rest = new SynapRest({ baseUrl: standin.url });
});
afterAll(() => standin.close());

describe('pollIntervalMs', () => {
  it('polls fast only the room on screen while people talk, slower as it goes quiet', () => {
    expect(pollIntervalMs('foreground', 0)).toBe(FOREGROUND_ACTIVE_POLL_MS);
    expect(pollIntervalMs('foreground', 30_000)).toBe(FOREGROUND_QUIET_POLL_MS);
    expect(pollIntervalMs('foreground', 600_000)).toBe(FOREGROUND_IDLE_POLL_MS);
    expect(pollIntervalMs('background', 0)).toBe(BACKGROUND_POLL_MS);
    expect(pollIntervalMs('hidden', 0)).toBe(HIDDEN_POLL_MS);
  });

  it('keeps a background room within five seconds and never polls faster than the room on screen', () => {
    expect(BACKGROUND_POLL_MS).toBeLessThanOrEqual(5_000);
    expect(HIDDEN_POLL_MS).toBeGreaterThan(BACKGROUND_POLL_MS);
    expect(FOREGROUND_ACTIVE_POLL_MS).toBeLessThan(FOREGROUND_QUIET_POLL_MS);
  });
});

/** Opens a polling transport on `room` that records what it reports. */
function poll(
  room: string,
  from: number,
  options: { intervalMs?: number; limit?: number; consume?: typeof rest.consume } = {},
) {
  const seen = { opened: 0, offsets: [] as number[], ends: [] as TransportEnd[], requests: 0 };
  let inFlight = 0;
  let maxInFlight = 0;
  const consume = options.consume ?? rest.consume.bind(rest);
  const transport = openPollTransport(
    {
      consume: async (fromOffset, limit): Promise<ConsumeResult> => {
        seen.requests += 1;
        inFlight += 1;
        maxInFlight = Math.max(maxInFlight, inFlight);
        try {
          return await consume(room, 'poller', fromOffset, limit);
        } finally {
          inFlight -= 1;
        }
      },
      intervalMs: () => options.intervalMs ?? 30,
      ...(options.limit ? { limit: options.limit } : {}),
    },
    from,
    {
      open: () => (seen.opened += 1),
      events: (events) => seen.offsets.push(...events.map((event) => event.offset)),
      malformed: () => {},
      closed: (end) => seen.ends.push(end),
    },
  );
  return { transport, seen, maxInFlight: () => maxInFlight };
}

describe('openPollTransport against the stand-in', () => {
  it('opens on the first answer and delivers new events in order, one request at a time', async () => {
    const room = uniqueRoom('poll');
    await rest.ensureRoom(room);
    await rest.publish(room, 'message', 'old');
    const { transport, seen, maxInFlight } = poll(room, 1);
    try {
      await waitFor(() => seen.opened === 1, 'opened');
      for (let i = 0; i < 5; i += 1) await rest.publish(room, 'message', i);
      await waitFor(() => seen.offsets.length === 5, 'five events');
      expect(seen.offsets).toEqual([1, 2, 3, 4, 5]);
      expect(maxInFlight()).toBe(1);
      expect(seen.ends).toEqual([]);
    } finally {
      transport.close();
    }
  });

  it('reads on at once while pages come back full', async () => {
    const room = uniqueRoom('poll');
    await rest.ensureRoom(room);
    for (let i = 0; i < 25; i += 1) await rest.publish(room, 'message', i);
    // A long pause between polls: only "read on at once" can fetch 25 events in time.
    const { transport, seen } = poll(room, 0, { intervalMs: 60_000, limit: 10 });
    try {
      await waitFor(() => seen.offsets.length === 25, 'all pages', 2_000);
      expect(seen.offsets).toEqual(Array.from({ length: 25 }, (_, i) => i));
    } finally {
      transport.close();
    }
  });

  it('polls at once when woken, instead of waiting out its pause', async () => {
    const room = uniqueRoom('poll');
    await rest.ensureRoom(room);
    const { transport, seen } = poll(room, 0, { intervalMs: 60_000 });
    try {
      await waitFor(() => seen.opened === 1, 'opened');
      await rest.publish(room, 'message', 'now');
      transport.wake();
      await waitFor(() => seen.offsets.length === 1, 'the event after wake', 2_000);
      expect(seen.offsets).toEqual([0]);
    } finally {
      transport.close();
    }
  });

  it('ends with the request error for the feed to judge, and says nothing after close', async () => {
    const { transport, seen } = poll(uniqueRoom('missing'), 0);
    await waitFor(() => seen.ends.length === 1, 'the end');
    expect(seen.ends[0]?.beforeOpen).toBe(true);
    expect(seen.ends[0]?.error).toBeInstanceOf(SynapError);
    expect((seen.ends[0]?.error as SynapError).kind).toBe('room_not_found');
    transport.close();
    const room = uniqueRoom('poll');
    await rest.ensureRoom(room);
    const closed = poll(room, 0);
    await waitFor(() => closed.seen.opened === 1, 'opened');
    closed.transport.close();
    const requests = closed.seen.requests;
    await rest.publish(room, 'message', 'after close');
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(closed.seen.requests).toBe(requests);
    expect(closed.seen.offsets).toEqual([]);
  });
});
