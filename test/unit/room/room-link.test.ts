import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CursorStore } from '../../../src/lib/device/cursor-store';
import { LocalRoomLink } from '../../../src/lib/room/room-link';
import { SafeStorage } from '../../../src/lib/device/safe-storage';
import { SynapError, SynapRest } from '../../../src/lib/synap/rest';
import { startSynapStandin, type SynapStandin } from '../../standin/server';
import { MapStorage, NodeWebSocket, uniqueRoom, waitFor } from '../helpers';

let standin: SynapStandin;
let rest: SynapRest;

beforeAll(async () => {
  standin = await startSynapStandin({ port: 0, pollIntervalMs: 20 });
  rest = new SynapRest({ baseUrl: standin.url });
});
afterAll(() => standin.close());

function newLink(
  stream: string,
  storage = new SafeStorage(() => new MapStorage()),
  via: SynapRest = rest,
  livenessIntervalMs?: number,
) {
  return new LocalRoomLink({
    rest: via,
    serverUrl: standin.url,
    stream,
    userId: 'alice',
    subscriberId: 'alice-device',
    cursors: new CursorStore(storage),
    storage,
    WebSocket: NodeWebSocket,
    ...(livenessIntervalMs ? { livenessIntervalMs } : {}),
  });
}

/** The stand-in, except that the answer to the publish of a message saying `lost` is lost once. */
function losingAnswerOf(lost: string): SynapRest {
  let losing = true;
  return new Proxy(rest, {
    get(target, key) {
      if (key === 'publish') {
        return async (...args: Parameters<SynapRest['publish']>) => {
          const answer = await target.publish(...args);
          if (losing && JSON.stringify(args[2]).includes(lost)) {
            losing = false;
            throw new SynapError('network', 'Cannot reach the server: no answer within 15 s');
          }
          return answer;
        };
      }
      const value: unknown = Reflect.get(target, key);
      return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
    },
  });
}

async function storedTexts(stream: string): Promise<string[]> {
  const page = await rest.consume(stream, 'reader', 0, 100);
  return page.events
    .filter((e) => e.event === 'message')
    .map((e) => (JSON.parse(e.data as string) as { message: string }).message);
}

async function presence(stream: string): Promise<string[]> {
  const page = await rest.consume(stream, 'reader', 0, 100);
  return page.events.filter((e) => e.event.startsWith('user_')).map((e) => e.event);
}

describe('LocalRoomLink', () => {
  it('announces the user once the room is ready, and says goodbye only when asked', async () => {
    const stream = uniqueRoom('link-presence');
    const link = newLink(stream);
    link.start();
    await waitFor(() => link.state.kind === 'live', 'live');
    for (let tries = 0; (await presence(stream)).length === 0; tries += 1) {
      if (tries > 200) throw new Error('no user_joined was published');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await link.stop('none');
    expect(await presence(stream)).toEqual(['user_joined']);

    const again = newLink(stream);
    again.start();
    await waitFor(() => again.state.kind === 'live', 'live again');
    await again.stop('await');
    expect((await presence(stream)).at(-1)).toBe('user_left');
  });

  it('publishes a message and reports where it was stored, then lets go of it', async () => {
    const stream = uniqueRoom('link-send');
    const link = newLink(stream);
    const stored: number[] = [];
    link.on('stored', ({ offset }) => stored.push(offset));
    link.start();
    await waitFor(() => link.state.kind === 'live', 'live');
    link.send('hello');
    expect(link.outgoing.map((m) => m.text)).toEqual(['hello']);
    await waitFor(() => stored.length === 1 && link.outgoing.length === 0, 'stored');
    const page = await rest.consume(stream, 'reader', stored[0]!, 1);
    expect(page.events[0]?.event).toBe('message');
    await link.stop('none');
  });

  it('keeps what could not be sent across a reload, and forgets it when the room is left', async () => {
    const map = new MapStorage();
    const storage = new SafeStorage(() => map);
    const stream = uniqueRoom('link-outbox');
    const link = newLink(stream, storage);
    // Never started: the publish fails against a closed port.
    const offline = new LocalRoomLink({
      rest: new SynapRest({ baseUrl: 'http://127.0.0.1:9' }),
      serverUrl: standin.url,
      stream,
      userId: 'alice',
      subscriberId: 'alice-device',
      cursors: new CursorStore(storage),
      storage,
    });
    offline.send('kept');
    await waitFor(() => offline.outgoing[0]?.status === 'failed', 'failed');
    const reloaded = newLink(stream, storage);
    expect(reloaded.outgoing.map((m) => m.text)).toEqual(['kept']);
    await reloaded.leave();
    expect(newLink(stream, storage).outgoing).toEqual([]);
    await link.stop('none');
  });

  it('finds a message whose publish answer was lost in the room, and sends the next only after it', async () => {
    const stream = uniqueRoom('link-lost-answer');
    const link = newLink(stream, undefined, losingAnswerOf('first'), 100);
    const stored: [string, number][] = [];
    link.on('stored', ({ message, offset }) => stored.push([message.text, offset]));
    link.start();
    await waitFor(() => link.state.kind === 'live', 'live');
    link.send('first');
    link.send('second');
    await waitFor(() => stored.length === 2 && link.outgoing.length === 0, 'both stored');
    expect(await storedTexts(stream)).toEqual(['first', 'second']);
    expect(stored.map(([text]) => text)).toEqual(['first', 'second']);
    expect(stored[0]![1]).toBeLessThan(stored[1]![1]);
    await link.stop('none');
  });
});
