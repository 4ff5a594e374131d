// "@name" mentions of the user in message text. Names are free text (spaces, any script), so
// a mention is "@" and the whole name, case-insensitively, not inside a longer word.

const WORD_CHARACTER = '[\\p{L}\\p{N}\\p{M}_]';
const cache = new Map<string, RegExp>();

function mentionPattern(name: string): RegExp | null {
  const trimmed = name.trim();
  if (trimmed === '') return null;
  let pattern = cache.get(trimmed);
  if (!pattern) {
    const escaped = trimmed.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    pattern = new RegExp(`(?<!${WORD_CHARACTER})@${escaped}(?!${WORD_CHARACTER})`, 'giu');
    // A handful of names per page: the cache never grows past a few entries in practice.
    if (cache.size > 100) cache.clear();
    cache.set(trimmed, pattern);
  }
  return pattern;
}

/** Where `text` mentions `name`, as [start, end) ranges, in order. */
export function mentionRanges(text: string, name: string): Array<[number, number]> {
  const pattern = mentionPattern(name);
  if (!pattern || !text.includes('@')) return [];
  const ranges: Array<[number, number]> = [];
  pattern.lastIndex = 0;
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
    ranges.push([match.index, match.index + match[0].length]);
  }
  return ranges;
}

export function mentions(text: string, name: string): boolean {
  return mentionRanges(text, name).length > 0;
}
