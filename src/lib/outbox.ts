// The user's own messages on their way to the server: sent one at a time so they keep
// their order, kept when publishing fails so nothing typed is lost, and settled when the
// publish answer gives the message's offset, or (if that answer was lost) when its own echo
// comes back through the stream.
import { Emitter } from './emitter';
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

export class Outbox extends Emitter<OutboxEvents> {
  #items: OutgoingMessage[] = [];
  #queue: Promise<void> = Promise.resolve();
  readonly #publish: PublishMessage;
  readonly #now: () => number;

  readonly #isRefusal: (error: unknown) => boolean;

  /** `isRefusal`: errors that mean "not like this", which are left to the user. */
  constructor(
    publish: PublishMessage,
    now: () => number = Date.now,
    isRefusal: (error: unknown) => boolean = () => false,
  ) {
    super();
    this.#publish = publish;
    this.#now = now;
    this.#isRefusal = isRefusal;
  }

  get items(): readonly OutgoingMessage[] {
    return this.#items;
  }

  /**
   * Brings back messages an earlier page left unsent, as failed (Retry sends them). One that
   * did reach the server is removed when its echo arrives, like any other.
   */
  restore(items: readonly OutgoingMessage[]): void {
    const known = new Set(this.#items.map((item) => item.clientId));
    const restored = items.filter((item) => !known.has(item.clientId));
    if (restored.length === 0) return;
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
    this.resendFailed();
    const message: OutgoingMessage = {
      clientId,
      text,
      createdAtMs: this.#now(),
      status: 'pending',
      ...(intent ? { intent } : {}),
    };
    this.#items = [...this.#items, message];
    this.#changed();
    this.#enqueue(clientId);
    return message;
  }

  retry(clientId: string): void {
    const message = this.#find(clientId);
    if (!message || message.status !== 'failed') return;
    // Sent now, so dated now: an old draft retried today belongs with today's messages.
    this.#update(clientId, {
      status: 'pending',
      createdAtMs: this.#now(),
      error: undefined,
      refused: undefined,
    });
    this.#enqueue(clientId);
  }

  /**
   * The connection is back: everything that failed on the way is sent again, in order. What
   * the server refused waits for the user (Retry or Discard). A copy that did get through
   * before is recognised by its client message id and shown once.
   */
  resendFailed(): void {
    for (const message of this.#items) {
      if (message.status === 'failed' && !message.refused) this.retry(message.clientId);
    }
  }

  discard(clientId: string): void {
    const before = this.#items.length;
    this.#items = this.#items.filter((item) => item.clientId !== clientId);
    if (this.#items.length !== before) this.#changed();
  }

  /** The message is stored (its echo arrived). Returns whether it was still waiting here. */
  confirm(clientId: string): boolean {
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

  #enqueue(clientId: string): void {
    this.#queue = this.#queue.then(async () => {
      const message = this.#find(clientId);
      // Discarded, or its echo already came back while it waited its turn.
      if (!message || message.status !== 'pending') return;
      let offset: number;
      try {
        ({ offset } = await this.#publish(message));
      } catch (error) {
        if (!this.#find(clientId)) return;
        this.#update(clientId, {
          status: 'failed',
          error: error instanceof Error ? error.message : String(error),
          ...(this.#isRefusal(error) ? { refused: true } : {}),
        });
        return;
      }
      // Its echo may have settled it already.
      const settled = this.#find(clientId);
      if (!settled) return;
      this.emit('stored', { message: settled, offset });
      this.confirm(clientId);
    });
  }

  #changed(): void {
    this.emit('change', this.#items);
  }
}
