// New settings and the messages still waiting to be sent. Unsent messages are stored per
// server, room and name (see outboxKey in room-link.ts). When the new settings keep a server
// of the list and the room prefix, the joined rooms go with the change, and so do their
// unsent messages, to be sent on the room's new server. Otherwise (no server kept, or another
// prefix: other rooms) they stay stored for the old server and room, and are sent if the user
// goes back to them. The user is told which, and may discard them instead.
import type { ServerEntry } from '../servers/server-list';

/** A chat's rooms as settings make them: the servers of the list and the room prefix. */
export interface RoomsOf {
  servers: readonly ServerEntry[];
  roomPrefix: string;
}

/** Why unsent messages are left behind: no server of the list kept, or another room prefix. */
export type SetAsideReason = 'server' | 'prefix';

/** Whether the joined rooms (drafts, unsent messages) go with new settings. */
export function carriesRooms(before: RoomsOf, after: RoomsOf): boolean {
  return setAsideReason(before, after) === null;
}

/** Why the rooms do not go with new settings; null when they do. */
export function setAsideReason(before: RoomsOf, after: RoomsOf): SetAsideReason | null {
  const kept = before.servers.some((server) => after.servers.some((o) => o.url === server.url));
  if (!kept) return 'server';
  return before.roomPrefix === after.roomPrefix ? null : 'prefix';
}

export interface SetAsideRoom {
  roomId: string;
  /** Messages (and edits, reactions...) not yet sent. */
  count: number;
  /** The server they stay stored for. */
  serverUrl: string;
}

/** What new settings leave unsent: which rooms, how many, for which server, and why. */
export interface UnsentSetAside {
  rooms: SetAsideRoom[];
  total: number;
  /** The old servers they stay stored for, to be sent if the user goes back to them. */
  servers: string[];
  reason: SetAsideReason;
}

/** The rooms' unsent messages new settings would leave behind; null when there are none. */
export function unsentSetAside(
  rooms: readonly SetAsideRoom[],
  reason: SetAsideReason | null,
): UnsentSetAside | null {
  if (reason === null) return null;
  const waiting = rooms.filter((room) => room.count > 0);
  if (waiting.length === 0) return null;
  return {
    rooms: waiting,
    total: waiting.reduce((sum, room) => sum + room.count, 0),
    servers: [...new Set(waiting.map((room) => room.serverUrl))],
    reason,
  };
}

/** "2 unsent messages in #general and #news", as the question in Settings says it. */
export function describeSetAside(setAside: UnsentSetAside): string {
  const { total, rooms, reason } = setAside;
  const names = rooms.map((room) => `#${room.roomId}`);
  const where =
    names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
  const what = total === 1 ? '1 unsent message' : `${total.toLocaleString('en')} unsent messages`;
  const to = reason === 'server' ? 'to the new server' : 'in the rooms of the new prefix';
  return `${what} in ${where} will not be sent ${to}.`;
}

/** Where kept messages wait, and when they go. */
export function describeKept(setAside: UnsentSetAside): string {
  const { servers } = setAside;
  const that = servers.length === 1 ? 'that server' : 'those servers';
  return setAside.reason === 'server'
    ? `Kept on this device for ${servers.join(', ')}: they are sent when you use ${that} again.`
    : 'Kept on this device for the old room prefix: they are sent when you go back to it.';
}
