// REST polling of `GET /stream/{room}/consume/{sub}` as a feed transport: the live path when
// the server cannot upgrade WebSockets (Synap 1.3.1's shipped binary answers every upgrade
// with HTTP 500). One request in flight at a time; the pause between polls comes from the
// feed (see pollIntervalMs), which knows whether the room is in view and busy.
import type { FeedTransport, TransportSink } from './feed-transport';
import type { ConsumeResult } from './rest';

/** Events asked for per poll: a busy room's second's worth, many times over. */
export const POLL_LIMIT = 500;

/** How much attention a room gets: on screen, joined but not shown, or the tab is hidden. */
export type Attention = 'foreground' | 'background' | 'hidden';

/** The room on screen polls this often while people talk... */
export const FOREGROUND_ACTIVE_POLL_MS = 300;
/** ...this often once quiet for QUIET_AFTER_MS... */
export const FOREGROUND_QUIET_POLL_MS = 1_000;
/** ...and this often once quiet for IDLE_AFTER_MS. */
export const FOREGROUND_IDLE_POLL_MS = 2_000;
export const QUIET_AFTER_MS = 20_000;
export const IDLE_AFTER_MS = 120_000;
/** Joined rooms not on screen: a new message still shows in the room list within seconds. */
export const BACKGROUND_POLL_MS = 4_000;
/** Every room while the tab is hidden. */
export const HIDDEN_POLL_MS = 10_000;

/**
 * The pause before the next poll. Synap takes one write lock over all rooms for every
 * consume, so a client polls fast only where a person is watching a conversation.
 */
export function pollIntervalMs(attention: Attention, quietForMs: number): number {
  if (attention === 'hidden') return HIDDEN_POLL_MS;
  if (attention === 'background') return BACKGROUND_POLL_MS;
  if (quietForMs >= IDLE_AFTER_MS) return FOREGROUND_IDLE_POLL_MS;
  if (quietForMs >= QUIET_AFTER_MS) return FOREGROUND_QUIET_POLL_MS;
  return FOREGROUND_ACTIVE_POLL_MS;
}

export interface PollTransportOptions {
  /** Consume by real offsets (the feed's, which corrects Synap's retention skew). */
  consume: (fromOffset: number, limit: number) => Promise<ConsumeResult>;
  /** The pause before the next poll, asked after every poll. */
  intervalMs: () => number;
  limit?: number;
}

export function openPollTransport(
  options: PollTransportOptions,
  fromOffset: number,
  sink: TransportSink,
): FeedTransport {
  const limit = options.limit ?? POLL_LIMIT;
  let next = fromOffset;
  let ended = false;
  let opened = false;
  let inFlight = false;
  let wokenInFlight = false;
  let timer: ReturnType<typeof setTimeout> | null = null;

  async function poll(): Promise<void> {
    timer = null;
    if (ended || inFlight) return;
    inFlight = true;
    wokenInFlight = false;
    let page: ConsumeResult;
    try {
      page = await options.consume(next, limit);
    } catch (error) {
      inFlight = false;
      if (ended) return;
      ended = true;
      sink.closed({
        reason: error instanceof Error ? error.message : String(error),
        beforeOpen: !opened,
        error,
      });
      return;
    }
    inFlight = false;
    if (ended) return;
    if (!opened) {
      opened = true;
      sink.open();
    }
    if (page.malformed > 0) sink.malformed('unreadable event in a consume answer', page.malformed);
    const last = page.events.at(-1);
    if (last) {
      next = last.offset + 1;
      sink.events(page.events);
      if (ended) return;
    }
    // A full page means more is waiting: read on at once.
    const full = page.events.length + page.malformed >= limit;
    schedule(full || wokenInFlight ? 0 : options.intervalMs());
  }

  function schedule(delayMs: number): void {
    if (ended) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => void poll(), delayMs);
  }

  schedule(0);
  return {
    kind: 'polling',
    close() {
      ended = true;
      if (timer) clearTimeout(timer);
      timer = null;
    },
    wake() {
      if (ended) return;
      if (inFlight) wokenInFlight = true;
      else schedule(0);
    },
  };
}
