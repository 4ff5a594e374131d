import { describe, expect, it } from 'vitest';
import { closingGoodbye, sayGoodbye } from '../../../src/lib/app/farewell';
import { SynapError, type SynapRest } from '../../../src/lib/synap/rest';

describe('farewell', () => {
  it('a closing page says goodbye with keepalive online, and none offline', () => {
    expect(closingGoodbye(true)).toBe('keepalive');
    expect(closingGoodbye(false)).toBe('none');
  });

  it('says user_left in the room with keepalive, and never throws', async () => {
    const calls: unknown[][] = [];
    const rest = {
      publish: (...args: unknown[]) => {
        calls.push(args);
        return Promise.reject(new SynapError('network', 'Cannot reach'));
      },
    } as unknown as SynapRest;
    await expect(sayGoodbye(rest, 'chat-room-general', 'alice', 1_000)).resolves.toBeUndefined();
    expect(calls).toEqual([
      [
        'chat-room-general',
        'user_left',
        JSON.stringify({ user_id: 'alice', timestamp: 1_000 }),
        { keepalive: true },
      ],
    ]);
  });
});
