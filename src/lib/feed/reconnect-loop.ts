// A generic reconnecting loop, knowing nothing of Synap: it runs attempts, waits with
// backoff between failed ones, resets the count after a healthy stretch, and follows the
// browser's online/offline events. The room feed (room-feed.ts) is the layer that knows
// what an attempt is; this file only knows when to make one.
import { RECONNECT_DEFAULTS, backoffDelayMs, type ReconnectOptions } from './backoff';
import type { NetworkMonitor } from './network-monitor';

/** What the loop is doing between attempts. */
export type LoopWait =
  | { kind: 'reconnecting'; attempt: number; delayMs: number; retryAtMs: number; reason: string }
  | { kind: 'offline' };

/** One attempt; it is `current` until the loop gives up on it (a new attempt, stop, offline). */
export interface LoopSession {
  readonly current: boolean;
}

export interface ReconnectLoopOptions {
  /** Makes an attempt; report its outcome with `healthy` and `fail`. */
  run: (session: LoopSession) => void;
  /** The current attempt was abandoned by the loop (offline, stop): release what it holds. */
  abandon: () => void;
  /** The loop now waits (backoff or offline). */
  waiting: (wait: LoopWait) => void;
  network?: NetworkMonitor | null;
  backoff?: Partial<ReconnectOptions>;
  random?: () => number;
  now?: () => number;
}

export class ReconnectLoop {
  readonly #options: ReconnectLoopOptions;
  readonly #backoff: ReconnectOptions;
  readonly #random: () => number;
  readonly #now: () => number;
  #sessionId = 0;
  #attempt = 0;
  #running = false;
  /** Stopped on a state of the owner's (unauthorized, failed) until restart. */
  #halted = false;
  #waiting: LoopWait | null = null;
  #retryTimer: ReturnType<typeof setTimeout> | null = null;
  #healthyTimer: ReturnType<typeof setTimeout> | null = null;
  #stopNetwork: (() => void) | null = null;

  constructor(options: ReconnectLoopOptions) {
    this.#options = options;
    this.#backoff = { ...RECONNECT_DEFAULTS, ...options.backoff };
    this.#random = options.random ?? Math.random;
    this.#now = options.now ?? Date.now;
  }

  /** Attempts made since the last healthy stretch. */
  get attempt(): number {
    return this.#attempt;
  }

  get waiting(): LoopWait | null {
    return this.#waiting;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#stopNetwork =
      this.#options.network?.subscribe((online) => this.#onNetwork(online)) ?? null;
    this.#run();
  }

  stop(): void {
    if (!this.#running) return;
    this.#running = false;
    this.#sessionId += 1;
    this.#clearTimers();
    this.#stopNetwork?.();
    this.#stopNetwork = null;
    this.#options.abandon();
  }

  /** A new attempt at once, the count reset (Retry now, or a better way to connect). */
  restart(): void {
    if (!this.#running) return;
    this.#attempt = 0;
    this.#run();
  }

  /** The session is working: after a healthy stretch, failures count from zero again. */
  healthy(session: LoopSession): void {
    if (!session.current) return;
    if (this.#healthyTimer) clearTimeout(this.#healthyTimer);
    this.#healthyTimer = setTimeout(() => {
      if (session.current) this.#attempt = 0;
    }, this.#backoff.healthyAfterMs);
  }

  /** The session failed or ended: wait, then try again. Ignored for a stale session. */
  fail(session: LoopSession, reason: string): void {
    if (!session.current || !this.#running) return;
    this.#sessionId += 1;
    this.#clearTimers();
    if (this.#options.network && !this.#options.network.online) {
      // The online event brings us back; the timer is a fallback for browsers that misreport.
      this.#wait({ kind: 'offline' }, this.#backoff.maxDelayMs);
      return;
    }
    const attempt = this.#attempt;
    this.#attempt += 1;
    const delayMs = backoffDelayMs(attempt, this.#backoff, this.#random);
    this.#wait(
      {
        kind: 'reconnecting',
        attempt: attempt + 1,
        delayMs,
        retryAtMs: this.#now() + delayMs,
        reason,
      },
      delayMs,
    );
  }

  /** Ends the session without retrying (the caller halts on a state of its own). */
  halt(session: LoopSession): void {
    if (!session.current) return;
    this.#sessionId += 1;
    this.#halted = true;
    this.#clearTimers();
  }

  #wait(wait: LoopWait, delayMs: number): void {
    this.#waiting = wait;
    this.#retryTimer = setTimeout(() => this.#run(), delayMs);
    this.#options.waiting(wait);
  }

  #run(): void {
    if (!this.#running) return;
    this.#clearTimers();
    this.#waiting = null;
    this.#halted = false;
    const id = ++this.#sessionId;
    const isCurrent = () => this.#running && this.#sessionId === id;
    this.#options.run({
      get current() {
        return isCurrent();
      },
    });
  }

  #clearTimers(): void {
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    if (this.#healthyTimer) clearTimeout(this.#healthyTimer);
    this.#retryTimer = this.#healthyTimer = null;
  }

  #onNetwork(online: boolean): void {
    if (!this.#running || this.#halted) return;
    if (online && this.#waiting) {
      this.restart();
    } else if (!online && this.#waiting?.kind !== 'offline') {
      // A socket would not notice for a long while; the browser already knows.
      this.#sessionId += 1;
      this.#clearTimers();
      this.#options.abandon();
      this.#wait({ kind: 'offline' }, this.#backoff.maxDelayMs);
    }
  }
}
