// The client message ids this device sent, newest last, kept across reloads: a message is
// shown as "You" only when this device can tell it sent it, never just because it carries the
// same name (anyone can publish any name).
import type { SafeStorage } from './safe-storage';

/** Ids remembered; older own messages are shown under the name, without "You". */
export const SENT_LOG_SIZE = 1_000;
const STORAGE_KEY = 'synap-chat:sent';

export class SentLog {
  readonly #storage: SafeStorage | null;
  readonly #size: number;
  #ids: string[];
  readonly #known: Set<string>;

  constructor(storage: SafeStorage | null, size = SENT_LOG_SIZE) {
    this.#storage = storage;
    this.#size = size;
    const stored = storage?.getJson(STORAGE_KEY);
    this.#ids = Array.isArray(stored)
      ? stored.filter((id): id is string => typeof id === 'string').slice(-size)
      : [];
    this.#known = new Set(this.#ids);
  }

  has(clientId: string): boolean {
    return this.#known.has(clientId);
  }

  add(clientId: string): void {
    if (this.#known.has(clientId)) return;
    this.#ids.push(clientId);
    this.#known.add(clientId);
    if (this.#ids.length > this.#size) {
      for (const old of this.#ids.splice(0, this.#ids.length - this.#size)) this.#known.delete(old);
    }
    this.#storage?.setJson(STORAGE_KEY, this.#ids);
  }

  /** "Forget this device". */
  clear(): void {
    this.#ids = [];
    this.#known.clear();
    this.#storage?.remove(STORAGE_KEY);
  }
}
