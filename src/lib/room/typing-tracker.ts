// Who else is typing in a room, from received `typing` events.

/** A typer is shown this long after their last refresh; senders refresh well within it. */
export const TYPING_TIMEOUT_MS = 6_000;

export class TypingTracker {
  readonly #ownUserId: string;
  /** Last refresh per typer; Map order is the order in which they started typing. */
  readonly #lastSeenMs = new Map<string, number>();

  constructor(ownUserId: string) {
    this.#ownUserId = ownUserId;
  }

  update(userId: string, isTyping: boolean, nowMs: number): void {
    // Our own echo would only show "You are typing" to ourselves.
    if (userId === this.#ownUserId) return;
    if (!isTyping) {
      this.#lastSeenMs.delete(userId);
      return;
    }
    const previous = this.#lastSeenMs.get(userId);
    if (previous !== undefined && nowMs - previous >= TYPING_TIMEOUT_MS) {
      // Expired and started again: they now count as a new typer at the end of the line.
      this.#lastSeenMs.delete(userId);
    }
    this.#lastSeenMs.set(userId, Math.max(previous ?? nowMs, nowMs));
  }

  /** Their message is the end of that bout of typing, even if "stopped typing" never comes. */
  messageFrom(userId: string): void {
    this.#lastSeenMs.delete(userId);
  }

  left(userId: string): void {
    this.#lastSeenMs.delete(userId);
  }

  /** Current typers, in the order they started; own user never included. */
  active(nowMs: number): string[] {
    const typers: string[] = [];
    for (const [userId, lastSeenMs] of this.#lastSeenMs) {
      if (nowMs - lastSeenMs < TYPING_TIMEOUT_MS) typers.push(userId);
      else this.#lastSeenMs.delete(userId);
    }
    return typers;
  }

  /** Epoch ms at which the next indicator runs out (to schedule a re-render), or null. */
  nextExpiryMs(nowMs: number): number | null {
    let next: number | null = null;
    for (const lastSeenMs of this.#lastSeenMs.values()) {
      const expiresAtMs = lastSeenMs + TYPING_TIMEOUT_MS;
      if (expiresAtMs > nowMs && (next === null || expiresAtMs < next)) next = expiresAtMs;
    }
    return next;
  }
}
