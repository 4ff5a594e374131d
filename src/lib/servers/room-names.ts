// Chat rooms are streams named `{prefix}{room id}` (the seed's `chat-room-{room_id}`).

export const DEFAULT_ROOM_PREFIX = 'chat-room-';
export const MAX_ROOM_ID_CHARS = 100;
/** Invisible, formatting and control characters: a name must read as what it is. */
const HIDDEN_CHARACTERS = /[\p{Cc}\p{Cf}\u2028\u2029]/u;

/**
 * Why a room id cannot be used, or null when it can. Any text the app can put in a URL path
 * segment is a room (spaces, accents and other scripts included, as other clients create
 * them), except what would not survive as one ("/", "." and "..") or not read as itself.
 */
export function roomIdProblem(id: string): string | null {
  if (!id) return 'Enter a room name.';
  if (id.length > MAX_ROOM_ID_CHARS) {
    return `Room names are at most ${MAX_ROOM_ID_CHARS} characters.`;
  }
  if (id.trim() !== id) return 'Room names cannot start or end with a space.';
  if (id === '.' || id === '..' || id.includes('/')) {
    return 'Room names cannot contain "/" or be "." or "..".';
  }
  if (HIDDEN_CHARACTERS.test(id)) {
    return 'Room names cannot contain invisible or control characters.';
  }
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
