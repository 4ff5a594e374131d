// Desktop notifications for new messages: whether one is due (the room's level, a mention,
// where the user is looking), what the user chose (stored), and the browser's Notification,
// injectable so tests and browsers without it work the same.
import type { SafeStorage } from './safe-storage';

/** Per room: every message of others, only those that mention the user, or none. */
export type NotifyLevel = 'all' | 'mentions' | 'off';
export const NOTIFY_LEVELS: readonly NotifyLevel[] = ['all', 'mentions', 'off'];
/** The longest message text put in a notification; the room shows the rest. */
export const NOTIFICATION_BODY_CHARS = 160;

export interface NotificationLike {
  onclick: ((event: Event) => void) | null;
  close(): void;
}

export interface NotificationConstructorLike {
  new (title: string, options?: { body?: string; tag?: string }): NotificationLike;
  readonly permission: NotificationPermission;
  requestPermission(): Promise<NotificationPermission>;
}

export interface IncomingMessage {
  /** Sent from this device (or by this user's name from here): never notified. */
  own: boolean;
  /** It says "@name" of the user. */
  mention: boolean;
  /** The room is on screen in a visible page: the user sees it already. */
  seen: boolean;
}

/** Whether a new message deserves a notification at this room's level. */
export function shouldNotify(level: NotifyLevel, message: IncomingMessage): boolean {
  if (message.own || message.seen || level === 'off') return false;
  return level === 'all' || message.mention;
}

const PREFERENCES_KEY = 'synap-chat:notifications';

interface StoredPreferences {
  enabled: boolean;
  levels: Record<string, NotifyLevel>;
}

function readPreferences(value: unknown): StoredPreferences {
  const record =
    typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  const levels: Record<string, NotifyLevel> = {};
  if (typeof record.levels === 'object' && record.levels !== null) {
    for (const [room, level] of Object.entries(record.levels as Record<string, unknown>)) {
      if (NOTIFY_LEVELS.includes(level as NotifyLevel)) levels[room] = level as NotifyLevel;
    }
  }
  return { enabled: record.enabled === true, levels };
}

/** What the user chose: notifications on at all (opt-in), and a level per room. */
export class NotificationPreferences {
  readonly #storage: SafeStorage;
  #stored: StoredPreferences;

  constructor(storage: SafeStorage) {
    this.#storage = storage;
    this.#stored = readPreferences(storage.getJson(PREFERENCES_KEY));
  }

  get enabled(): boolean {
    return this.#stored.enabled;
  }

  /** `room`: a key naming the room on its server (see ChatApp). New rooms notify everything. */
  levelFor(room: string): NotifyLevel {
    return this.#stored.levels[room] ?? 'all';
  }

  setEnabled(enabled: boolean): void {
    this.#save({ ...this.#stored, enabled });
  }

  setLevel(room: string, level: NotifyLevel): void {
    this.#save({ ...this.#stored, levels: { ...this.#stored.levels, [room]: level } });
  }

  #save(next: StoredPreferences): void {
    this.#stored = next;
    this.#storage.setJson(PREFERENCES_KEY, next);
  }
}

/** The browser's notifications: permission (asked only from a user action) and showing one. */
export class DesktopNotifier {
  readonly #Notification: NotificationConstructorLike | null;
  readonly #focus: () => void;

  constructor(Notification: NotificationConstructorLike | null, focus: () => void = () => {}) {
    this.#Notification = Notification;
    this.#focus = focus;
  }

  get supported(): boolean {
    return this.#Notification !== null;
  }

  get permission(): NotificationPermission | 'unsupported' {
    return this.#Notification?.permission ?? 'unsupported';
  }

  /** Call from a click or key press only: browsers refuse (or remember a "no") otherwise. */
  async requestPermission(): Promise<NotificationPermission | 'unsupported'> {
    if (!this.#Notification) return 'unsupported';
    if (this.#Notification.permission !== 'default') return this.#Notification.permission;
    try {
      return await this.#Notification.requestPermission();
    } catch {
      return 'denied';
    }
  }

  /** One notification per room at a time (`tag`); a click brings the page and the room. */
  show(title: string, body: string, tag: string, open: () => void): void {
    const Notification = this.#Notification;
    if (!Notification || Notification.permission !== 'granted') return;
    const text =
      body.length > NOTIFICATION_BODY_CHARS ? `${body.slice(0, NOTIFICATION_BODY_CHARS)}…` : body;
    try {
      const notification = new Notification(title, { body: text, tag });
      notification.onclick = () => {
        this.#focus();
        open();
        notification.close();
      };
    } catch {
      // Some browsers allow notifications from a service worker only: nothing to show then.
    }
  }
}
