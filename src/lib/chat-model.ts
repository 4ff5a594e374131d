// The chat app's data model, shared by the state modules (which build it from stream
// events) and the components (which render it). Plain data: no behaviour here.

/** Where one of the user's own messages is on its way to the server. */
export type DeliveryStatus = 'pending' | 'confirmed' | 'failed';

/** One chat message as the timeline shows it. */
export interface ChatMessage {
  type: 'message';
  /**
   * Stable list key, opaque to readers: a message sent from this page keeps one key from
   * pending to confirmed (its row updates in place); others are keyed by offset.
   */
  key: string;
  /** Stream offset; null while the message has not been stored yet. */
  offset: number | null;
  userId: string;
  /** Untrusted text, rendered as text only. */
  text: string;
  /** When it was written, in epoch milliseconds (author's clock, else server's). */
  sentAtMs: number;
  /** Sent from this device (its client message id says so), not merely under the same name. */
  own: boolean;
  /** The author's name reads like another name in the room (or like yours) but is not it. */
  lookalike?: boolean;
  status: DeliveryStatus;
  /** The client message id the sender put in the payload, if any. */
  clientId?: string;
  /** Why publishing failed, when status is 'failed'. */
  error?: string;
  /** A failed message that goes again by itself once the server answers (not a refusal). */
  willResend?: boolean;
}

/** A quiet line such as "Alice joined". */
export interface SystemLine {
  type: 'system';
  key: string;
  offset: number;
  kind: 'joined' | 'left';
  userId: string;
  atMs: number;
}

/**
 * Where the server dropped events before they could be read (retention). Their kinds are
 * unknown: they may have been messages, typing or presence.
 */
export interface GapLine {
  type: 'gap';
  key: string;
  /** The first lost offset (no other entry has it). */
  offset: number;
  /** Events from `offset` up to here were lost. */
  toOffset: number;
  /** When the loss was noticed, epoch ms. */
  atMs: number;
}

export type TimelineEntry = ChatMessage | SystemLine | GapLine;

/** Whether the room's recent messages have been read from the server yet. */
export type HistoryStatus =
  | { kind: 'loading'; scannedEvents: number }
  | { kind: 'failed'; message: string }
  | { kind: 'ready' };

/** A user seen in a room, from presence events. */
export interface OnlineUser {
  userId: string;
  /** Last time the user announced presence, epoch ms. */
  lastSeenMs: number;
  own: boolean;
}
