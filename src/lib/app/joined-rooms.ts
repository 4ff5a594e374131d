// The rooms a user joined on this device, one list per server list, name and room prefix, kept
// in storage. Every tab of the browser follows that one list: a room joined in one tab (say by
// a #/room/x link) or left there is joined or left in the others at once. They learn of it from
// the `storage` event, which the browser fires in every other tab of the origin when a tab
// writes (never in the writing tab), so following a change never writes it back.
import { roomIdProblem } from '../servers/room-names';

const JOINED_KEY = 'synap-chat:joined:';

/** Whose list: the settings a room list belongs to. */
export interface JoinedScope {
  serverUrl: string;
  userId: string;
  roomPrefix: string;
}

export function joinedKey({ serverUrl, userId, roomPrefix }: JoinedScope): string {
  return `${JOINED_KEY}${JSON.stringify([serverUrl, userId, roomPrefix])}`;
}

/** The valid room ids of a stored list (anything else is dropped); null when it is no list. */
export function readJoined(value: unknown): string[] | null {
  if (!Array.isArray(value)) return null;
  const ids = value.filter(
    (id): id is string => typeof id === 'string' && roomIdProblem(id) === null,
  );
  return [...new Set(ids)];
}

/** The scope's list as another tab just wrote it; null when the change is not about it. */
export function joinedChange(
  scope: JoinedScope,
  key: string | null,
  newValue: string | null,
): string[] | null {
  // A removed list (key null: storage cleared) is "Forget this device", handled as such.
  if (key !== joinedKey(scope) || newValue === null) return null;
  try {
    return readJoined(JSON.parse(newValue));
  } catch {
    return null;
  }
}

/** What a tab does to follow another tab's list: rooms to join (in its order) and to leave. */
export function followJoined(
  current: readonly string[],
  next: readonly string[],
): { join: string[]; leave: string[] } {
  return {
    join: next.filter((id) => !current.includes(id)),
    leave: current.filter((id) => !next.includes(id)),
  };
}
