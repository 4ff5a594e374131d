// What the app says about its servers' rooms when several servers share them (see
// docs/multi-server.md): the rooms of every server as one list, the rooms found where they
// do not belong, and the servers whose rooms cannot reach them.
import type { FeedState } from '../feed/room-feed';

export interface ServerRoomList {
  url: string;
  /** Room ids on that server (none when it could not be read). */
  ids: readonly string[];
}

/**
 * Every server's rooms as one sorted list; a room listed by a server other than its owner
 * (someone uses another server list: the room is split) is `misplaced`, mapped to that server.
 */
export function mergeRoomLists(
  lists: readonly ServerRoomList[],
  ownerOf: (id: string) => string | null,
): { ids: string[]; misplaced: Record<string, string> } {
  const ids = new Set<string>();
  const misplaced: Record<string, string> = {};
  for (const list of lists) {
    for (const id of list.ids) {
      ids.add(id);
      if (ownerOf(id) !== list.url) misplaced[id] = list.url;
    }
  }
  return { ids: [...ids].sort(), misplaced };
}

export interface UnhealthyServer {
  url: string;
  /** Its rooms, all waiting for it. */
  rooms: string[];
  /** Why, in words (the first room's reason). */
  problem: string;
}

/**
 * A room's first retries are not an outage: a server whose WebSocket upgrades fail (Synap
 * 1.3.1) answers over REST, and its rooms switch to polling after 3 failed upgrades.
 */
export const OUTAGE_AFTER_ATTEMPTS = 4;

/** Servers none of whose rooms is live, and one at least refused or retried a while. */
export function unhealthyServers(
  rooms: readonly { id: string; serverUrl: string; connection: FeedState }[],
): UnhealthyServer[] {
  const byServer = new Map<string, (typeof rooms)[number][]>();
  for (const room of rooms)
    byServer.set(room.serverUrl, [...(byServer.get(room.serverUrl) ?? []), room]);
  const unhealthy: UnhealthyServer[] = [];
  for (const [url, own] of byServer) {
    const states = own.map((room) => room.connection);
    if (states.some((state) => state.kind === 'live')) continue;
    const down = states.find(
      (state): state is Extract<FeedState, { kind: 'reconnecting' | 'unauthorized' | 'failed' }> =>
        (state.kind === 'reconnecting' && state.attempt >= OUTAGE_AFTER_ATTEMPTS) ||
        state.kind === 'unauthorized' ||
        state.kind === 'failed',
    );
    if (!down) continue;
    const problem = down.kind === 'reconnecting' ? down.reason : down.message;
    unhealthy.push({ url, rooms: own.map((room) => room.id), problem });
  }
  return unhealthy;
}
