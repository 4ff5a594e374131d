// A room whose server changed with the server list (see docs/multi-server.md) shows its
// previous server's history before its new server's. Each server numbers its own offsets, so
// the previous server's events are shown below this one's: the event at offset `o` there is
// shown at `o - end - 1` (`end` being that server's next offset), -1 being the line that marks
// the move.
import type { ChatEvent } from './chat-events';
import { loadHistory } from './history-reader';
import type { ConsumeResult, RoomStats, StreamEvent } from '../synap/rest';

/** Where a moved room's earlier history is read from. */
export interface MovedFrom {
  url: string;
  consume: (fromOffset: number, limit: number) => Promise<ConsumeResult>;
  stats: () => Promise<RoomStats>;
}

/** Messages read back from a moved room's previous server, at most. */
export const MOVED_HISTORY_MESSAGES = 200;
/** Where the line marking the move goes: after everything of the previous server. */
export const MOVE_LINE_OFFSET = -1;

/** The previous server's last messages (and what else came with them), and their shift. */
export async function readMovedHistory(
  moved: MovedFrom,
  maxEvents: number,
): Promise<{ events: StreamEvent[]; shift: number; malformed: number }> {
  const stats = await moved.stats();
  const end = stats.messageCount > 0 ? stats.maxOffset + 1 : stats.minOffset;
  const page = await loadHistory({
    consume: (from, limit) => moved.consume(from, limit),
    beforeOffset: end,
    earliestOffset: stats.minOffset,
    minMessages: MOVED_HISTORY_MESSAGES,
    maxEvents,
    countsAsMessage: (event) => event.event === 'message',
    trimToMinMessages: true,
  });
  return { events: page.events, shift: MOVE_LINE_OFFSET - end, malformed: page.malformed };
}

/** The event with its offset, and the offsets it refers to, moved by `shift`. */
export function shifted(event: ChatEvent, shift: number): ChatEvent {
  const moved = { ...event, offset: event.offset + shift };
  if ('target' in moved) moved.target += shift;
  if (moved.kind === 'message' && moved.replyTo !== null) moved.replyTo += shift;
  return moved;
}
