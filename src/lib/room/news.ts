// What in a room calls for the user: messages that mention them (counted apart while unread)
// and live messages still unread a moment after they came (told, for a notification).
//
// Owns: the mention count and the news timer. Does not own: what is read (the timeline
// model says, through `readOffset`), nor how news is shown (the app decides).

/**
 * A new message is news (a notification) only if still unread this long after it came: a tab
 * where the user reads the room tells the others within a second (see tab-hub.ts).
 */
export const NEWS_DELAY_MS = 1_500;

/** A message worth telling the user about. */
export interface RoomNews {
  offset: number;
  userId: string;
  text: string;
  /** It mentions the user ("@name"), or answers one of their messages. */
  mention: boolean;
}

export class RoomNewsTeller {
  readonly #onNews: ((news: RoomNews) => void) | null;
  readonly #readOffset: () => number | null;
  /** Offsets of messages that mention the user, while they may be unread. */
  readonly #mentionOffsets = new Set<number>();
  /** Live messages of others waiting to be told. */
  #waiting: RoomNews[] = [];
  #timer: ReturnType<typeof setTimeout> | null = null;
  #stopped = false;

  constructor(onNews: ((news: RoomNews) => void) | null, readOffset: () => number | null) {
    this.#onNews = onNews;
    this.#readOffset = readOffset;
  }

  /** A message of someone else: counted if it mentions the user, told soon if live. */
  note(news: RoomNews, live: boolean): void {
    const readOffset = this.#readOffset();
    if (news.mention && (readOffset === null || news.offset >= readOffset)) {
      this.#mentionOffsets.add(news.offset);
    }
    if (!live || !this.#onNews) return;
    this.#waiting.push(news);
    // One timer for a burst, not one per message.
    this.#timer ??= setTimeout(() => this.#tell(), NEWS_DELAY_MS);
  }

  /** Mentions of the user not read yet. */
  unreadMentions(): number {
    const readOffset = this.#readOffset() ?? 0;
    for (const offset of this.#mentionOffsets) {
      if (offset < readOffset) this.#mentionOffsets.delete(offset);
    }
    return this.#mentionOffsets.size;
  }

  /** The room was reset: its mentions are gone. */
  clear(): void {
    this.#mentionOffsets.clear();
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  /** Tells what is still unread; a burst becomes its latest message (and any mention). */
  #tell(): void {
    this.#timer = null;
    const read = this.#readOffset() ?? 0;
    const unread = this.#waiting.filter((news) => news.offset >= read);
    this.#waiting = [];
    if (this.#stopped || !this.#onNews) return;
    const latest = unread.at(-1);
    const mention = unread.filter((news) => news.mention).at(-1);
    if (mention) this.#onNews(mention);
    else if (latest) this.#onNews(latest);
  }
}
