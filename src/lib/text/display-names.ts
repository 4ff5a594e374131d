// Names are untrusted: anyone can publish any user_id. Synap has no accounts, so a name proves
// nothing; the app can only make sure that what it shows is what is there: no invisible or
// direction-changing characters (which let "\u202Enimda" display as "admin"), and a visible
// mark on a name that looks like another one.
import { CONFUSABLES_TABLE } from './confusables';

/**
 * Invisible and formatting characters: bidi controls and isolates, zero-width characters, the
 * BOM, soft hyphen (all Unicode category Cf), control characters (Cc), and the invisible
 * "letters" that render as blanks (Hangul fillers, the Mongolian vowel separator, Braille blank).
 */
const INVISIBLE = /[\p{Cf}\p{Cc}\u115F\u1160\u3164\uFFA0\u180E\u2800]/gu;
const SPACES = /\s+/gu;

/** The name as it is shown: invisible characters removed, runs of spaces made one. */
export function visibleName(raw: string): string {
  return raw.replace(INVISIBLE, '').replace(SPACES, ' ').trim();
}

export function hasInvisibleCharacters(name: string): boolean {
  return new RegExp(INVISIBLE.source, 'u').test(name);
}

let confusables: Map<string, string> | null = null;

/** The confusables table as a map, built on first use. */
function confusableMap(): Map<string, string> {
  if (!confusables) {
    confusables = new Map();
    for (const entry of CONFUSABLES_TABLE.split(' ')) {
      const source = String.fromCodePoint(entry.codePointAt(0) ?? 0);
      confusables.set(source, entry.slice(source.length));
    }
  }
  return confusables;
}

/**
 * UTS #39's skeleton: each character replaced by the one it is confused with, between two NFD
 * normalisations ("Аlice" with a Cyrillic А, "AIice" with a capital I and "Alice" share one).
 */
function skeleton(text: string): string {
  const map = confusableMap();
  let out = '';
  for (const char of text.normalize('NFD')) out += map.get(char) ?? char;
  return out.normalize('NFD');
}

/**
 * What names that look alike share: two keys, as the skeleton is case-sensitive ("I" reads as
 * "l", "i" does not). `exact` is the skeleton of the name as written (NFKC, invisible
 * characters gone): "AIice" ~ "Alice". `folded` ignores case, before and after the skeleton:
 * "ALICE" ~ "alice", "b0b" ~ "bob". Neither folds the skeleton of a name as written, which
 * would make "Ian" (read "lan") look like "Lan".
 */
export function nameSkeletons(name: string): { exact: string; folded: string } {
  const shown = visibleName(name).normalize('NFKC');
  return {
    exact: skeleton(shown),
    folded: skeleton(shown.toLowerCase().normalize('NFKC')).toLowerCase(),
  };
}

/** Whether `name` is another name than `other` that would read the same. */
export function looksLike(name: string, other: string): boolean {
  if (name === other) return false;
  const a = nameSkeletons(name);
  const b = nameSkeletons(other);
  return a.exact === b.exact || a.folded === b.folded;
}

/**
 * The names of `names` that look like another one of them (all of each such group: in a list,
 * none is known to be the first). Linear in the number of names.
 */
export function lookalikesAmong(names: readonly string[]): Set<string> {
  const groups = new Map<string, Set<string>>();
  for (const name of new Set(names)) {
    const { exact, folded } = nameSkeletons(name);
    for (const key of [`e${exact}`, `f${folded}`]) {
      const group = groups.get(key) ?? new Set<string>();
      group.add(name);
      groups.set(key, group);
    }
  }
  const marked = new Set<string>();
  for (const group of groups.values()) {
    if (group.size > 1) for (const name of group) marked.add(name);
  }
  return marked;
}

/**
 * Marks names that read like the user's own or like another name already seen here: the first
 * name seen per skeleton is taken as the real one. The answer for a name never changes once
 * given, so it is worked out once per name, not once per message.
 */
export class LookalikeNames {
  readonly #ownName: string;
  /** The first name seen per key (`e` + exact skeleton, `f` + folded one). */
  readonly #firstByKey = new Map<string, string>();
  readonly #answers = new Map<string, boolean>();

  constructor(ownName: string) {
    this.#ownName = ownName;
  }

  isLookalike(name: string): boolean {
    let answer = this.#answers.get(name);
    if (answer === undefined) {
      const { exact, folded } = nameSkeletons(name);
      answer = looksLike(name, this.#ownName);
      for (const key of [`e${exact}`, `f${folded}`]) {
        const first = this.#firstByKey.get(key);
        if (first === undefined) this.#firstByKey.set(key, name);
        else if (first !== name) answer = true;
      }
      this.#answers.set(name, answer);
    }
    return answer;
  }
}
