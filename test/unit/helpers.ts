// Shared test plumbing for the client library against the in-process stand-in.
import WebSocket from 'ws';
import type { SwitchRoom } from '../../src/lib/app/quick-switch';
import type { StorageLike } from '../../src/lib/device/safe-storage';
import type { WebSocketConstructor } from '../../src/lib/synap/socket-transport';

/** Node 20 has no global WebSocket: the `ws` package stands in, over real sockets. */
export const NodeWebSocket = WebSocket as unknown as WebSocketConstructor;

let counter = 0;
/** A room name no other test uses. */
export function uniqueRoom(label = 'room'): string {
  counter += 1;
  return `test-${label}-${process.pid}-${Date.now().toString(36)}-${counter}`;
}

/** Polls until `check` passes or the time runs out (no fixed sleeps). */
export async function waitFor<T>(
  check: () => T | undefined | null | false,
  what: string,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** localStorage's interface over a Map, to inspect or corrupt what was stored. */
export class MapStorage implements StorageLike {
  readonly map = new Map<string, string>();
  getItem(key: string) {
    return this.map.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    this.map.set(key, value);
  }
  removeItem(key: string) {
    this.map.delete(key);
  }
}

/** A room as the quick switcher lists it: joined, nothing unread, not on screen. */
export function switchRoom(id: string, extra: Partial<SwitchRoom> = {}): SwitchRoom {
  return { id, joined: true, unread: 0, mentions: 0, active: false, ...extra };
}
