// Storage writes that follow a stream: the newest value is written at most once per
// interval, and at once when asked (the page is closing). localStorage is synchronous and a
// busy room moves its cursor hundreds of times a second.

/** How long a cursor or read marker may wait before it is written. */
export const STORAGE_WRITE_INTERVAL_MS = 1_000;

export class CoalescedWrite<T> {
  readonly #write: (value: T) => void;
  readonly #intervalMs: number;
  #pending: { value: T } | null = null;
  #timer: ReturnType<typeof setTimeout> | null = null;

  constructor(write: (value: T) => void, intervalMs = STORAGE_WRITE_INTERVAL_MS) {
    this.#write = write;
    this.#intervalMs = intervalMs;
  }

  /** The value to write; replaces one still waiting. */
  set(value: T): void {
    this.#pending = { value };
    this.#timer ??= setTimeout(() => this.flush(), this.#intervalMs);
  }

  /** Writes a waiting value now. */
  flush(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    const pending = this.#pending;
    this.#pending = null;
    if (pending) this.#write(pending.value);
  }

  /** Forgets a waiting value. */
  cancel(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#pending = null;
  }
}
