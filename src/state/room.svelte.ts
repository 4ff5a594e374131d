// One joined room for the components: the latest RoomView of its RoomSession in $state, and
// the user's commands passed on. The room's logic lives in src/lib (room-session.ts for what
// is shown, room-link.ts for the connection); this class only makes it reactive.
import type { ChatMessage, ComposerMode } from '../lib/timeline/entries';
import type { CursorStore } from '../lib/device/cursor-store';
import type { DraftStore } from '../lib/device/drafts';
import type { Goodbye, RoomLink } from '../lib/room/room-link';
import { RoomSearch, type SearchSnapshot } from '../lib/room/room-search';
import type { MovedFrom } from '../lib/room/moved-history';
import { RoomSession, type RoomNews, type RoomView } from '../lib/room/room-session';
import { streamName } from '../lib/servers/room-names';
import type { SafeStorage } from '../lib/device/safe-storage';
import type { SentLog } from '../lib/room/sent-log';
import type { SynapRest } from '../lib/synap/rest';

export interface RoomDeps {
  rest: SynapRest;
  serverUrl: string;
  userId: string;
  subscriberId: string;
  prefix: string;
  readMarkers: CursorStore;
  /** Keeps the cached tail across reloads. */
  storage: SafeStorage;
  /** The client message ids this device sent: only those messages are "You". */
  sentLog?: SentLog;
  /** The room's connection (a LocalRoomLink, or a tab's share of one: see tab-hub.ts). */
  link: (stream: string) => RoomLink;
  /** Unsent text per room (kept across room switches, Settings and reloads). */
  drafts?: DraftStore;
  /** A message of someone else still unread a moment after it came (for notifications). */
  onNews?: (news: RoomNews) => void;
  /** The server this room lived on before the server list changed (its history comes first). */
  movedFrom?: MovedFrom | null;
  now?: () => number;
}

export class RoomState {
  readonly id: string;
  readonly stream: string;
  /** The server the room lives on (see placement.ts). */
  readonly serverUrl: string;
  readonly #session: RoomSession;
  readonly #deps: RoomDeps;
  #view: RoomView;

  // One derived per part: a change to one part re-renders only what reads it.
  readonly timeline = $derived.by(() => this.#view.timeline);
  readonly connection = $derived.by(() => this.#view.connection);
  readonly typers = $derived.by(() => this.#view.typers);
  readonly online = $derived.by(() => this.#view.online);
  readonly unread = $derived.by(() => this.#view.unread);
  readonly mentions = $derived.by(() => this.#view.mentions);
  readonly dividerOffset = $derived.by(() => this.#view.dividerOffset);
  readonly notices = $derived.by(() => this.#view.notices);
  readonly stats = $derived.by(() => this.#view.stats);
  readonly hasOlder = $derived.by(() => this.#view.hasOlder);
  readonly loadingOlder = $derived.by(() => this.#view.loadingOlder);
  readonly historyError = $derived.by(() => this.#view.historyError);
  readonly historyStatus = $derived.by(() => this.#view.historyStatus);
  readonly earliestOffset = $derived.by(() => this.#view.earliestOffset);
  readonly malformed = $derived.by(() => this.#view.malformed);
  readonly active = $derived.by(() => this.#view.active);
  /** Replying to or editing a message; null: writing a new one. */
  composing = $state.raw<ComposerMode | null>(null);
  /** The message to bring into view (a reply's quote, a search result), once loaded. */
  jump = $state.raw<{ offset: number; seq: number; focus: boolean } | null>(null);
  /** A jump reading history back to its message: events read, of those to read. */
  jumping = $state.raw<{ read: number; total: number } | null>(null);
  #jumpAbort: AbortController | null = null;
  /** "Search this room" is open, and where its search stands. */
  searchOpen = $state(false);
  search: SearchSnapshot;
  readonly #search: RoomSearch;

  constructor(id: string, deps: RoomDeps) {
    this.id = id;
    this.stream = streamName(deps.prefix, id);
    this.serverUrl = deps.serverUrl;
    this.#deps = deps;
    this.#session = new RoomSession(deps.link(this.stream), { ...deps, stream: this.stream });
    this.#view = $state.raw(this.#session.view);
    this.#session.onView((view) => (this.#view = view));
    this.#search = new RoomSearch((snapshot) => (this.search = snapshot));
    this.search = $state.raw(this.#search.snapshot);
  }

  /** Where the live feed stands (the next offset it will deliver), once known. */
  get nextOffset(): number | null {
    return this.#session.nextOffset;
  }

  /** What the user typed here and has not sent (read when the composer opens). */
  get draft(): string {
    const { drafts, serverUrl, userId } = this.#deps;
    return drafts?.get(serverUrl, this.stream, userId) ?? '';
  }
  setDraft(text: string): void {
    const { drafts, serverUrl, userId } = this.#deps;
    drafts?.set(serverUrl, this.stream, userId, text);
  }

  // --- replies and edits ----------------------------------------------------------------
  startReply(message: ChatMessage): void {
    if (message.offset === null || message.deleted) return;
    const { offset, userId, own, text } = message;
    this.composing = { kind: 'reply', offset, userId, own, text };
  }
  startEdit(message: ChatMessage): void {
    if (message.offset === null || message.deleted || !message.own) return;
    this.composing = { kind: 'edit', offset: message.offset, text: message.text };
  }
  cancelComposing(): void {
    this.composing = null;
  }
  /**
   * ↑ in an empty message box edits the user's newest message here sent from this device
   * (as in Slack, Discord and Element); false when there is none stored yet.
   */
  editLast(): boolean {
    const entries = this.timeline;
    for (let index = entries.length - 1; index >= 0; index -= 1) {
      const entry = entries[index];
      if (entry?.type !== 'message' || !entry.own || entry.offset === null) continue;
      if (entry.deleted) continue;
      this.startEdit(entry);
      return true;
    }
    return false;
  }
  /** The message box's text: a new message, a reply or an edit, as the box is writing. */
  submit(text: string): void {
    const mode = this.composing;
    this.composing = null;
    if (mode?.kind === 'edit') this.#session.edit(mode.offset, text);
    else if (mode?.kind === 'reply') this.#session.reply(text, mode.offset);
    else this.#session.send(text);
  }
  deleteMessage(message: ChatMessage): void {
    if (message.offset !== null) this.#session.deleteMessage(message.offset);
  }
  react(message: ChatMessage, emoji: string, add: boolean): void {
    if (message.offset !== null) this.#session.react(message.offset, emoji, add);
  }
  // --- search -------------------------------------------------------------------------
  openSearch(): void {
    this.searchOpen = true;
  }
  closeSearch(): void {
    this.searchOpen = false;
    this.#search.clear();
  }
  runSearch(query: string): void {
    const source = this.#session.searchSource();
    if (source) {
      void this.#search.search(query, source);
      return;
    }
    const status = { kind: 'failed', message: 'The room is not connected yet' } as const;
    this.search = { ...this.#search.snapshot, query, status };
  }
  stopSearch(): void {
    this.#search.stop();
  }

  /**
   * Shows the message at `offset`, reading history back to it if needed (`jumping` tells how
   * far it got; a new jump replaces one under way); `focus`: the keyboard focus goes to it
   * (from a reply's quote; a search keeps it in its results).
   */
  async jumpTo(offset: number, focus = true): Promise<void> {
    this.#jumpAbort?.abort();
    const abort = new AbortController();
    this.#jumpAbort = abort;
    const shown = await this.#session.reveal(offset, {
      signal: abort.signal,
      onProgress: (read, total) => {
        if (!abort.signal.aborted) this.jumping = { read, total };
      },
    });
    if (abort.signal.aborted) return;
    this.#jumpAbort = null;
    this.jumping = null;
    if (shown) this.jump = { offset, seq: (this.jump?.seq ?? 0) + 1, focus };
  }
  /** Stops the jump under way after the page being read; the view stays where it is. */
  cancelJump(): void {
    this.#jumpAbort?.abort();
    this.#jumpAbort = null;
    this.jumping = null;
  }

  start(): void {
    this.#session.start();
  }
  stop(goodbye: Goodbye = 'none'): Promise<void> {
    return this.#session.stop(goodbye);
  }
  leave(): Promise<void> {
    return this.#session.leave();
  }
  setActive(active: boolean, visible: boolean): void {
    this.#session.setActive(active, visible);
  }
  setFollowing(following: boolean): void {
    this.#session.setFollowing(following);
  }
  retryNow(): void {
    this.#session.retryNow();
  }
  dismissNotice(id: string): void {
    this.#session.dismissNotice(id);
  }
  send(text: string): void {
    this.#session.send(text);
  }
  retry(clientId: string): void {
    this.#session.retry(clientId);
  }
  discard(clientId: string): void {
    this.#session.discard(clientId);
  }
  setTyping(isTyping: boolean): void {
    this.#session.setTyping(isTyping);
  }
  markRead(): void {
    this.#session.markRead();
  }
  /** Esc: read, and the "New messages" divider dismissed. */
  dismissDivider(): void {
    this.#session.dismissDivider();
  }
  refreshStats(): Promise<void> {
    return this.#session.refreshStats();
  }
  retryHistory(): void {
    this.#session.retryHistory();
  }
  loadOlder(): Promise<void> {
    return this.#session.loadOlder();
  }
}
