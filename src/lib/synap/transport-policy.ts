// Which transport the rooms of one server use. The WebSocket is preferred; when its upgrades
// fail again and again while REST answers (Synap 1.3.1's shipped binary answers every
// upgrade with HTTP 500), the server's rooms switch to REST polling at once, keep probing
// the socket in the background, and switch back when an upgrade succeeds. The choice is
// remembered per server, so a reload starts with the transport that worked.
import { Emitter } from '../emitter';
import type { TransportKind } from './feed-transport';
import type { SafeStorage } from '../device/safe-storage';

/** Upgrades failing before the welcome frame this many times in a row mean "no sockets here". */
export const UPGRADE_FAILURES_BEFORE_POLLING = 3;
/** While polling, the socket is tried again this often (plus up to the same again, jittered). */
export const SOCKET_PROBE_INTERVAL_MS = 180_000;
/** After a reload that starts out polling, the first probe comes sooner (plus jitter). */
export const FIRST_SOCKET_PROBE_MS = 10_000;

export const POLLING_REASON =
  "This server's WebSocket connections fail (a known bug of Synap 1.3.1's release build), " +
  'so rooms are followed by asking the server for new messages every few moments.';

export interface TransportChoice {
  kind: TransportKind;
  /** Why polling, in words for the user; null for the socket. */
  reason: string | null;
}

export interface TransportPolicyEvents {
  change: TransportChoice;
}

export interface TransportPolicyOptions {
  serverUrl: string;
  storage?: SafeStorage | null;
  /** Tries one WebSocket upgrade; true when the server welcomed it. */
  probe: () => Promise<boolean>;
  random?: () => number;
  /** Whether sockets exist at all here (false: always poll, never probe). */
  socketsAvailable?: boolean;
  probeIntervalMs?: number;
  firstProbeMs?: number;
}

const STORAGE_PREFIX = 'synap-chat:transport:';

export class TransportPolicy extends Emitter<TransportPolicyEvents> {
  readonly #options: TransportPolicyOptions;
  readonly #random: () => number;
  readonly #storageKey: string;
  #choice: TransportChoice = { kind: 'websocket', reason: null };
  #failures = 0;
  #probeTimer: ReturnType<typeof setTimeout> | null = null;
  #probing = false;
  #stopped = false;

  constructor(options: TransportPolicyOptions) {
    super();
    this.#options = options;
    this.#random = options.random ?? Math.random;
    this.#storageKey = STORAGE_PREFIX + options.serverUrl;
    if (options.socketsAvailable === false) {
      this.#choice = { kind: 'polling', reason: 'This browser has no WebSocket support.' };
      return;
    }
    const stored = options.storage?.getJson(this.#storageKey);
    if (stored && typeof stored === 'object' && (stored as { kind?: unknown }).kind === 'polling') {
      this.#choice = { kind: 'polling', reason: POLLING_REASON };
      this.#scheduleProbe(options.firstProbeMs ?? FIRST_SOCKET_PROBE_MS);
    }
  }

  get choice(): TransportChoice {
    return this.#choice;
  }

  /** A socket was welcomed: sockets work here. */
  socketOpened(): void {
    this.#failures = 0;
    this.#set({ kind: 'websocket', reason: null });
  }

  /**
   * A socket failed before its welcome frame although REST had just answered. Returns
   * whether that made the server switch to polling.
   */
  socketRefused(): boolean {
    if (this.#choice.kind === 'polling') return false;
    this.#failures += 1;
    if (this.#failures < UPGRADE_FAILURES_BEFORE_POLLING) return false;
    this.#failures = 0;
    return this.#set({ kind: 'polling', reason: POLLING_REASON });
  }

  stop(): void {
    this.#stopped = true;
    if (this.#probeTimer) clearTimeout(this.#probeTimer);
    this.#probeTimer = null;
  }

  /** Emits only on a real change; returns whether it changed. */
  #set(choice: TransportChoice): boolean {
    if (this.#stopped) return false;
    if (choice.kind === this.#choice.kind && choice.reason === this.#choice.reason) return false;
    this.#choice = choice;
    if (choice.kind === 'polling') {
      this.#options.storage?.setJson(this.#storageKey, { kind: 'polling' });
      this.#scheduleProbe(this.#options.probeIntervalMs ?? SOCKET_PROBE_INTERVAL_MS);
    } else {
      this.#options.storage?.remove(this.#storageKey);
      if (this.#probeTimer) clearTimeout(this.#probeTimer);
      this.#probeTimer = null;
    }
    this.emit('change', choice);
    return true;
  }

  #scheduleProbe(baseMs: number): void {
    if (this.#stopped || this.#options.socketsAvailable === false) return;
    if (this.#probeTimer) clearTimeout(this.#probeTimer);
    // Jittered so that many clients polling one server do not probe it together.
    const delayMs = baseMs + Math.floor(this.#random() * baseMs);
    this.#probeTimer = setTimeout(() => void this.#probe(), delayMs);
  }

  async #probe(): Promise<void> {
    this.#probeTimer = null;
    if (this.#stopped || this.#probing || this.#choice.kind !== 'polling') return;
    this.#probing = true;
    let works = false;
    try {
      works = await this.#options.probe();
    } catch {
      works = false;
    } finally {
      this.#probing = false;
    }
    if (this.#stopped || this.#choice.kind !== 'polling') return;
    if (works) this.socketOpened();
    else this.#scheduleProbe(this.#options.probeIntervalMs ?? SOCKET_PROBE_INTERVAL_MS);
  }
}
