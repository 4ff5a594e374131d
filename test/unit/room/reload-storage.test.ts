// A tab can be killed between any two storage writes: the cursor (written within a second),
// the read marker (within a second) and the cached tail (within two) then disagree. Whatever
// the reload finds, the room's history the server holds is shown.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SystemLine } from '../../../src/lib/timeline/entries';
import { CursorStore } from '../../../src/lib/device/cursor-store';
import { LocalRoomLink } from '../../../src/lib/room/room-link';
import { RoomSession } from '../../../src/lib/room/room-session';
import { SafeStorage } from '../../../src/lib/device/safe-storage';
import { SynapRest } from '../../../src/lib/synap/rest';
import { tailKey, tailOf } from '../../../src/lib/timeline/timeline-tail';
import { startSynapStandin, type SynapStandin } from '../../standin/server';
import { MapStorage, NodeWebSocket, uniqueRoom, waitFor } from '../helpers';

let standin: SynapStandin;
let rest: SynapRest;
const sessions: RoomSession[] = [];

beforeAll(async () => {
  standin = await startSynapStandin({ port: 0, pollIntervalMs: 20 });
  rest = new SynapRest({ baseUrl: standin.url });
});
afterAll(async () => {
  await Promise.all(sessions.splice(0).map((session) => session.stop()));
  await standin.close();
});

const READER = 'reader';
const DEVICE = 'reader-device';

/** A room where the reader joined (offset 0), then a writer said m0..m3 (offsets 1-4). */
async function roomWithNews(): Promise<{ stream: string; generation: number }> {
  const stream = uniqueRoom('reload');
  await rest.ensureRoom(stream);
  await rest.publish(stream, 'user_joined', JSON.stringify({ user_id: READER, timestamp: 1 }));
  for (let i = 0; i < 4; i += 1) {
    await rest.publish(stream, 'message', JSON.stringify({ user_id: 'writer', message: `m${i}` }));
  }
  const { generation } = await rest.stats(stream);
  return { stream, generation };
}

interface LeftBehind {
  cursorAt: number | null;
  markerAt: number | null;
  /** The cached tail ends here (only the reader's "joined" at 0), or there is none. */
  tailUpToJoined: boolean;
}

/** Storage as a killed tab left it, then the room opened again from it. */
function reopen(stream: string, generation: number, left: LeftBehind, active: boolean) {
  const map = new MapStorage();
  const storage = new SafeStorage(() => map);
  const cursors = new CursorStore(storage);
  const readMarkers = new CursorStore(storage, 'synap-chat:read:');
  if (left.cursorAt !== null) {
    cursors.set(standin.url, stream, DEVICE, { generation, nextOffset: left.cursorAt });
  }
  if (left.markerAt !== null) {
    readMarkers.set(standin.url, stream, DEVICE, { generation, nextOffset: left.markerAt });
  }
  if (left.tailUpToJoined) {
    const joined: SystemLine = {
      type: 'system',
      key: 'o0',
      offset: 0,
      kind: 'joined',
      userId: READER,
      atMs: 1_000,
    };
    storage.setJson(tailKey(standin.url, stream, READER), tailOf(generation, [joined]));
  }
  const common = { rest, serverUrl: standin.url, stream, userId: READER, subscriberId: DEVICE };
  // No new "joined": the room stays as the tab left it.
  const link = new LocalRoomLink({
    ...common,
    cursors,
    storage,
    WebSocket: NodeWebSocket,
    announce: false,
  });
  const session = new RoomSession(link, { ...common, readMarkers, storage });
  sessions.push(session);
  session.setActive(active, true);
  session.start();
  return session;
}

function shown(session: RoomSession): string[] {
  return session.view.timeline.flatMap((entry) =>
    entry.type === 'message' ? [entry.text] : entry.type === 'system' ? [entry.kind] : [],
  );
}

describe('A reload from storage a killed tab left half-written', { timeout: 20_000 }, () => {
  const cases: [string, LeftBehind][] = [
    [
      'the cursor and read marker past the cached tail',
      { cursorAt: 5, markerAt: 5, tailUpToJoined: true },
    ],
    [
      'the cursor past the cached tail and the read marker',
      { cursorAt: 5, markerAt: 1, tailUpToJoined: true },
    ],
    [
      'the cursor saved but no tail and no read marker',
      { cursorAt: 5, markerAt: null, tailUpToJoined: false },
    ],
    [
      'the read marker past a cursor never saved',
      { cursorAt: null, markerAt: 5, tailUpToJoined: true },
    ],
  ];
  for (const [state, left] of cases) {
    for (const active of [true, false]) {
      it(`shows the messages the server holds with ${state} (${active ? 'on screen' : 'in the background'})`, async () => {
        const { stream, generation } = await roomWithNews();
        const session = reopen(stream, generation, left, active);
        await waitFor(
          () => session.view.historyStatus.kind === 'ready' && !session.view.loadingOlder,
          'the first read',
        );
        expect(shown(session).filter((text) => text !== 'joined')).toEqual([
          'm0',
          'm1',
          'm2',
          'm3',
        ]);
        expect(shown(session).filter((text) => text === 'joined')).toHaveLength(1);
      });
    }
  }
});
