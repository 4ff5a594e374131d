// One connection per browser: the tabs of one user on one server elect a leader with the Web
// Locks API; the leader runs a LocalRoomLink for every room any tab has joined and relays what
// they say over a BroadcastChannel. Every tab's RoomSession gets a TabRoomLink, which speaks
// the same RoomLink interface, so the feed and the session never know about tabs.
//
// Presence is per device: a room's link (hence "joined" and heartbeats) lives in the leader
// only, and "left" is said when the last tab holding the room lets go of it. When the leader
// tab closes (its lock is released) or crashes (the browser releases it), the next tab in the
// lock's queue takes over within milliseconds and resumes every room from the furthest offset
// any tab saw; the outbox and cursors live in shared storage. Pages opened from disk
// (file://) share too where the browser lets them: a tab first proves that the channel carries
// messages here (a handshake), and runs its own links, as one tab would, where it does not, or
// where Web Locks or BroadcastChannel are missing.
import { furthestCursor, type RoomCursor } from '../device/cursor-store';
import { Emitter } from '../emitter';
import type { OutgoingMessage } from '../room/outbox';
import type { Attention } from '../synap/poll-transport';
import type { FeedState } from '../feed/room-feed';
import type { Goodbye, RoomLink, RoomLinkEvents } from '../room/room-link';
import { newClientId, readIntent, type OutgoingIntent } from '../room/chat-events';
import { SynapError, type ConsumeResult, type SynapErrorKind } from '../synap/rest';

/** How often the leader checks for tabs that vanished without a word (a crash). */
export const TAB_CHECK_MS = 5_000;
/** How long a tab waits for its handshake to come back over the channel before it runs alone. */
export const HANDSHAKE_TIMEOUT_MS = 1_000;

export interface HostOptions {
  createFirst: boolean;
  /** Where to resume, when a tab saw further than the stored cursor. */
  cursor: RoomCursor | null;
  /** False when the device is in the room already (a handover): no second "joined". */
  announce: boolean;
}

/** The parts of LockManager used here (injectable for tests). */
export interface LocksLike {
  request(name: string, callback: () => Promise<void>): Promise<void>;
  query(): Promise<{ held?: { name?: string }[]; pending?: { name?: string }[] }>;
}

export type ChannelConstructor = new (name: string) => {
  postMessage(message: unknown): void;
  close(): void;
  onmessage: ((event: { data: unknown }) => void) | null;
};

export interface TabHubOptions {
  /** Who and where: tabs share a leader only for the same user on the same server. */
  scope: string;
  host: (stream: string, options: HostOptions) => RoomLink;
  locks?: LocksLike | null;
  BroadcastChannel?: ChannelConstructor | null;
  tabId?: string;
}

type Role = 'solo' | 'electing' | 'leader' | 'follower';
type LinkEventName = keyof RoomLinkEvents;
type Command = 'retry' | 'discard' | 'confirm' | 'typing' | 'retryNow' | 'activity';
interface SerialError {
  kind: SynapErrorKind;
  message: string;
  status?: number | null;
  earliestOffset?: number | null;
}

type Message =
  | { t: 'join'; tab: string; stream: string; attention: Attention; createFirst: boolean }
  | { t: 'seen'; tab: string; stream: string; cursor: RoomCursor | null }
  | { t: 'leave'; tab: string; stream: string; goodbye: Goodbye; forget: boolean }
  | { t: 'attention'; tab: string; stream: string; attention: Attention }
  | { t: 'cmd'; tab: string; stream: string; cmd: Command; arg: string | boolean | null }
  | {
      t: 'send';
      tab: string;
      stream: string;
      text: string;
      clientId: string;
      intent?: OutgoingIntent | null;
    }
  | { t: 'consume'; tab: string; id: number; stream: string; from: number; limit: number }
  | { t: 'bye'; tab: string }
  | { t: 'leader'; tab: string }
  | { t: 'feed'; stream: string; name: LinkEventName; payload: unknown }
  | {
      t: 'snapshot';
      to: string;
      stream: string;
      state: FeedState;
      nextOffset: number | null;
      outgoing: readonly OutgoingMessage[];
      ready: RoomLinkEvents['ready'] | null;
    }
  | {
      t: 'consumed';
      to: string;
      stream: string;
      id: number;
      result?: ConsumeResult;
      error?: SerialError;
    }
  | { t: 'read'; tab: string; stream: string; marker: RoomCursor };

/** What the leader relays from a room's link ("read" goes from tab to tab instead). */
const FED_EVENTS = [
  'state',
  'event',
  'gap',
  'reset',
  'ready',
  'stats',
  'malformed',
  'outbox',
  'stored',
] as const satisfies readonly LinkEventName[];

const ATTENTION_RANK: Record<Attention, number> = { hidden: 0, background: 1, foreground: 2 };

function newTabId(): string {
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}

function serialError(error: unknown): SerialError {
  if (error instanceof SynapError) {
    return {
      kind: error.kind,
      message: error.message,
      status: error.status,
      earliestOffset: error.earliestOffset,
    };
  }
  return { kind: 'network', message: String(error) };
}

/** A room hosted by the leader, with the tabs that hold it and how closely each watches. */
interface Hosted {
  link: RoomLink;
  tabs: Map<string, Attention>;
  ready: RoomLinkEvents['ready'] | null;
  off: (() => void)[];
}

export class TabHub {
  readonly #options: TabHubOptions;
  readonly #tabId: string;
  #role: Role;
  #channel: InstanceType<ChannelConstructor> | null = null;
  /** This tab's rooms, by stream. */
  readonly #links = new Map<string, TabRoomLink>();
  /** The leader's rooms, by stream. */
  readonly #hosted = new Map<string, Hosted>();
  /** Furthest position any tab reported per room, for a leader taking over. */
  readonly #seen = new Map<string, RoomCursor>();
  #outbound: Message[] = [];
  #releaseLeader: (() => void) | null = null;
  #releaseTab: (() => void) | null = null;
  #checkTimer: ReturnType<typeof setInterval> | null = null;
  /** Crash checks started so far, and per tab how many had started when it last spoke. */
  #checks = 0;
  readonly #heard = new Map<string, number>();
  #stopped = false;

  constructor(options: TabHubOptions) {
    this.#options = options;
    this.#tabId = options.tabId ?? newTabId();
    const locks = options.locks ?? null;
    const Channel = options.BroadcastChannel ?? null;
    const shared = locks !== null && Channel !== null;
    this.#role = shared ? 'electing' : 'solo';
    if (!shared) return;
    try {
      this.#channel = new Channel(`synap-chat:tabs:${options.scope}`);
      this.#channel.onmessage = (event) => this.#receive(event.data);
      // Holding a lock of its own tells the leader this tab is alive (see #checkTabs).
      // Without it the leader would take this tab for crashed: it runs alone instead.
      void locks
        .request(this.#tabLock(this.#tabId), () => new Promise((r) => (this.#releaseTab = r)))
        .catch(() => {
          if (!this.#stopped) this.#goSolo();
        });
      this.#handshake(Channel, () => {
        void locks
          .request(`synap-chat:leader:${options.scope}`, () => this.#lead())
          .catch(() => this.#goSolo());
      });
    } catch {
      this.#goSolo();
    }
  }

  /**
   * Proves the channel carries messages in this browser before this tab stands for leader: a
   * message posted on one end must come out of another. A page opened from disk (file://) has
   * an opaque origin, and only some browsers still give it a working channel (Chromium does);
   * where nothing comes back the tab runs alone rather than wait for a leader it cannot hear.
   */
  #handshake(Channel: ChannelConstructor, then: () => void): void {
    const name = `synap-chat:handshake:${this.#options.scope}:${this.#tabId}`;
    const token = newTabId();
    const ear = new Channel(name);
    const mouth = new Channel(name);
    let timer: ReturnType<typeof setTimeout> | null = null;
    const finish = (works: boolean) => {
      if (timer === null) return;
      clearTimeout(timer);
      timer = null;
      ear.close();
      mouth.close();
      if (this.#stopped || this.#role === 'solo') return;
      if (works) then();
      else this.#goSolo();
    };
    timer = setTimeout(() => finish(false), HANDSHAKE_TIMEOUT_MS);
    ear.onmessage = (event) => {
      if (event.data === token) finish(true);
    };
    mouth.postMessage(token);
  }

  get role(): Role {
    return this.#role;
  }

  get tabId(): string {
    return this.#tabId;
  }

  /** The room's link for this tab. */
  link(stream: string, createFirst = false): RoomLink {
    if (this.#role === 'solo') {
      return this.#options.host(stream, { createFirst, cursor: null, announce: true });
    }
    const link = new TabRoomLink(this, stream, createFirst);
    this.#links.set(stream, link);
    return link;
  }

  /** The page goes: rooms held only here said goodbye already; the lead passes on. */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    if (this.#role === 'leader') {
      for (const [stream, hosted] of this.#hosted) this.#unhost(stream, hosted, 'none');
    } else if (this.#role === 'follower' || this.#role === 'electing') {
      this.#post({ t: 'bye', tab: this.#tabId });
    }
    this.#flushOutbound();
    if (this.#checkTimer) clearInterval(this.#checkTimer);
    this.#releaseLeader?.();
    this.#releaseTab?.();
    this.#channel?.close();
    this.#channel = null;
  }

  // --- used by TabRoomLink ----------------------------------------------------------------
  /** A message for the leader: handled here when this tab leads, else posted. */
  send(message: Message): void {
    if (this.#stopped) return;
    if (this.#role === 'leader') this.#asLeader(message);
    else if (this.#role !== 'solo') this.#post(message);
  }

  /** A message for the other tabs (a read marker). */
  tell(message: Message): void {
    if (!this.#stopped && this.#role !== 'solo') this.#post(message);
  }

  forget(stream: string): void {
    this.#links.delete(stream);
  }

  get isLeader(): boolean {
    return this.#role === 'leader';
  }

  // --- election ---------------------------------------------------------------------------
  async #lead(): Promise<void> {
    // Stopped, or running alone since: the lock goes to the next tab in line.
    if (this.#stopped || this.#role === 'solo') return;
    this.#role = 'leader';
    this.#checkTimer = setInterval(() => void this.#checkTabs(), TAB_CHECK_MS);
    // Own rooms first, from where this tab stands; then the others are asked to join again.
    for (const link of this.#links.values()) link.rejoin();
    this.#post({ t: 'leader', tab: this.#tabId });
    this.#flushOutbound();
    await new Promise<void>((resolve) => (this.#releaseLeader = resolve));
  }

  #goSolo(): void {
    // Locks refused, or a channel that carries nothing: each tab for itself, as without them.
    if (this.#role === 'solo') return;
    // A leader that heard this tab's joins after all lets go of them (see #checkTabs).
    this.#post({ t: 'bye', tab: this.#tabId });
    this.#flushOutbound();
    this.#role = 'solo';
    this.#releaseTab?.();
    this.#channel?.close();
    this.#channel = null;
    for (const [stream, link] of this.#links) {
      const createFirst = link.createFirst;
      link.goSolo(this.#options.host(stream, { createFirst, cursor: null, announce: true }));
    }
  }

  #tabLock(tabId: string): string {
    return `synap-chat:tab:${this.#options.scope}:${tabId}`;
  }

  /**
   * Tabs that crashed hold no lock any more: their rooms let go of them. A tab is judged only
   * once it has been silent since before the previous check: the browser may list a page's
   * lock a while after the page asked for it (in the fault suite a reloaded tab joined, and its
   * lock was missing from answers read up to 0.2 s later), and letting a live tab go would leave
   * it without events for good.
   */
  async #checkTabs(): Promise<void> {
    const locks = this.#options.locks;
    if (!locks || this.#role !== 'leader') return;
    this.#checks += 1;
    const silentSince = this.#checks - 1;
    const suspects = [...this.#hosted].map(([stream, hosted]) => ({
      stream,
      hosted,
      tabs: [...hosted.tabs.keys()].filter(
        (tab) => tab !== this.#tabId && (this.#heard.get(tab) ?? -1) < silentSince,
      ),
    }));
    let alive: Set<string>;
    try {
      const state = await locks.query();
      alive = new Set(
        [...(state.held ?? []), ...(state.pending ?? [])].map((lock) => lock.name ?? ''),
      );
    } catch {
      return;
    }
    for (const { stream, hosted, tabs } of suspects) {
      // A room let go of and hosted again meanwhile was joined after the question.
      if (this.#hosted.get(stream) !== hosted) continue;
      for (const tab of tabs) {
        if (!hosted.tabs.has(tab) || alive.has(this.#tabLock(tab))) continue;
        this.#heard.delete(tab);
        this.#asLeader({ t: 'leave', tab, stream, goodbye: 'await', forget: false });
      }
    }
  }

  // --- the channel ------------------------------------------------------------------------
  #post(message: Message): void {
    if (!this.#channel) return;
    // One post per turn of the event loop: a burst of events crosses as one message.
    if (this.#outbound.length === 0) queueMicrotask(() => this.#flushOutbound());
    this.#outbound.push(message);
  }

  #flushOutbound(): void {
    const batch = this.#outbound;
    this.#outbound = [];
    if (batch.length > 0) this.#channel?.postMessage(batch);
  }

  #receive(data: unknown): void {
    if (!Array.isArray(data) || this.#stopped) return;
    for (const message of data as Message[]) {
      // Another page of this origin could post anything: one bad message must not stop the rest.
      try {
        this.#noteHeard(message);
        if (this.#role === 'leader') this.#asLeader(message);
        this.#asFollower(message);
      } catch (error) {
        console.error('a message between tabs could not be handled', error);
      }
    }
  }

  /** Another tab spoke: it is alive (see #checkTabs). */
  #noteHeard(message: Message): void {
    const tab = (message as { tab?: unknown } | null)?.tab;
    if (typeof tab !== 'string' || message.t === 'leader') return;
    if (message.t === 'bye') this.#heard.delete(tab);
    else this.#heard.set(tab, this.#checks);
  }

  // --- as a follower (and for this tab's own rooms) --------------------------------------
  #asFollower(message: Message): void {
    switch (message.t) {
      case 'leader':
        if (this.#role !== 'leader') {
          this.#role = 'follower';
          for (const link of this.#links.values()) link.rejoin();
        }
        break;
      case 'feed':
        this.#links.get(message.stream)?.deliver(message.name, message.payload);
        break;
      case 'snapshot':
        if (message.to === this.#tabId) this.#links.get(message.stream)?.snapshot(message);
        break;
      case 'consumed':
        // A history page belongs to one room: an answer keyed by request id alone would hand
        // room A's events to room B when both links asked with the same id.
        if (message.to === this.#tabId)
          this.#links.get(message.stream)?.consumed(message.id, message);
        break;
      case 'read':
        if (message.tab !== this.#tabId) {
          this.#links.get(message.stream)?.deliver('read', message.marker);
        }
        break;
      default:
        break;
    }
  }

  // --- as the leader -----------------------------------------------------------------------
  /** Delivers to this tab's own link at once, and to the other tabs over the channel. */
  #fanOut(message: Message & { t: 'feed' | 'snapshot' | 'consumed' }, remote: boolean): void {
    this.#asFollower(message);
    if (remote) this.#post(message);
  }

  #asLeader(message: Message): void {
    switch (message.t) {
      case 'join':
        this.#join(message.tab, message.stream, message.attention, message.createFirst);
        break;
      case 'seen':
        this.#noteSeen(message.stream, message.cursor);
        break;
      case 'leave': {
        const hosted = this.#hosted.get(message.stream);
        if (!hosted) break;
        hosted.tabs.delete(message.tab);
        if (hosted.tabs.size > 0) this.#applyAttention(hosted);
        else this.#unhost(message.stream, hosted, message.goodbye, message.forget);
        break;
      }
      case 'attention': {
        const hosted = this.#hosted.get(message.stream);
        if (!hosted?.tabs.has(message.tab)) break;
        hosted.tabs.set(message.tab, message.attention);
        this.#applyAttention(hosted);
        break;
      }
      case 'bye':
        for (const [stream, hosted] of this.#hosted) {
          if (!hosted.tabs.has(message.tab)) continue;
          hosted.tabs.delete(message.tab);
          if (hosted.tabs.size === 0) this.#unhost(stream, hosted, 'keepalive');
        }
        break;
      case 'cmd':
        this.#command(message);
        break;
      case 'send':
        this.#hosted
          .get(message.stream)
          ?.link.send(message.text, message.clientId, readIntent(message.intent));
        break;
      case 'consume':
        void this.#consume(message);
        break;
      default:
        break;
    }
  }

  #noteSeen(stream: string, cursor: RoomCursor | null): void {
    const furthest = furthestCursor(this.#seen.get(stream) ?? null, cursor);
    if (furthest) this.#seen.set(stream, furthest);
  }

  #join(tab: string, stream: string, attention: Attention, createFirst: boolean): void {
    let hosted = this.#hosted.get(stream);
    if (!hosted) {
      const seen = this.#seen.get(stream) ?? null;
      // A room some tab saw was announced by this device already: a handover says nothing.
      const link = this.#options.host(stream, { createFirst, cursor: seen, announce: !seen });
      const created: Hosted = { link, tabs: new Map(), ready: null, off: [] };
      hosted = created;
      for (const name of FED_EVENTS) {
        created.off.push(
          link.on(name, (payload) => {
            if (name === 'ready') created.ready = payload as RoomLinkEvents['ready'];
            const remote = [...created.tabs.keys()].some((id) => id !== this.#tabId);
            this.#fanOut({ t: 'feed', stream, name, payload }, remote);
          }),
        );
      }
      this.#hosted.set(stream, created);
      link.start();
    }
    hosted.tabs.set(tab, attention);
    this.#applyAttention(hosted);
    const { link, ready } = hosted;
    const nextOffset = link.nextOffset;
    this.#fanOut(
      {
        t: 'snapshot',
        to: tab,
        stream,
        state: link.state,
        nextOffset,
        outgoing: link.outgoing,
        // A tab that comes late starts where the feed stands; history covers what came before.
        ready: ready && nextOffset !== null ? { ...ready, startOffset: nextOffset } : null,
      },
      tab !== this.#tabId,
    );
  }

  #unhost(stream: string, hosted: Hosted, goodbye: Goodbye, forget = false): void {
    for (const off of hosted.off) off();
    this.#hosted.delete(stream);
    // Whoever joins the room later joins it anew, and is announced.
    this.#seen.delete(stream);
    void (forget ? hosted.link.leave() : hosted.link.stop(goodbye));
  }

  #applyAttention(hosted: Hosted): void {
    let best: Attention = 'hidden';
    for (const attention of hosted.tabs.values()) {
      if (ATTENTION_RANK[attention] > ATTENTION_RANK[best]) best = attention;
    }
    hosted.link.setAttention(best);
  }

  #command(message: Extract<Message, { t: 'cmd' }>): void {
    const link = this.#hosted.get(message.stream)?.link;
    if (!link) return;
    const arg = message.arg;
    switch (message.cmd) {
      case 'retry':
        if (typeof arg === 'string') link.retry(arg);
        break;
      case 'discard':
        if (typeof arg === 'string') link.discard(arg);
        break;
      case 'confirm':
        if (typeof arg === 'string') link.confirm(arg);
        break;
      case 'typing':
        link.setTyping(arg === true);
        break;
      case 'retryNow':
        link.retryNow();
        break;
      case 'activity':
        link.noteActivity();
        break;
    }
  }

  async #consume(message: Extract<Message, { t: 'consume' }>): Promise<void> {
    const link = this.#hosted.get(message.stream)?.link;
    const reply = (result: Partial<Extract<Message, { t: 'consumed' }>>) =>
      this.#fanOut(
        { t: 'consumed', to: message.tab, stream: message.stream, id: message.id, ...result },
        message.tab !== this.#tabId,
      );
    if (!link) {
      reply({ error: { kind: 'network', message: 'the room is not open in this browser' } });
      return;
    }
    try {
      reply({ result: await link.consume(message.from, message.limit) });
    } catch (error) {
      reply({ error: serialError(error) });
    }
  }
}

/** A tab's view of a room whose connection the leader tab holds (maybe this one). */
export class TabRoomLink extends Emitter<RoomLinkEvents> implements RoomLink {
  readonly #hub: TabHub;
  readonly #stream: string;
  readonly #createFirst: boolean;
  #state: FeedState = { kind: 'connecting' };
  #nextOffset: number | null = null;
  #generation: number | null = null;
  #outgoing: readonly OutgoingMessage[] = [];
  #attention: Attention = 'background';
  #started = false;
  /** Events are taken only after the leader said where this tab starts. */
  #synced = false;
  /** Messages sent from this tab that no outbox has shown yet: a new leader gets them again. */
  readonly #unacked = new Map<string, { text: string; intent: OutgoingIntent | null }>();
  #consumeId = 0;
  readonly #consumes = new Map<number, PendingConsume>();
  /** The room's own link, once the hub gave up sharing (this tab then runs it alone). */
  #solo: RoomLink | null = null;

  constructor(hub: TabHub, stream: string, createFirst: boolean) {
    super();
    this.#hub = hub;
    this.#stream = stream;
    this.#createFirst = createFirst;
  }

  get createFirst(): boolean {
    return this.#createFirst;
  }
  get state(): FeedState {
    return this.#solo?.state ?? this.#state;
  }
  get nextOffset(): number | null {
    return this.#solo ? this.#solo.nextOffset : this.#nextOffset;
  }
  get outgoing(): readonly OutgoingMessage[] {
    return this.#solo?.outgoing ?? this.#outgoing;
  }

  start(): void {
    this.#started = true;
    if (this.#solo) this.#solo.start();
    else this.rejoin();
  }

  stop(goodbye: Goodbye): Promise<void> {
    return this.#letGo(goodbye, false);
  }

  leave(): Promise<void> {
    return this.#letGo('await', true);
  }

  setAttention(attention: Attention): void {
    this.#attention = attention;
    if (this.#solo) this.#solo.setAttention(attention);
    else if (this.#started) {
      this.#hub.send({ t: 'attention', tab: this.#hub.tabId, stream: this.#stream, attention });
    }
  }

  retryNow(): void {
    if (this.#solo) this.#solo.retryNow();
    else this.#command('retryNow', null);
  }
  noteActivity(): void {
    if (this.#solo) this.#solo.noteActivity();
    else this.#command('activity', null);
  }
  send(text: string, clientId: string = newClientId(), intent: OutgoingIntent | null = null): void {
    if (this.#solo) {
      this.#solo.send(text, clientId, intent);
      return;
    }
    this.#unacked.set(clientId, { text, intent });
    const tab = this.#hub.tabId;
    this.#hub.send({ t: 'send', tab, stream: this.#stream, text, clientId, intent });
  }
  retry(clientId: string): void {
    if (this.#solo) this.#solo.retry(clientId);
    else this.#command('retry', clientId);
  }
  discard(clientId: string): void {
    if (this.#solo) this.#solo.discard(clientId);
    else this.#command('discard', clientId);
  }
  confirm(clientId: string): boolean {
    if (this.#solo) return this.#solo.confirm(clientId);
    if (this.#outgoing.some((message) => message.clientId === clientId)) {
      this.#command('confirm', clientId);
    }
    // The leader's outbox answers with an "outbox" event.
    return false;
  }
  setTyping(isTyping: boolean): void {
    if (this.#solo) this.#solo.setTyping(isTyping);
    else this.#command('typing', isTyping);
  }

  noteRead(marker: RoomCursor): void {
    if (!this.#solo) {
      this.#hub.tell({ t: 'read', tab: this.#hub.tabId, stream: this.#stream, marker });
    }
  }

  consume(fromOffset: number, limit: number): Promise<ConsumeResult> {
    if (this.#solo) return this.#solo.consume(fromOffset, limit);
    return new Promise((resolve, reject) => {
      this.#consumeId += 1;
      const id = this.#consumeId;
      this.#consumes.set(id, { from: fromOffset, limit, resolve, reject });
      this.#askConsume(id, fromOffset, limit);
    });
  }

  // --- from the hub -------------------------------------------------------------------------
  /** (Re)joins the room at the current leader, telling it how far this tab has seen. */
  rejoin(): void {
    if (!this.#started || this.#solo) return;
    this.#synced = false;
    const tab = this.#hub.tabId;
    const stream = this.#stream;
    const cursor =
      this.#generation !== null && this.#nextOffset !== null
        ? { generation: this.#generation, nextOffset: this.#nextOffset }
        : null;
    this.#hub.send({ t: 'seen', tab, stream, cursor });
    this.#hub.send({
      t: 'join',
      tab,
      stream,
      attention: this.#attention,
      createFirst: this.#createFirst,
    });
    // What the previous leader never showed or answered goes to the new one.
    for (const [clientId, { text, intent }] of this.#unacked) {
      this.#hub.send({ t: 'send', tab, stream, text, clientId, intent });
    }
    for (const [id, pending] of this.#consumes) this.#askConsume(id, pending.from, pending.limit);
  }

  snapshot(message: Extract<Message, { t: 'snapshot' }>): void {
    this.#synced = true;
    this.#nextOffset = message.nextOffset ?? this.#nextOffset;
    this.#setState(message.state);
    this.#takeOutgoing(message.outgoing);
    if (message.ready) {
      this.#generation = message.ready.generation;
      this.emit('ready', message.ready);
    }
  }

  deliver(name: LinkEventName, payload: unknown): void {
    if (name === 'read') {
      this.emit('read', payload as RoomCursor);
      return;
    }
    if (!this.#synced) return;
    switch (name) {
      case 'state':
        this.#setState((payload as RoomLinkEvents['state']).newState);
        return;
      case 'event': {
        const { event } = payload as RoomLinkEvents['event'];
        // A handover may bring again what this tab saw: shown once.
        if (this.#nextOffset !== null && event.offset < this.#nextOffset) return;
        this.#nextOffset = event.offset + 1;
        break;
      }
      case 'ready': {
        const ready = payload as RoomLinkEvents['ready'];
        const sameRoom = ready.generation === this.#generation && this.#nextOffset !== null;
        this.#generation = ready.generation;
        this.#nextOffset = sameRoom
          ? Math.max(this.#nextOffset ?? 0, ready.startOffset)
          : ready.startOffset;
        break;
      }
      case 'reset':
        this.#nextOffset = null;
        break;
      case 'outbox':
        this.#takeOutgoing(payload as readonly OutgoingMessage[]);
        return;
      case 'stored':
        this.#unacked.delete((payload as RoomLinkEvents['stored']).message.clientId);
        break;
      default:
        break;
    }
    this.emit(name, payload as never);
  }

  consumed(id: number, message: Extract<Message, { t: 'consumed' }>): void {
    const pending = this.#consumes.get(id);
    if (!pending) return;
    this.#consumes.delete(id);
    if (message.result) pending.resolve(message.result);
    else {
      const error = message.error ?? { kind: 'network' as const, message: 'no answer' };
      pending.reject(new SynapError(error.kind, error.message, error.status, error.earliestOffset));
    }
  }

  /** The hub gave up sharing: from here this tab runs the room itself. */
  goSolo(solo: RoomLink): void {
    this.#solo = solo;
    const names: LinkEventName[] = [...FED_EVENTS];
    for (const name of names) solo.on(name, (payload) => this.emit(name, payload as never));
    solo.setAttention(this.#attention);
    for (const [clientId, { text, intent }] of this.#unacked) solo.send(text, clientId, intent);
    this.#unacked.clear();
    for (const [id, pending] of this.#consumes) {
      this.#consumes.delete(id);
      solo.consume(pending.from, pending.limit).then(pending.resolve, pending.reject);
    }
    if (this.#started) solo.start();
  }

  // --- internals ----------------------------------------------------------------------------
  #letGo(goodbye: Goodbye, forget: boolean): Promise<void> {
    this.#started = false;
    this.#hub.forget(this.#stream);
    for (const pending of this.#consumes.values()) {
      pending.reject(new SynapError('network', 'the room was closed'));
    }
    this.#consumes.clear();
    if (this.#solo) return forget ? this.#solo.leave() : this.#solo.stop(goodbye);
    const tab = this.#hub.tabId;
    this.#hub.send({ t: 'leave', tab, stream: this.#stream, goodbye, forget });
    return Promise.resolve();
  }

  #takeOutgoing(items: readonly OutgoingMessage[]): void {
    for (const item of items) this.#unacked.delete(item.clientId);
    this.#outgoing = items;
    this.emit('outbox', items);
  }

  #askConsume(id: number, from: number, limit: number): void {
    this.#hub.send({ t: 'consume', tab: this.#hub.tabId, id, stream: this.#stream, from, limit });
  }

  #command(cmd: Command, arg: string | boolean | null): void {
    this.#hub.send({ t: 'cmd', tab: this.#hub.tabId, stream: this.#stream, cmd, arg });
  }

  #setState(newState: FeedState): void {
    const oldState = this.#state;
    if (JSON.stringify(oldState) === JSON.stringify(newState)) return;
    this.#state = newState;
    this.emit('state', { oldState, newState });
  }
}

interface PendingConsume {
  from: number;
  limit: number;
  resolve: (result: ConsumeResult) => void;
  reject: (error: unknown) => void;
}
