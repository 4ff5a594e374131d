// The few notices a room shows above its timeline (lost events, a reset, an error): a short,
// bounded list, where losses reported one after another add up in one notice.

/** Notices kept on screen; older ones go. */
export const MAX_NOTICES = 3;

export interface RoomNotice {
  id: string;
  kind: 'gap' | 'reset' | 'error';
  text: string;
}

export class RoomNotices {
  #list: RoomNotice[] = [];
  #count = 0;
  /** Events counted in the gap notice last in the list. */
  #gapLost = 0;

  /** The notices, oldest first; a new array after every change. */
  get list(): RoomNotice[] {
    return this.#list;
  }

  /** `lost` events were dropped by the server before they could be read. */
  gap(lost: number): void {
    const last = this.#list.at(-1);
    const total = lost + (last?.kind === 'gap' ? this.#gapLost : 0);
    if (last?.kind === 'gap') this.#list = this.#list.slice(0, -1);
    this.#gapLost = total;
    // Only the count of events is known: some were typing and presence, not messages.
    const events = total === 1 ? '1 event was' : `${total.toLocaleString()} events were`;
    this.add(
      'gap',
      `Some messages may be missing: ${events} dropped by the server before they could be read`,
    );
  }

  /** Adds a notice; returns its id (to dismiss it later). */
  add(kind: RoomNotice['kind'], text: string): string {
    this.#count += 1;
    const id = `${kind}-${this.#count}`;
    this.#list = [...this.#list, { id, kind, text }].slice(-MAX_NOTICES);
    return id;
  }

  dismiss(id: string): void {
    this.#list = this.#list.filter((notice) => notice.id !== id);
  }
}
