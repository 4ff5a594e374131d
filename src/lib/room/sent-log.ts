// The client message ids this device sent, newest last, kept across reloads: a message is
// shown as "You" only when this device can tell it sent it, never just because it carries the
// same name (anyone can publish any name).
//
// Every tab of the browser is this device, and tabs that run alone (see tab-hub.ts) share only
// storage: so the log is read from storage again whenever an id is not known here (another tab
// may have sent it), and each write merges what other tabs wrote meanwhile.
import type { SafeStorage } from '../device/safe-storage';

/** Ids remembered; older own messages are shown under the name, without "You". */
export const SENT_LOG_SIZE = 1_000;
const STORAGE_KEY = 'synap-chat:sent';

export class SentLog {
  readonly #storage: SafeStorage | null;
  readonly #size: number;
  #ids: string[] = [];
  #known = new Set<string>();
  /** The stored text last read or written: the log is parsed again only when it changed. */
  #storedText: string | null = null;

  constructor(storage: SafeStorage | null, size = SENT_LOG_SIZE) {
    this.#storage = storage;
    this.#size = size;
    this.#reread();
  }

  has(clientId: string): boolean {
    if (this.#known.has(clientId)) return true;
    // Asked only for messages under this user's name: another tab may have sent it.
    this.#reread();
    return this.#known.has(clientId);
  }

  add(clientId: string): void {
    this.#reread();
    if (this.#known.has(clientId)) return;
    this.#ids.push(clientId);
    this.#known.add(clientId);
    if (this.#ids.length > this.#size) {
      for (const old of this.#ids.splice(0, this.#ids.length - this.#size)) this.#known.delete(old);
    }
    if (!this.#storage) return;
    this.#storedText = JSON.stringify(this.#ids);
    this.#storage.setText(STORAGE_KEY, this.#storedText);
  }

  /** "Forget this device". */
  clear(): void {
    this.#ids = [];
    this.#known.clear();
    this.#storedText = null;
    this.#storage?.remove(STORAGE_KEY);
  }

  /** Takes what storage holds, when another tab changed it. */
  #reread(): void {
    if (!this.#storage) return;
    const text = this.#storage.getText(STORAGE_KEY);
    if (text === null || text === this.#storedText) return;
    this.#storedText = text;
    let stored: unknown;
    try {
      stored = JSON.parse(text);
    } catch {
      return;
    }
    if (!Array.isArray(stored)) return;
    this.#ids = stored.filter((id): id is string => typeof id === 'string').slice(-this.#size);
    this.#known = new Set(this.#ids);
  }
}
