// The quick room switcher's list: joined and available rooms matching what was typed, the
// best matches first. Matching ignores case and compatibility forms (NFKC), like room names.

export interface SwitchRoom {
  id: string;
  joined: boolean;
  unread: number;
  mentions: number;
  active: boolean;
}

function fold(text: string): string {
  return text.normalize('NFKC').toLocaleLowerCase();
}

/**
 * The rooms whose name contains `query`: names that start with it first, joined rooms before
 * the server's other rooms, otherwise in the order given. An empty query keeps every room.
 */
export function matchRooms(rooms: readonly SwitchRoom[], query: string): SwitchRoom[] {
  const wanted = fold(query.trim().replace(/^#/, ''));
  const scored: Array<{ room: SwitchRoom; rank: number; index: number }> = [];
  rooms.forEach((room, index) => {
    const name = fold(room.id);
    const at = wanted === '' ? 0 : name.indexOf(wanted);
    if (at < 0) return;
    scored.push({ room, rank: (at === 0 ? 0 : 2) + (room.joined ? 0 : 1), index });
  });
  scored.sort((a, b) => a.rank - b.rank || a.index - b.index);
  return scored.map(({ room }) => room);
}

/** Which match is highlighted first: the best one; with nothing typed, not the open room. */
export function firstChoice(matches: readonly SwitchRoom[], query: string): number {
  if (query.trim() === '' && matches.length > 1 && matches[0]?.active) return 1;
  return 0;
}

/** "general, 5 unread, 2 mentions": a room with its badges, as a screen reader hears it. */
export function describeRoom(room: { id: string; unread: number; mentions?: number }): string {
  const parts = [room.id];
  if (room.unread > 0) parts.push(`${room.unread} unread`);
  const mentions = room.mentions ?? 0;
  if (mentions > 0) parts.push(mentions === 1 ? '1 mention' : `${mentions} mentions`);
  return parts.join(', ');
}
