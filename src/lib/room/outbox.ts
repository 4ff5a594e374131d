// The user's own messages on their way to the server: sent one at a time so they keep
// their order, kept when publishing fails so nothing typed is lost, and settled when the
// publish answer gives the message's offset, or (if that answer was lost) when its own echo
// comes back through the stream or the room's history shows it stored. A message whose
// answer was lost may still be stored, or land later: nothing written after it goes until
// it is resolved, so the order written is the order stored.
import { Emitter } from '../emitter';
import { newClientId, readIntent, type OutgoingIntent } from './chat-events';

export interface OutgoingMessage {
  clientId: string;
  text: string;
  createdAtMs: number;
  status: 'pending' | 'failed';
  error?: string;
  /** The server refused it as such (say 403): sending it again as it is would not help. */
  refused?: boolean;
  /** A reply, edit, delete or reaction; absent for a plain message. */
  intent?: OutgoingIntent;
}

export interface OutboxEvents {
  /** The list of messages not yet confirmed changed. */
  change: readonly OutgoingMessage[];
  /** The server stored `message` at `offset` (emitted before `change` drops it). */
  stored: { message: OutgoingMessage; offset: number };
}

/** Publishes one message; resolves with the offset the server gave it. */
export type PublishMessage = (message: OutgoingMessage) => Promise<{ offset: number }>;

/**
 * Looks for `message` in the room by its client message id: its offset, or null when the
 * room does not have it. Rejects when the room cannot be read to tell.
 */
export type FindStoredMessage = (message: OutgoingMessage) => Promise<number | null>;

/** What a closing page left unsent, read back from storage (anything malformed is dropped). */
export function readOutgoing(value: unknown): OutgoingMessage[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item: unknown): OutgoingMessage[] => {
    if (typeof item !== 'object' || item === null) return [];
    const { clientId, text, createdAtMs, status, error, refused } = item as Record<string, unknown>;
    if (typeof clientId !== 'string' || typeof text !== 'string') return [];
    if (typeof createdAtMs !== 'number' || !Number.isFinite(createdAtMs)) return [];
    const raw = (item as Record<string, unknown>).intent;
    const intent = readIntent(raw);
    // A damaged intent is not sent as a plain message: that would say something else.
    if (raw !== undefined && intent === null) return [];
    const what = intent ? { intent } : {};
    // A refusal stays what it was; a message still on its way may or may not have arrived.
    if (status === 'failed' && refused === true && typeof error === 'string') {
      return [{ clientId, text, createdAtMs, status: 'failed', error, refused: true, ...what }];
    }
    return [{ clientId, text, createdAtMs, status: 'failed', error: UNSENT_ON_CLOSE, ...what }];
  });
}

/** Whether a message left pending reached the server is unknown: its echo would tell. */
const UNSENT_ON_CLOSE = 'not confirmed before the page closed';
/** Said of a message held back because one written before it has not gone yet. */
export const WAITING_FOR_EARLIER = 'waiting for an earlier message to go first';

export class Outbox extends Emitter<OutboxEvents> {
  #items: OutgoingMessage[] = [];
  /** Whether the send loop is running (it takes one message at a time, in order). */
  #sending = false;
  /**
   * Client ids whose publish may have been stored although no answer said so (the answer
   * was lost, or a page closed waiting): looked for in the room before being sent again.
   */
  readonly #mayBeStored = new Set<string>();
  readonly #publish: PublishMessage;
  readonly #now: () => number;
  readonly #isRefusal: (error: unknown) => boolean;
  readonly #findStored: FindStoredMessage | null;

  /**
   * `isRefusal`: errors that mean "not like this", which are left to the user. `findStored`:
   * how a message whose answer was lost is looked for (without it, it is sent again).
   */
  constructor(
    publish: PublishMessage,
    now: () => number = Date.now,
    isRefusal: (error: unknown) => boolean = () => false,
    findStored: FindStoredMessage | null = null,
  ) {
    super();
    this.#publish = publish;
    this.#now = now;
    this.#isRefusal = isRefusal;
    this.#findStored = findStored;
  }

  get items(): readonly OutgoingMessage[] {
    return this.#items;
  }

  /**
   * Brings back messages an earlier page left unsent, as failed (Retry sends them). One that
   * did reach the server is removed when its echo arrives, like any other, or found in the
   * room before it is sent again.
   */
  restore(items: readonly OutgoingMessage[]): void {
    const known = new Set(this.#items.map((item) => item.clientId));
    const restored = items.filter((item) => !known.has(item.clientId));
    if (restored.length === 0) return;
    for (const item of restored) if (!item.refused) this.#mayBeStored.add(item.clientId);
    this.#items = [...restored, ...this.#items];
    this.#changed();
  }

  /**
   * Queues a message and returns it at once, as pending. What failed before it (and was not
   * refused) goes first, so others read the user's messages in the order they were written.
   */
  send(
    text: string,
    clientId: string = newClientId(),
    intent: OutgoingIntent | null = null,
  ): OutgoingMessage {
    this.#pendAgain((item) => item.status === 'failed' && !item.refused);
    const message: OutgoingMessage = {
      clientId,
      text,
      createdAtMs: this.#now(),
      status: 'pending',
      ...(intent ? { intent } : {}),
    };
    this.#items = [...this.#items, message];
    this.#changed();
    this.#startSending();
    return message;
  }

  /** Sends one failed message again, after the failed ones written before it. */
  retry(clientId: string): void {
    const index = this.#items.findIndex((item) => item.clientId === clientId);
    const message = this.#items[index];
    if (!message || message.status !== 'failed') return;
    this.#pendAgain(
      (item, at) => item.status === 'failed' && (at === index || (at < index && !item.refused)),
    );
    this.#startSending();
  }

  /**
   * The connection is back: everything that failed on the way is sent again, in order. What
   * the server refused waits for the user (Retry or Discard). A copy that did get through
   * before is found by its client message id (its echo, or the room's history) first.
   */
  resendFailed(): void {
    if (this.#pendAgain((item) => item.status === 'failed' && !item.refused)) {
      this.#startSending();
    }
  }

  discard(clientId: string): void {
    const before = this.#items.length;
    this.#items = this.#items.filter((item) => item.clientId !== clientId);
    this.#mayBeStored.delete(clientId);
    if (this.#items.length !== before) this.#changed();
    // What waited behind it may go now.
    this.#startSending();
  }

  /** The message is stored (its echo arrived). Returns whether it was still waiting here. */
  confirm(clientId: string): boolean {
    this.#mayBeStored.delete(clientId);
    const before = this.#items.length;
    this.#items = this.#items.filter((item) => item.clientId !== clientId);
    if (this.#items.length === before) return false;
    this.#changed();
    return true;
  }

  #find(clientId: string): OutgoingMessage | undefined {
    return this.#items.find((item) => item.clientId === clientId);
  }

  #update(clientId: string, patch: Partial<OutgoingMessage>): void {
    this.#items = this.#items.map((item) =>
      item.clientId === clientId ? { ...item, ...patch } : item,
    );
    this.#changed();
  }

  /** Makes the chosen failed messages pending again (sent now, so dated now). */
  #pendAgain(chosen: (item: OutgoingMessage, index: number) => boolean): boolean {
    let changed = false;
    this.#items = this.#items.map((item, index) => {
      if (item.status !== 'failed' || !chosen(item, index)) return item;
      changed = true;
      // An old draft retried today belongs with today's messages.
      const { error: _error, refused: _refused, ...rest } = item;
      return { ...rest, status: 'pending', createdAtMs: this.#now() };
    });
    if (changed) this.#changed();
    return changed;
  }

  #startSending(): void {
    if (this.#sending) return;
    this.#sending = true;
    void this.#sendAll();
  }

  /** Sends the pending messages one at a time, in order, until none can go. */
  async #sendAll(): Promise<void> {
    try {
      for (let next = this.#next(); next; next = this.#next()) await this.#sendOne(next);
    } finally {
      // In the same turn as the last look: a message queued from now on starts a new loop.
      this.#sending = false;
    }
  }

  /**
   * The first pending message, unless a failed one written before it has not gone: then
   * everything pending waits, failed with it, until that one is sent again.
   */
  #next(): OutgoingMessage | null {
    const index = this.#items.findIndex(
      (item) => item.status === 'pending' || (item.status === 'failed' && !item.refused),
    );
    const first = this.#items[index];
    if (!first) return null;
    if (first.status === 'pending') return first;
    if (this.#items.some((item) => item.status === 'pending')) {
      this.#items = this.#items.map((item) =>
        item.status === 'pending'
          ? { ...item, status: 'failed', error: WAITING_FOR_EARLIER }
          : item,
      );
      this.#changed();
    }
    return null;
  }

  async #sendOne(message: OutgoingMessage): Promise<void> {
    const { clientId } = message;
    if (this.#mayBeStored.has(clientId) && this.#findStored) {
      let found: number | null;
      try {
        found = await this.#findStored(message);
      } catch (error) {
        // A room this key may not read cannot tell: sending again is all there is.
        if (!this.#isRefusal(error)) {
          if (this.#find(clientId)) this.#fail(clientId, error);
          return;
        }
        found = null;
      }
      // Its echo, or a discard, may have settled it meanwhile.
      if (!this.#find(clientId)) return;
      if (found !== null) {
        this.#settle(clientId, found);
        return;
      }
    }
    let offset: number;
    try {
      ({ offset } = await this.#publish(this.#find(clientId) ?? message));
    } catch (error) {
      if (!this.#find(clientId)) return;
      // Only a refusal says for sure that nothing was stored.
      if (this.#isRefusal(error)) this.#mayBeStored.delete(clientId);
      else this.#mayBeStored.add(clientId);
      this.#fail(clientId, error);
      return;
    }
    this.#settle(clientId, offset);
  }

  #fail(clientId: string, error: unknown): void {
    this.#update(clientId, {
      status: 'failed',
      error: error instanceof Error ? error.message : String(error),
      ...(this.#isRefusal(error) ? { refused: true } : {}),
    });
  }

  /** Stored at `offset`: told, then let go of (unless its echo settled it already). */
  #settle(clientId: string, offset: number): void {
    this.#mayBeStored.delete(clientId);
    const settled = this.#find(clientId);
    if (!settled) return;
    this.emit('stored', { message: settled, offset });
    this.confirm(clientId);
  }

  #changed(): void {
    this.emit('change', this.#items);
  }
}
