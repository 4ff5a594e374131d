// The decisions behind the timeline's autoscroll (the idea of chat-ui's stickToBottom):
// follow new entries only while the reader is at the bottom, count what arrives while
// they read older messages, and keep the view still when older entries are prepended.

import type { TimelineEntry } from './chat-model';

/** Closer than this to the bottom counts as "at the bottom" (fractional pixels, zoom). */
export const STICK_THRESHOLD_PX = 48;

export interface ScrollMetrics {
  scrollTop: number;
  scrollHeight: number;
  clientHeight: number;
}

export function isAtBottom(metrics: ScrollMetrics, thresholdPx = STICK_THRESHOLD_PX): boolean {
  return metrics.scrollHeight - metrics.clientHeight - metrics.scrollTop <= thresholdPx;
}

/** The scrollTop that keeps the same entries in view after content grew above them. */
export function scrollTopAfterPrepend(
  before: Pick<ScrollMetrics, 'scrollTop' | 'scrollHeight'>,
  newScrollHeight: number,
): number {
  return before.scrollTop + (newScrollHeight - before.scrollHeight);
}

/** How the list changed between two renders, by entry key. */
export interface ListChange {
  /** Entries now before the previous first entry (older history loaded). */
  prepended: number;
  /** Indexes in `next` of entries after the previous last entry (new arrivals). */
  appendedFrom: number;
  /** Nothing in common (another room, or a reset): start over at the bottom. */
  reset: boolean;
}

export function diffKeys(previous: readonly string[], next: readonly string[]): ListChange {
  if (previous.length === 0) return { prepended: 0, appendedFrom: 0, reset: true };
  const nextIndex = new Map<string, number>();
  next.forEach((key, index) => nextIndex.set(key, index));
  const firstKey = previous[0];
  const prepended = firstKey === undefined ? 0 : (nextIndex.get(firstKey) ?? 0);
  // The newest previous entry still present marks where the arrivals start; a pending
  // message whose key changed on confirmation just counts as arriving again.
  for (let index = previous.length - 1; index >= 0; index -= 1) {
    const found = nextIndex.get(previous[index] ?? '');
    if (found !== undefined) return { prepended, appendedFrom: found + 1, reset: false };
  }
  return { prepended: 0, appendedFrom: next.length, reset: true };
}

export class StickToBottom {
  readonly #thresholdPx: number;
  #atBottom = true;
  #unseen = 0;

  constructor(thresholdPx = STICK_THRESHOLD_PX) {
    this.#thresholdPx = thresholdPx;
  }

  get atBottom(): boolean {
    return this.#atBottom;
  }

  /** Entries that arrived while the reader was scrolled up. */
  get unseen(): number {
    return this.#unseen;
  }

  /** After every scroll event (the user's or ours). */
  scrolled(metrics: ScrollMetrics): void {
    this.#atBottom = isAtBottom(metrics, this.#thresholdPx);
    if (this.#atBottom) this.#unseen = 0;
  }

  /**
   * New entries arrived at the end; true means "scroll to the bottom now". The user's own
   * messages always do: having just sent one, they expect to see it.
   */
  appended(entries: readonly TimelineEntry[]): boolean {
    if (entries.length === 0) return false;
    if (this.#atBottom || entries.some((entry) => entry.type === 'message' && entry.own)) {
      this.jumpedToBottom();
      return true;
    }
    // "N new" counts messages: a quiet join or leave line is not news to jump to.
    this.#unseen += entries.filter((entry) => entry.type === 'message').length;
    return false;
  }

  /** We scrolled to the bottom ourselves (jump button, own message). */
  jumpedToBottom(): void {
    this.#atBottom = true;
    this.#unseen = 0;
  }
}
