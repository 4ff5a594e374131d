// A stable colour per name, so the same person looks the same in every list and room.

/** Hue (0–359) derived from the name; FNV-1a, which spreads short similar names well. */
export function hueForName(name: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < name.length; i += 1) {
    hash ^= name.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % 360;
}

/** First letter (a whole emoji or accented letter, not half of one), upper-cased. */
export function initialForName(name: string): string {
  const first = [...name.trim()][0];
  return first === undefined ? '?' : first.toLocaleUpperCase();
}
