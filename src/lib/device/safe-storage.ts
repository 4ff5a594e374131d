// localStorage that never breaks the app: storage that throws on access (privacy modes,
// sandboxed frames), is full, or holds corrupted JSON falls back to memory, and the
// reason is kept so the app can tell the user that settings will not survive a reload.

export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
  /** To list what is stored (localStorage has them; a storage without them lists nothing). */
  readonly length?: number;
  key?(index: number): string | null;
}

function defaultStorage(): StorageLike | null {
  return globalThis.localStorage ?? null;
}

export class SafeStorage {
  readonly #open: () => StorageLike | null;
  readonly #memory = new Map<string, string>();
  #problem: string | null = null;
  /** Said once anything stored could not be read: it stays said until the page closes. */
  #damaged: string | null = null;

  /** `open` may throw (as `window.localStorage` does when storage is blocked). */
  constructor(open: () => StorageLike | null = defaultStorage) {
    this.#open = open;
  }

  /** Why the last write did not reach persistent storage, or null when all is well. */
  get problem(): string | null {
    return this.#problem ?? this.#damaged;
  }

  #storage(): StorageLike | null {
    try {
      return this.#open();
    } catch (error) {
      this.#problem = `Storage is not available (${describe(error)}); settings last until the page closes.`;
      return null;
    }
  }

  getText(key: string): string | null {
    if (this.#memory.has(key)) return this.#memory.get(key) ?? null;
    try {
      return this.#storage()?.getItem(key) ?? null;
    } catch {
      return null;
    }
  }

  setText(key: string, value: string): void {
    const storage = this.#storage();
    try {
      if (!storage) throw new Error('no storage');
      storage.setItem(key, value);
      this.#memory.delete(key);
      this.#problem = null;
    } catch (error) {
      this.#memory.set(key, value);
      this.#problem ??= isQuotaError(error)
        ? 'Browser storage is full: recent changes last until the page closes.'
        : `Storage is not available (${describe(error)}); settings last until the page closes.`;
    }
  }

  remove(key: string): void {
    this.#memory.delete(key);
    try {
      this.#storage()?.removeItem(key);
    } catch {
      // Nothing stored that could be removed: nothing to do.
    }
  }

  /** Removes every key that starts with `prefix` ("Forget this device"); never throws. */
  removeAll(prefix: string): void {
    for (const key of [...this.#memory.keys()]) {
      if (key.startsWith(prefix)) this.#memory.delete(key);
    }
    try {
      const storage = this.#storage();
      if (!storage?.key || storage.length === undefined) return;
      const keys: string[] = [];
      for (let i = 0; i < storage.length; i += 1) {
        const key = storage.key(i);
        if (key?.startsWith(prefix)) keys.push(key);
      }
      for (const key of keys) storage.removeItem(key);
    } catch {
      // Storage that cannot be read holds nothing this page could remove.
    }
  }

  /** Parsed JSON, or null for a missing, corrupted or unreadable value (never throws). */
  getJson(key: string): unknown {
    const text = this.getText(key);
    if (text === null) return null;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      this.#damaged = 'Some saved data was damaged and could not be read: it was set aside.';
      return null;
    }
  }

  setJson(key: string, value: unknown): void {
    this.setText(key, JSON.stringify(value));
  }
}

function isQuotaError(error: unknown): boolean {
  return (
    error instanceof Error &&
    (error.name === 'QuotaExceededError' || error.name === 'NS_ERROR_DOM_QUOTA_REACHED')
  );
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message || error.name : String(error);
}
