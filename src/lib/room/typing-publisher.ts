// Throttles the "typing" events our composer publishes: every published event is a
// stream entry that every member downloads, so keystrokes must not map 1:1 to events.

/** Re-announce while typing continues, well inside receivers' 6 s timeout. */
export const TYPING_REFRESH_MS = 3_000;
/** A pause this long means the user stopped typing, even without sending. */
export const TYPING_IDLE_MS = 5_000;

export interface TypingPublisherOptions {
  send: (isTyping: boolean) => void;
  setTimeout?: (callback: () => void, delayMs: number) => unknown;
  clearTimeout?: (handle: unknown) => void;
  now?: () => number;
}

type TimerHandle = ReturnType<typeof globalThis.setTimeout>;

export class TypingPublisher {
  readonly #send: (isTyping: boolean) => void;
  readonly #setTimeout: (callback: () => void, delayMs: number) => unknown;
  readonly #clearTimeout: (handle: unknown) => void;
  readonly #now: () => number;
  #typing = false;
  #lastTrueAtMs = 0;
  #idleTimer: unknown = null;
  #disposed = false;

  constructor(options: TypingPublisherOptions) {
    this.#send = options.send;
    // Looked up at call time so that test fake timers installed later still apply.
    this.#setTimeout =
      options.setTimeout ?? ((callback, delayMs) => globalThis.setTimeout(callback, delayMs));
    this.#clearTimeout =
      options.clearTimeout ?? ((handle) => globalThis.clearTimeout(handle as TimerHandle));
    this.#now = options.now ?? (() => Date.now());
  }

  /** The composer's whole text after each edit. */
  input(text: string): void {
    if (this.#disposed) return;
    if (text.trim() === '') {
      this.#stop();
      return;
    }
    const nowMs = this.#now();
    if (!this.#typing || nowMs - this.#lastTrueAtMs >= TYPING_REFRESH_MS) {
      this.#typing = true;
      this.#lastTrueAtMs = nowMs;
      this.#send(true);
    }
    this.#cancelIdle();
    this.#idleTimer = this.#setTimeout(() => {
      this.#idleTimer = null;
      this.#stop();
    }, TYPING_IDLE_MS);
  }

  /** The message went out: receivers also clear on the message, this covers the rest. */
  sent(): void {
    this.#stop();
  }

  blur(): void {
    this.#stop();
  }

  /** Says "stopped" if needed, then ignores everything: for unmount or leaving the room. */
  dispose(): void {
    this.#stop();
    this.#disposed = true;
  }

  #stop(): void {
    this.#cancelIdle();
    if (!this.#typing || this.#disposed) return;
    this.#typing = false;
    this.#send(false);
  }

  #cancelIdle(): void {
    if (this.#idleTimer === null) return;
    this.#clearTimeout(this.#idleTimer);
    this.#idleTimer = null;
  }
}
