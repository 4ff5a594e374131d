// Finds web links and email addresses in untrusted message text. A single left-to-right
// scan with bounded look-around, so hostile input costs linear time (no regex over the
// whole text, hence no catastrophic backtracking). Only http(s) and mailto links are
// ever produced; every other scheme stays text.

export type LinkifySegment =
  { kind: 'text'; text: string } | { kind: 'link'; text: string; href: string };

/** Closing brackets are trimmed off a link's end unless the link also opened them. */
const CLOSERS: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
/** Sentence punctuation that follows links far more often than it ends them. */
const TRAILING_PUNCTUATION = new Set(['.', ',', ':', ';', '!', '?', "'", '"', '*', '_', '~']);

const LETTER_OR_DIGIT = /^[\p{L}\p{N}\p{M}]$/u;
const ASCII_ALNUM = /^[A-Za-z0-9]$/;
const EMAIL_LOCAL = /^[A-Za-z0-9._%+-]$/;

export function linkify(text: string): LinkifySegment[] {
  const segments: LinkifySegment[] = [];
  if (typeof text !== 'string' || text === '') return segments;

  let textStart = 0;
  let i = 0;
  while (i < text.length) {
    const code = text.charCodeAt(i);
    // Cheap pre-filter: links only start with h/H, w/W; emails are found at '@'.
    if (code === 0x68 || code === 0x48 || code === 0x77 || code === 0x57) {
      const url = matchUrl(text, i);
      if (url.kind === 'link') {
        pushText(segments, text, textStart, i);
        segments.push({ kind: 'link', text: text.slice(i, url.end), href: url.href });
        i = textStart = url.end;
        continue;
      }
      if (url.kind === 'skip') {
        i = url.end;
        continue;
      }
    } else if (code === 0x40 /* @ */) {
      const email = matchEmail(text, i, textStart);
      if (email) {
        // "mailto:bob@example.com" is one link, its scheme included, as it was written.
        const scheme = hasMailtoBefore(text, email.start, textStart) ? MAILTO.length : 0;
        pushText(segments, text, textStart, email.start - scheme);
        const address = text.slice(email.start, email.end);
        segments.push({
          kind: 'link',
          text: text.slice(email.start - scheme, email.end),
          href: `mailto:${address}`,
        });
        i = textStart = email.end;
        continue;
      }
    }
    i += 1;
  }
  pushText(segments, text, textStart, text.length);
  return segments;
}

const MAILTO = 'mailto:';

/** Whether the scheme "mailto:" (any case) is written just before `at`, in text not linked yet. */
function hasMailtoBefore(text: string, at: number, lowerBound: number): boolean {
  const start = at - MAILTO.length;
  if (start < lowerBound || !startsWithIgnoreCase(text, start, MAILTO)) return false;
  // "notmailto:" is a word that happens to end in the scheme, as "xhttp://" is.
  const before = start > 0 ? text[start - 1] : undefined;
  return before === undefined || !isLetterOrDigit(before);
}

function pushText(segments: LinkifySegment[], text: string, start: number, end: number): void {
  if (end > start) segments.push({ kind: 'text', text: text.slice(start, end) });
}

type UrlMatch =
  { kind: 'link'; end: number; href: string } | { kind: 'skip'; end: number } | { kind: 'none' };

const NONE: UrlMatch = { kind: 'none' };

function matchUrl(text: string, start: number): UrlMatch {
  const before = start > 0 ? text[start - 1] : undefined;
  let hostStart: number;
  let prefix: string;
  if (
    startsWithIgnoreCase(text, start, 'https://') ||
    startsWithIgnoreCase(text, start, 'http://')
  ) {
    // "xhttp://…" is a word that happens to contain a scheme, not a link.
    if (before !== undefined && isLetterOrDigit(before)) return NONE;
    hostStart = start + (text[start + 4] === ':' ? 7 : 8);
    prefix = '';
  } else if (startsWithIgnoreCase(text, start, 'www.')) {
    if (before !== undefined && (isLetterOrDigit(before) || '.-_@/:'.includes(before))) return NONE;
    hostStart = start;
    prefix = 'https://';
  } else {
    return NONE;
  }

  const host = scanHost(text, hostStart);
  const afterHost = text[host.end];
  if (afterHost === '@') {
    // "www.bob@example.com" is an email address, found when the scan reaches the '@'.
    if (prefix !== '') return NONE;
    // Credentials in a link ("https://bank.example@evil.example") are a phishing trick:
    // leave the whole thing as text, including the part after '@'.
    let end = host.end;
    while (end < text.length && !isUrlTerminator(text[end] ?? ' ')) end += 1;
    return { kind: 'skip', end };
  }
  const validHost =
    prefix === '' ? host.labels >= 1 || host.bracketed : host.labels >= 3 && host.tldOk;
  if (!validHost) return NONE;

  // Port.
  let end = host.end;
  if (text[end] === ':') {
    let digits = end + 1;
    while (digits < text.length && isAsciiDigit(text[digits])) digits += 1;
    if (digits > end + 1 && digits - end - 1 <= 5) end = digits;
  }

  // Path, query and fragment run to the next terminator; brackets are counted as we go.
  const opened: Record<string, number> = { '(': 0, '[': 0, '{': 0 };
  const closed: Record<string, number> = { ')': 0, ']': 0, '}': 0 };
  if (end < text.length && '/?#'.includes(text[end] ?? ' ')) {
    while (end < text.length) {
      const ch = text[end] ?? ' ';
      if (isUrlTerminator(ch)) break;
      if (ch in opened) opened[ch] = (opened[ch] ?? 0) + 1;
      else if (ch in closed) closed[ch] = (closed[ch] ?? 0) + 1;
      end += 1;
    }
  }

  // Trim trailing punctuation and unbalanced closing brackets, one character at a time.
  while (end > host.end) {
    const last = text[end - 1] ?? '';
    const opener = CLOSERS[last];
    if (opener !== undefined && (closed[last] ?? 0) > (opened[opener] ?? 0)) {
      closed[last] = (closed[last] ?? 0) - 1;
      end -= 1;
    } else if (TRAILING_PUNCTUATION.has(last)) {
      end -= 1;
    } else {
      break;
    }
  }
  // A host ending in a dot ("see www.example.com.") loses the dot too.
  while (end > hostStart && text[end - 1] === '.') end -= 1;

  const candidate = text.slice(start, end);
  const href = prefix + candidate;
  if (!isHttpUrl(href)) return NONE;
  return { kind: 'link', end, href };
}

interface HostScan {
  end: number;
  /** Non-empty dot-separated labels seen. */
  labels: number;
  /** Last label looks like a top-level domain (letters, at least two). */
  tldOk: boolean;
  bracketed: boolean;
}

function scanHost(text: string, start: number): HostScan {
  if (text[start] === '[') {
    // IPv6 literal: hex digits, colons, dots up to the closing bracket.
    let end = start + 1;
    while (end < text.length && /^[0-9A-Fa-f:.]$/.test(text[end] ?? '')) end += 1;
    if (text[end] === ']' && end > start + 1) {
      return { end: end + 1, labels: 0, tldOk: false, bracketed: true };
    }
    return { end: start, labels: 0, tldOk: false, bracketed: false };
  }
  let end = start;
  let labels = 0;
  let labelStart = start;
  let labelAllLetters = true;
  let tldOk = false;
  while (end < text.length) {
    const ch = text[end] ?? '';
    if (ch === '.') {
      if (end === labelStart) break;
      labels += 1;
      tldOk = labelAllLetters && end - labelStart >= 2;
      end += 1;
      labelStart = end;
      labelAllLetters = true;
      continue;
    }
    const width = domainCharWidth(text, end);
    if (width === 0) break;
    if (!isLetterChar(text, end)) labelAllLetters = false;
    end += width;
  }
  if (end > labelStart) {
    labels += 1;
    tldOk = labelAllLetters && end - labelStart >= 2;
  } else if (end > start && text[end - 1] === '.') {
    // "example.com." — the final dot is punctuation, not an empty label.
    end -= 1;
  }
  return { end, labels, tldOk, bracketed: false };
}

function matchEmail(
  text: string,
  at: number,
  lowerBound: number,
): { start: number; end: number } | null {
  let start = at;
  while (start > lowerBound && EMAIL_LOCAL.test(text[start - 1] ?? '')) start -= 1;
  // A local part never starts with a dot; "…see.bob@x.org" keeps "bob".
  while (start < at && text[start] === '.') start += 1;
  if (start === at || text[at - 1] === '.') return null;

  const host = scanHost(text, at + 1);
  if (host.bracketed || host.labels < 2 || !host.tldOk) return null;
  // Sending mail to "bob@example.com@…" is not what anyone meant.
  if (text[host.end] === '@') return null;
  return { start, end: host.end };
}

function isHttpUrl(href: string): boolean {
  try {
    const url = new URL(href);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/** `prefix` is lower-case ASCII; compared without allocating, as this runs at many positions. */
function startsWithIgnoreCase(text: string, at: number, prefix: string): boolean {
  if (text.length - at < prefix.length) return false;
  for (let k = 0; k < prefix.length; k += 1) {
    const code = text.charCodeAt(at + k);
    const lower = code >= 0x41 && code <= 0x5a ? code + 0x20 : code;
    if (lower !== prefix.charCodeAt(k)) return false;
  }
  return true;
}

function isUrlTerminator(ch: string): boolean {
  const code = ch.charCodeAt(0);
  return code <= 0x20 || code === 0x7f || /\s/.test(ch) || '<>"`'.includes(ch);
}

function isAsciiDigit(ch: string | undefined): boolean {
  return ch !== undefined && ch >= '0' && ch <= '9';
}

function isLetterOrDigit(ch: string): boolean {
  return ASCII_ALNUM.test(ch) || (ch.charCodeAt(0) >= 0x80 && LETTER_OR_DIGIT.test(ch));
}

/** Width in UTF-16 units of the domain character at `at` (letter, digit, '-'), else 0. */
function domainCharWidth(text: string, at: number): number {
  const ch = text[at] ?? '';
  if (ASCII_ALNUM.test(ch) || ch === '-') return 1;
  const codePoint = text.codePointAt(at);
  if (codePoint === undefined || codePoint < 0x80) return 0;
  const char = String.fromCodePoint(codePoint);
  return LETTER_OR_DIGIT.test(char) ? char.length : 0;
}

function isLetterChar(text: string, at: number): boolean {
  const ch = text[at] ?? '';
  if (/^[A-Za-z]$/.test(ch)) return true;
  const codePoint = text.codePointAt(at);
  return (
    codePoint !== undefined && codePoint >= 0x80 && /^\p{L}$/u.test(String.fromCodePoint(codePoint))
  );
}
