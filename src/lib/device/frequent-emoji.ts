// The emoji this user reacts with most, first in the reaction picker. Kept per browser (not
// per room or server): habits follow the person.
import { readEmoji } from '../room/chat-events';
import type { SafeStorage } from './safe-storage';

const STORAGE_KEY = 'synap-chat:frequent-emoji';
/** Emoji remembered; the picker shows its own set after them. */
export const FREQUENT_EMOJI_KEPT = 8;
/** Each use counts this much more than the last one, so recent habits win over old ones. */
const RECENCY_WEIGHT = 1.1;

export class FrequentEmoji {
  readonly #storage: SafeStorage;
  /** emoji → weighted count, highest first. */
  #scores: [string, number][];

  constructor(storage: SafeStorage) {
    this.#storage = storage;
    this.#scores = FrequentEmoji.#read(storage.getJson(STORAGE_KEY));
  }

  /** Most used first. */
  get list(): string[] {
    return this.#scores.map(([emoji]) => emoji);
  }

  /** The user reacted with `emoji`. Returns the new list. */
  use(emoji: string): string[] {
    if (readEmoji(emoji) === null) return this.list;
    const top = this.#scores[0]?.[1] ?? 0;
    const current = this.#scores.find(([known]) => known === emoji)?.[1] ?? 0;
    const others = this.#scores.filter(([known]) => known !== emoji);
    // At least as high as the top one times the weight would be too eager: one use of a new
    // emoji puts it near the top, a second use on top.
    const score = Math.max(current + 1, top / RECENCY_WEIGHT);
    this.#scores = [...others, [emoji, score] as [string, number]]
      .sort((a, b) => b[1] - a[1])
      .slice(0, FREQUENT_EMOJI_KEPT);
    this.#storage.setJson(STORAGE_KEY, this.#scores);
    return this.list;
  }

  /** Anything but a list of [emoji, finite score] pairs is dropped. */
  static #read(value: unknown): [string, number][] {
    if (!Array.isArray(value)) return [];
    const pairs: [string, number][] = [];
    for (const item of value as unknown[]) {
      if (!Array.isArray(item)) continue;
      const [emoji, score] = item as unknown[];
      const shown = readEmoji(emoji);
      if (shown !== null && typeof score === 'number' && Number.isFinite(score)) {
        pairs.push([shown, score]);
      }
    }
    return pairs.sort((a, b) => b[1] - a[1]).slice(0, FREQUENT_EMOJI_KEPT);
  }
}
