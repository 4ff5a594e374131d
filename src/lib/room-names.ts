// Chat rooms are streams named `{prefix}{room id}` (the seed's `chat-room-{room_id}`).

export const DEFAULT_ROOM_PREFIX = 'chat-room-';
export const MAX_ROOM_ID_CHARS = 64;
const ROOM_ID = /^[A-Za-z0-9._-]+$/;

/** Why a room id cannot be used, or null when it can. */
export function roomIdProblem(id: string): string | null {
  if (!id) return 'Enter a room name.';
  if (id.length > MAX_ROOM_ID_CHARS)
    return `Room names are at most ${MAX_ROOM_ID_CHARS} characters.`;
  if (!ROOM_ID.test(id)) return 'Use letters, digits, "-", "_" and "." only.';
  return null;
}

export function streamName(prefix: string, roomId: string): string {
  return `${prefix}${roomId}`;
}

/** The room ids among a server's streams (other streams on the server are not chat rooms). */
export function roomIdsFromStreams(prefix: string, streams: readonly string[]): string[] {
  return streams
    .filter((name) => name.startsWith(prefix) && roomIdProblem(name.slice(prefix.length)) === null)
    .map((name) => name.slice(prefix.length))
    .sort((a, b) => a.localeCompare(b));
}

/** `#/room/{id}` deep links. */
export function roomIdFromHash(hash: string): string | null {
  const match = /^#\/room\/(.+)$/.exec(hash);
  if (!match?.[1]) return null;
  let id: string;
  try {
    id = decodeURIComponent(match[1]);
  } catch {
    return null;
  }
  return roomIdProblem(id) === null ? id : null;
}

export function hashForRoom(roomId: string): string {
  return `#/room/${encodeURIComponent(roomId)}`;
}
