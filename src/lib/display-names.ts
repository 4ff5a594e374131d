// Names are untrusted: anyone can publish any user_id. Synap has no accounts, so a name proves
// nothing; the app can only make sure that what it shows is what is there: no invisible or
// direction-changing characters (which let "\u202Enimda" display as "admin"), and a visible
// mark on a name that looks like another one.

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

/** What two names that look alike share: NFKC, case folded, invisible characters gone. */
export function nameSkeleton(name: string): string {
  return visibleName(name).normalize('NFKC').toLowerCase().normalize('NFKC');
}

/** Whether `name` is another name than `other` that would read the same. */
export function looksLike(name: string, other: string): boolean {
  return name !== other && nameSkeleton(name) === nameSkeleton(other);
}

/**
 * Marks names that read like the user's own or like another name already seen here: the first
 * name seen per skeleton is taken as the real one. The answer for a name never changes once
 * given, so it is worked out once per name, not once per message.
 */
export class LookalikeNames {
  readonly #ownName: string;
  readonly #firstBySkeleton = new Map<string, string>();
  readonly #answers = new Map<string, boolean>();

  constructor(ownName: string) {
    this.#ownName = ownName;
  }

  isLookalike(name: string): boolean {
    let answer = this.#answers.get(name);
    if (answer === undefined) {
      const skeleton = nameSkeleton(name);
      const first = this.#firstBySkeleton.get(skeleton);
      if (first === undefined) this.#firstBySkeleton.set(skeleton, name);
      answer = looksLike(name, this.#ownName) || (first !== undefined && first !== name);
      this.#answers.set(name, answer);
    }
    return answer;
  }
}
