import { describe, expect, it } from 'vitest';
import type { ChatEvent } from '../../../src/lib/room/chat-events';
import { MOVE_LINE_OFFSET, readMovedHistory, shifted } from '../../../src/lib/room/moved-history';
import type { RoomStats, StreamEvent } from '../../../src/lib/synap/rest';

function message(offset: number, text: string): StreamEvent {
  return {
    offset,
    event: 'message',
    data: JSON.stringify({ user_id: 'bob', message: text }),
    timestamp: 1_764_000_000,
  };
}

describe('moved history', () => {
  it("reads the previous server's last messages and shifts them below this server's offsets", async () => {
    const events = [message(5, 'five'), message(6, 'six'), message(7, 'seven')];
    const { events: read, shift } = await readMovedHistory(
      {
        url: 'http://old',
        stats: async () => ({ messageCount: 3, minOffset: 5, maxOffset: 7 }) as RoomStats,
        consume: async (from, limit) => {
          const page = events.filter((event) => event.offset >= from).slice(0, limit);
          return { events: page, nextOffset: (page.at(-1)?.offset ?? from - 1) + 1, malformed: 0 };
        },
      },
      10_000,
    );
    expect(read.map((event) => event.offset)).toEqual([5, 6, 7]);
    // The last event sits just before the line marking the move.
    expect(7 + shift).toBe(MOVE_LINE_OFFSET - 1);
  });

  it('shifts what an event refers to with it: a reply, an edit', () => {
    const reply = {
      kind: 'message',
      offset: 9,
      replyTo: 4,
      text: 'x',
      userId: 'b',
      clientId: null,
      disguised: false,
      sentAtMs: 1,
      serverAtMs: 1,
    } as ChatEvent;
    expect(shifted(reply, -20)).toMatchObject({ offset: -11, replyTo: -16 });
    const edit = { ...reply, kind: 'edit', target: 4 } as unknown as ChatEvent;
    expect(shifted(edit, -20)).toMatchObject({ offset: -11, target: -16 });
  });
});
