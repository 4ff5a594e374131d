import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CursorStore } from '../../src/lib/cursor-store';
import { LocalRoomLink } from '../../src/lib/room-link';
import { SafeStorage } from '../../src/lib/safe-storage';
import { SynapRest } from '../../src/lib/synap-rest';
import { startSynapStandin, type SynapStandin } from '../standin/server';
import { MapStorage, NodeWebSocket, uniqueRoom, waitFor } from './helpers';

let standin: SynapStandin;
let rest: SynapRest;

beforeAll(async () => {
  standin = await startSynapStandin({ port: 0, pollIntervalMs: 20 });
  rest = new SynapRest({ baseUrl: standin.url });
});
afterAll(() => standin.close());

function newLink(stream: string, storage = new SafeStorage(() => new MapStorage())) {
  return new LocalRoomLink({
    rest,
    serverUrl: standin.url,
    stream,
    userId: 'alice',
    subscriberId: 'alice-device',
    cursors: new CursorStore(storage),
    storage,
    WebSocket: NodeWebSocket,
  });
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
});
