// What the user typed in a room and has not sent: kept per server, room and user in storage,
// so it survives switching rooms, opening Settings, a reload, and is the same in every tab.
import { CoalescedWrite } from './coalesced-write';
import type { SafeStorage } from './safe-storage';

/** Typing writes at most this often; switching rooms or closing the page writes at once. */
const DRAFT_WRITE_INTERVAL_MS = 300;
const PREFIX = 'synap-chat:draft:';

export class DraftStore {
  readonly #storage: SafeStorage;
  readonly #writes = new Map<string, CoalescedWrite<string>>();

  constructor(storage: SafeStorage) {
    this.#storage = storage;
  }

  get(server: string, stream: string, userId: string): string {
    const key = this.#key(server, stream, userId);
    this.#writes.get(key)?.flush();
    return this.#storage.getText(key) ?? '';
  }

  set(server: string, stream: string, userId: string, text: string): void {
    const key = this.#key(server, stream, userId);
    let write = this.#writes.get(key);
    if (!write) {
      write = new CoalescedWrite((value) => {
        if (value === '') this.#storage.remove(key);
        else this.#storage.setText(key, value);
      }, DRAFT_WRITE_INTERVAL_MS);
      this.#writes.set(key, write);
    }
    write.set(text);
  }

  /** Writes what is waiting (the page is closing, or the room is being left). */
  flush(): void {
    for (const write of this.#writes.values()) write.flush();
  }

  #key(server: string, stream: string, userId: string): string {
    return `${PREFIX}${JSON.stringify([server, stream, userId])}`;
  }
}
