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
  /** This message answers an earlier one (its `reply_to`). */
  replyTo?: ReplyQuote;
  /** Its author changed the text: `text` is the newest; the first text is kept here. */
  edited?: { originalText: string; atMs: number };
  /** Its author deleted it: `text` is empty and it shows as a quiet line. */
  deleted?: { atMs: number };
  /** Reactions, in the order each emoji was first used; absent when there are none. */
  reactions?: readonly Reaction[];
  /** A change of the user's own (edit, delete, reaction) on its way to the server. */
  change?: PendingChange;
}

/** The quoted line of the message a reply answers, as that message stands now. */
export interface ReplyQuote {
  offset: number;
  /**
   * `shown`: the answered message is loaded (author and text are given); `deleted`: its
   * author deleted it; `unloaded`: it is older than what is loaded (jumping there loads it);
   * `lost`: the server dropped it (retention) or it was never a message.
   */
  state: 'shown' | 'deleted' | 'unloaded' | 'lost';
  userId?: string;
  own?: boolean;
  /** Its text as it stands now (maybe edited), whole; the row shortens it. */
  text?: string;
}

/** One emoji on one message, and who reacted with it (names, first reactor first). */
export interface Reaction {
  emoji: string;
  users: readonly string[];
  /** The user's own name is among them: a click takes it back. */
  mine: boolean;
}

/** The newest of the user's own changes to a message not yet stored by the server. */
export interface PendingChange {
  clientId: string;
  status: 'pending' | 'failed';
  error?: string;
  /** What it is, for the row's words ("Edit not saved"). */
  kind: 'edit' | 'delete' | 'reaction';
}

/**
 * A quiet line such as "Alice joined"; `moved`: the room's history before this line is from
 * the server it lived on before the server list changed, `userId` being that server's URL.
 */
export interface SystemLine {
  type: 'system';
  key: string;
  offset: number;
  kind: 'joined' | 'left' | 'moved';
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

/** What the message box is writing besides a new message: a reply or an edit. */
export type ComposerMode =
  /** `text`: the answered message's, shown shortened above the field. */
  | { kind: 'reply'; offset: number; userId: string; own: boolean; text: string }
  /** `text`: the message's current text, which the field starts from. */
  | { kind: 'edit'; offset: number; text: string };
