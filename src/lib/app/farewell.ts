// How this device says goodbye ("user_left") when it goes, beside the room links' own
// goodbyes (room-link.ts), which a tab says only when it is the last one holding the room.
//
// - A closing page says goodbye only while the browser has a network. Offline, the goodbye
//   cannot go now, and one that went later (the browser sends keepalive requests on its own)
//   would arrive after this device was back in the room: the reload's new page, which said
//   "joined" in the meantime, would read as gone to everyone else. Without a goodbye, the
//   others count the device as gone after PRESENCE_TIMEOUT_MS, as for a crash, unless it is
//   back first.
// - "Forget this device" says goodbye in every joined room whatever other tabs still hold
//   them: they forget the device too, so nobody would say it otherwise.
import { presencePublication } from '../room/chat-events';
import type { Goodbye } from '../room/room-link';
import type { SynapRest } from '../synap/rest';

/** The goodbye of a closing page: with keepalive (it outlives the page), none offline. */
export function closingGoodbye(online: boolean): Goodbye {
  return online ? 'keepalive' : 'none';
}

/**
 * Says "user_left" in `stream` now, for this device (not per tab). Best effort, like every
 * presence event; keepalive, as the page may go next; never creates the room.
 */
export async function sayGoodbye(
  rest: SynapRest,
  stream: string,
  userId: string,
  nowMs: number = Date.now(),
): Promise<void> {
  const { event, data } = presencePublication('left', userId, { nowMs });
  try {
    await rest.publish(stream, event, data, { keepalive: true });
  } catch {
    // Best effort: the others time the device out without it.
  }
}
