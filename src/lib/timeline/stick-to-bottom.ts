// The decisions behind the timeline's autoscroll (the idea of chat-ui's stickToBottom):
// follow new entries only while the reader is at the bottom, count what arrives while
// they read older messages, and tell prepended older entries (whose view must stay still)
// from arrivals.

import type { TimelineEntry } from './entries';

/**
 * Without a wheel, touch, key or scrollbar, only ending up this far from the bottom leaves it
 * (the virtualiser's own corrections, seen up to about 70 px, stay within it).
 */
export const UNSTEERED_LEAVE_PX = 160;

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

/** How the list changed between two renders, by entry key. */
export interface ListChange {
  /** Entries now before the previous first entry (older history loaded). */
  prepended: number;
  /** Indexes in `next` of entries after the previous last entry (new arrivals). */
  appendedFrom: number;
  /** Nothing in common (another room, or a reset): start over at the bottom. */
  reset: boolean;
}

/** What lists are compared by: the timeline's entries, or anything else with a stable key. */
export interface Keyed {
  key: string;
}

export function diffKeys(previous: readonly Keyed[], next: readonly Keyed[]): ListChange {
  const first = previous[0]?.key;
  const last = previous[previous.length - 1]?.key;
  if (first === undefined || last === undefined) {
    return { prepended: 0, appendedFrom: 0, reset: true };
  }
  // Arrivals and older pages, the usual changes, are found a few steps from either end.
  const prepended = Math.max(
    0,
    next.findIndex((item) => item.key === first),
  );
  let lastAt = next.length - 1;
  while (lastAt >= 0 && next[lastAt]?.key !== last) lastAt -= 1;
  if (lastAt >= 0) return { prepended, appendedFrom: lastAt + 1, reset: false };
  // The newest previous entry went (a failed message discarded): the newest one still
  // present marks where the arrivals start.
  const nextIndex = new Map<string, number>();
  next.forEach((item, index) => nextIndex.set(item.key, index));
  for (let index = previous.length - 2; index >= 0; index -= 1) {
    const found = nextIndex.get(previous[index]?.key ?? '');
    if (found !== undefined) return { prepended, appendedFrom: found + 1, reset: false };
  }
  return { prepended: 0, appendedFrom: next.length, reset: true };
}

export class StickToBottom {
  readonly #thresholdPx: number;
  #atBottom = true;
  #unseen = 0;
  #lastScrollTop = 0;

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

  /**
   * After every scroll event (the user's or the page's). Only the reader moving up leaves the
   * bottom: rows measured as they render change the height, and the virtualiser corrects its
   * estimates with small scrolls of its own (up as well), under a reader who is following;
   * none of that may read as "scrolled away". `byUser`: the reader was steering (wheel,
   * touch, keys, scrollbar) when it happened.
   */
  scrolled(metrics: ScrollMetrics, byUser = true): void {
    const upBy = this.#lastScrollTop - metrics.scrollTop;
    this.#lastScrollTop = metrics.scrollTop;
    // Corrections of row-height estimates are small: ending up further than that from the
    // bottom means someone went up (find in page, a screen reader, a script), wheel or not.
    const fromBottom = metrics.scrollHeight - metrics.clientHeight - metrics.scrollTop;
    const readerWentUp = upBy > 0 && (byUser || fromBottom > UNSTEERED_LEAVE_PX);
    if (isAtBottom(metrics, this.#thresholdPx)) {
      this.#atBottom = true;
      this.#unseen = 0;
    } else if (readerWentUp) {
      this.#atBottom = false;
    }
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

  /**
   * The page put the view somewhere itself (a room opening at its "New messages" divider):
   * at the bottom or not is then only a matter of where it ended up, whichever way it went.
   */
  placed(metrics: ScrollMetrics): void {
    this.#lastScrollTop = metrics.scrollTop;
    this.#atBottom = isAtBottom(metrics, this.#thresholdPx);
    if (this.#atBottom) this.#unseen = 0;
  }

  /** We scrolled to the bottom ourselves (jump button, own message). */
  jumpedToBottom(): void {
    this.#atBottom = true;
    this.#unseen = 0;
  }
}
