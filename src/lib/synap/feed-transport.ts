// What the room feed needs of a way to follow a room live. A transport reads events from a
// given offset and hands them over as they come; it knows nothing of cursors, generations,
// gaps or retries: the feed (room-feed.ts) owns all of that, once, for every transport.
import type { StreamEvent } from './rest';

export type TransportKind = 'websocket' | 'polling';

/** Why a transport stopped. */
export interface TransportEnd {
  reason: string;
  /** It ended before the server accepted it (for a socket: no welcome frame came). */
  beforeOpen: boolean;
  /** What a failed request threw, for the feed to classify (401, 403, a missing room...). */
  error?: unknown;
}

/** Where a transport reports; calls after `closed` are ignored by the feed. */
export interface TransportSink {
  /** The server accepted the session: live from now on. */
  open(): void;
  /** Events in the order received (the feed checks that order). */
  events(events: readonly StreamEvent[]): void;
  /** `count` frames or events could not be read and were skipped. */
  malformed(reason: string, count: number): void;
  closed(end: TransportEnd): void;
}

export interface FeedTransport {
  readonly kind: TransportKind;
  /** Stops it; it reports nothing more. */
  close(): void;
  /** Something is happening in the room: look for new events soon (polling only). */
  wake(): void;
}

/** Opens a transport that delivers the room's events from `fromOffset` on. */
export type OpenTransport = (fromOffset: number, sink: TransportSink) => FeedTransport;
