// Who is in a room, derived from the stream: there is no server-side presence, so a user
// counts as online while they keep proving it (joins, heartbeats, messages, typing).

import type { OnlineUser } from '../timeline/entries';

/**
 * Our client re-announces `user_joined` this often while it is in a room, unless it sent a
 * message or typed within that time (which proves presence too). Synap keeps 10,000 events a
 * room: at this pace 50 idle users take 3,000 an hour, leaving the rest for messages.
 */
export const PRESENCE_HEARTBEAT_MS = 60_000;
/** Two missed heartbeats and some slack: a crashed tab never says goodbye. */
export const PRESENCE_TIMEOUT_MS = 150_000;

export interface PresenceTrackerOptions {
  /** Current epoch ms; injectable for tests. */
  now?: () => number;
}

export class PresenceTracker {
  readonly #ownUserId: string;
  readonly #now: () => number;
  readonly #lastSeenMs = new Map<string, number>();
  /** When each user last said goodbye: older hellos (e.g. from history) must not revive them. */
  readonly #leftAtMs = new Map<string, number>();

  constructor(ownUserId: string, options: PresenceTrackerOptions = {}) {
    this.#ownUserId = ownUserId;
    this.#now = options.now ?? (() => Date.now());
  }

  /**
   * True only if this made the user newly online, so a "joined" line shows once and not
   * for every heartbeat. Replayed history (older than the timeout) never counts.
   */
  joined(userId: string, atMs: number): boolean {
    const nowMs = this.#now();
    const seenAtMs = this.#clamp(atMs, nowMs);
    if (seenAtMs === null) return false;
    const wasOnline = this.#isOnline(userId, nowMs);
    this.#record(userId, seenAtMs);
    return !wasOnline && this.#isOnline(userId, nowMs);
  }

  /** Messages and typing prove presence too, e.g. from a client that sends no heartbeats. */
  activity(userId: string, atMs: number): void {
    const nowMs = this.#now();
    const seenAtMs = this.#clamp(atMs, nowMs);
    if (seenAtMs !== null) this.#record(userId, seenAtMs);
  }

  /** True if the user was online until now. */
  left(userId: string, atMs: number): boolean {
    const nowMs = this.#now();
    const wasOnline = this.#isOnline(userId, nowMs);
    // A stale goodbye must not cancel a newer hello (e.g. the same user in another tab).
    const lastSeenMs = this.#lastSeenMs.get(userId);
    if (lastSeenMs !== undefined && atMs < lastSeenMs) return false;
    this.#lastSeenMs.delete(userId);
    this.#leftAtMs.set(userId, Math.max(atMs, this.#leftAtMs.get(userId) ?? atMs));
    return wasOnline;
  }

  /** Own user first (whoever looks at the room is in it), then the others by name. */
  online(nowMs: number = this.#now()): OnlineUser[] {
    const others: OnlineUser[] = [];
    for (const [userId, lastSeenMs] of this.#lastSeenMs) {
      if (userId === this.#ownUserId) continue;
      if (nowMs - lastSeenMs < PRESENCE_TIMEOUT_MS) others.push({ userId, lastSeenMs, own: false });
      // Forget the timed-out, or a stream of made-up user ids would grow this for ever.
      else this.#lastSeenMs.delete(userId);
    }
    for (const [userId, leftAtMs] of this.#leftAtMs) {
      if (nowMs - leftAtMs >= PRESENCE_TIMEOUT_MS) this.#leftAtMs.delete(userId);
    }
    others.sort((a, b) => compareNames(a.userId, b.userId));
    const ownLastSeenMs = Math.max(this.#lastSeenMs.get(this.#ownUserId) ?? nowMs, nowMs);
    return [{ userId: this.#ownUserId, lastSeenMs: ownLastSeenMs, own: true }, ...others];
  }

  /** Epoch ms at which the next other user times out (to schedule a refresh), or null. */
  nextExpiryMs(nowMs: number = this.#now()): number | null {
    let next: number | null = null;
    for (const [userId, lastSeenMs] of this.#lastSeenMs) {
      if (userId === this.#ownUserId) continue;
      const expiresAtMs = lastSeenMs + PRESENCE_TIMEOUT_MS;
      if (expiresAtMs > nowMs && (next === null || expiresAtMs < next)) next = expiresAtMs;
    }
    return next;
  }

  #isOnline(userId: string, nowMs: number): boolean {
    const lastSeenMs = this.#lastSeenMs.get(userId);
    return lastSeenMs !== undefined && nowMs - lastSeenMs < PRESENCE_TIMEOUT_MS;
  }

  #record(userId: string, atMs: number): void {
    const leftAtMs = this.#leftAtMs.get(userId);
    if (leftAtMs !== undefined && atMs < leftAtMs) return;
    const previous = this.#lastSeenMs.get(userId);
    if (previous === undefined || atMs > previous) this.#lastSeenMs.set(userId, atMs);
  }

  /**
   * Null for events too old to matter. Future stamps (a fast or hostile sender clock) are
   * pulled back to now, or one bogus timestamp would keep a user "online" for ever.
   */
  #clamp(atMs: number, nowMs: number): number | null {
    if (!Number.isFinite(atMs) || atMs <= nowMs - PRESENCE_TIMEOUT_MS) return null;
    return Math.min(atMs, nowMs);
  }
}

function compareNames(a: string, b: string): number {
  return a.localeCompare(b, undefined, { sensitivity: 'base' }) || (a < b ? -1 : a > b ? 1 : 0);
}
