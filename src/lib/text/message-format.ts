// Light formatting of untrusted chat text: *bold*, _italic_, `code`, "> " quotes and ``` code
// blocks, plus links and mentions, as a tree of plain data that MessageText.svelte renders with
// Svelte nodes. No HTML string is ever built. Every step is one left-to-right pass (the regexes
// here only ever test one character or one short word), so hostile text costs linear time.

import { linkify } from './linkify';
import { mentionRanges } from './mentions';

export type InlineNode =
  | { kind: 'text'; text: string }
  | { kind: 'link'; text: string; href: string }
  | { kind: 'mention'; text: string }
  | { kind: 'code'; text: string }
  | { kind: 'strong'; children: InlineNode[] }
  | { kind: 'em'; children: InlineNode[] };

export type FormattedBlock =
  | { kind: 'paragraph'; children: InlineNode[] }
  | { kind: 'quote'; children: InlineNode[] }
  | { kind: 'code'; lang: string; text: string };

export interface FormatOptions {
  /** The user's name: "@name" mentions of it become mention nodes. */
  mentionName?: string | null;
}

type Delimiter = '*' | '_';
interface Frame {
  delimiter: Delimiter;
  children: InlineNode[];
}

/** Text without any of these (most messages) skips the parser: only links and mentions. */
const MARKUP_CHARACTER = /[*_`>]/;
const FENCE = '```';
/** What may follow an opening fence: one language word, shown as a label only. */
const LANGUAGE_WORD = /^[\w+#.-]{1,32}$/;
const SPACE = /^\s$/u;
const PUNCTUATION_OR_SYMBOL = /^[\p{P}\p{S}]$/u;
/**
 * The explicit direction controls: embeddings and overrides (LRE, RLE, PDF, LRO, RLO) and
 * isolates (LRI, RLI, FSI, PDI). An override makes "\u202Egnp.exe\u202C" display as "exe.png",
 * and isolates can reorder words ("Trojan Source", CVE-2021-42574). The marks (LRM, RLM, ALM),
 * which right-to-left writing uses and which cannot reverse a word, stay.
 */
const DIRECTION_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/g;

/**
 * Untrusted text as it is shown: without direction controls, so it reads in the order it was
 * written (as names do, see display-names.ts). Each paragraph still takes its direction from
 * its first strong letter (dir="auto").
 */
export function withoutDirectionControls(text: string): string {
  return text.replace(DIRECTION_CONTROLS, '');
}

export function formatMessage(raw: string, options: FormatOptions = {}): FormattedBlock[] {
  if (typeof raw !== 'string' || raw === '') return [];
  const text = withoutDirectionControls(raw);
  if (text === '') return [];
  const name = options.mentionName?.trim() && text.includes('@') ? options.mentionName : null;
  if (!MARKUP_CHARACTER.test(text)) {
    return [{ kind: 'paragraph', children: withMentions(linkify(text), name) }];
  }
  const lines = text.split('\n');
  const blocks: FormattedBlock[] = [];
  let paragraph: string[] = [];
  // Blank lines touching a quote or code block are dropped: the blocks carry their own spacing.
  const flushParagraph = (blockFollows: boolean): void => {
    let start = 0;
    let end = paragraph.length;
    if (blocks.length > 0) while (start < end && paragraph[start]?.trim() === '') start += 1;
    if (blockFollows) while (end > start && paragraph[end - 1]?.trim() === '') end -= 1;
    const kept = paragraph.slice(start, end);
    if (kept.length > 0) {
      blocks.push({ kind: 'paragraph', children: withMentions(formatLines(kept), name) });
    }
    paragraph = [];
  };
  // Once a search for a closing fence fails, every later one would too: skip them (linear time).
  let noClosingFence = false;
  for (let i = 0; i < lines.length;) {
    const line = lines[i] ?? '';
    const lang = noClosingFence ? null : fenceLanguage(line);
    if (lang !== null) {
      let close = i + 1;
      while (close < lines.length && lines[close]?.trimEnd() !== FENCE) close += 1;
      if (close < lines.length) {
        flushParagraph(true);
        blocks.push({ kind: 'code', lang, text: lines.slice(i + 1, close).join('\n') });
        i = close + 1;
        continue;
      }
      // An unclosed fence stays literal text: a half-typed block should not swallow the rest.
      noClosingFence = true;
    }
    if (line.startsWith('>')) {
      flushParagraph(true);
      const quoted: string[] = [];
      for (; i < lines.length && lines[i]?.startsWith('>'); i += 1) {
        const quoteLine = lines[i] ?? '';
        quoted.push(quoteLine.slice(quoteLine.startsWith('> ') ? 2 : 1));
      }
      blocks.push({ kind: 'quote', children: withMentions(formatLines(quoted), name) });
      continue;
    }
    paragraph.push(line);
    i += 1;
  }
  flushParagraph(false);
  return blocks;
}

/** The language word of an opening fence line ('' for none), or null if it is not one. */
function fenceLanguage(line: string): string | null {
  if (!line.startsWith(FENCE)) return null;
  const rest = line.slice(FENCE.length).trim();
  return rest === '' || LANGUAGE_WORD.test(rest) ? rest : null;
}

function formatLines(lines: string[]): InlineNode[] {
  const nodes: InlineNode[] = [];
  lines.forEach((line, index) => {
    if (index > 0) pushText(nodes, '\n');
    formatLine(line, nodes);
  });
  return nodes;
}

/**
 * One line's inline formatting, appended to `out`. Code spans are cut first (their content is
 * verbatim), then links (so a URL with "_" or "*" is never split), and emphasis pairs only
 * across what is left, with code and links inside it as opaque pieces.
 */
function formatLine(line: string, out: InlineNode[]): void {
  // At most one open frame per delimiter: "*" and "_" nest one level in each other, never in
  // themselves, and the stack is never deeper than two.
  const open: Frame[] = [];
  const current = (): InlineNode[] => open[open.length - 1]?.children ?? out;
  const unwindTop = (): void => {
    const frame = open.pop();
    if (!frame) return;
    pushText(current(), frame.delimiter);
    for (const child of frame.children) {
      if (child.kind === 'text') pushText(current(), child.text);
      else current().push(child);
    }
  };

  const scanText = (start: number, end: number): void => {
    let runStart = start;
    for (let i = start; i < end; i += 1) {
      const delimiter = line[i];
      if (delimiter !== '*' && delimiter !== '_') continue;
      const openAt = open.findIndex((frame) => frame.delimiter === delimiter);
      const { opens, closes: closer } = flanking(line, i, delimiter);
      const closes = openAt >= 0 && closer;
      if (!closes && (openAt >= 0 || !opens)) continue;
      pushText(current(), line.slice(runStart, i));
      runStart = i + 1;
      if (closes) {
        // A frame opened inside this one and still open was not markup after all.
        while (open.length > openAt + 1) unwindTop();
        const children = open.pop()?.children ?? [];
        current().push({ kind: delimiter === '*' ? 'strong' : 'em', children });
      } else {
        open.push({ delimiter, children: [] });
      }
    }
    pushText(current(), line.slice(runStart, end));
  };

  let at = 0;
  for (const span of [...codeSpans(line), { start: line.length, end: line.length, text: '' }]) {
    let position = at;
    for (const segment of linkify(line.slice(at, span.start))) {
      if (segment.kind === 'link') current().push(segment);
      else scanText(position, position + segment.text.length);
      position += segment.text.length;
    }
    if (span.end > span.start) current().push({ kind: 'code', text: span.text });
    at = span.end;
  }
  while (open.length > 0) unwindTop();
}

/**
 * Code spans on one line: a run of n backticks closes at the next run of exactly n (as in
 * CommonMark, so ``a`b`` can show a backtick). Each run's next equal run is found in one
 * backward pass, so thousands of backticks cost linear time.
 */
function codeSpans(line: string): Array<{ start: number; end: number; text: string }> {
  const runs: Array<{ start: number; length: number; next: number }> = [];
  for (let i = line.indexOf('`'); i >= 0; i = line.indexOf('`', i)) {
    const start = i;
    while (line[i] === '`') i += 1;
    runs.push({ start, length: i - start, next: -1 });
  }
  const nearest = new Map<number, number>();
  for (let r = runs.length - 1; r >= 0; r -= 1) {
    const run = runs[r];
    if (!run) continue;
    run.next = nearest.get(run.length) ?? -1;
    nearest.set(run.length, r);
  }
  const spans: Array<{ start: number; end: number; text: string }> = [];
  for (let r = 0; r < runs.length;) {
    const run = runs[r];
    const close = run ? runs[run.next] : undefined;
    if (!run || !close) {
      r += 1;
      continue;
    }
    const text = line.slice(run.start + run.length, close.start);
    spans.push({ start: run.start, end: close.start + close.length, text });
    r = run.next + 1;
  }
  return spans;
}

/**
 * Like Slack: a delimiter opens when the character before it is a boundary (line start, space,
 * punctuation, symbol) and the one after is not a space; it closes the other way round. So
 * "2*3*4" and "snake_case_names" stay literal. The delimiter itself is neither boundary nor
 * content, so "**x**" stays literal rather than guessing which pair was meant.
 */
function flanking(
  line: string,
  at: number,
  delimiter: Delimiter,
): { opens: boolean; closes: boolean } {
  const inner = (char: string | undefined) =>
    char !== undefined && char !== delimiter && !SPACE.test(char);
  const outer = (char: string | undefined) =>
    char === undefined ||
    (char !== delimiter && (SPACE.test(char) || PUNCTUATION_OR_SYMBOL.test(char)));
  const before = characterAt(line, at - 1);
  const after = characterAt(line, at + 1);
  return { opens: outer(before) && inner(after), closes: inner(before) && outer(after) };
}

/** The whole character at a code unit, so an emoji (a surrogate pair) counts as a symbol. */
function characterAt(line: string, index: number): string | undefined {
  const unit = line.charCodeAt(index);
  if (Number.isNaN(unit)) return undefined;
  const start = unit >= 0xdc00 && unit <= 0xdfff && index > 0 ? index - 1 : index;
  return String.fromCodePoint(line.codePointAt(start) ?? unit);
}

/** Text nodes cut at the mentions of the user, at every depth; links and code left whole. */
function withMentions(nodes: InlineNode[], name: string | null): InlineNode[] {
  if (!name) return nodes;
  return nodes.flatMap((node): InlineNode[] => {
    if (node.kind === 'strong' || node.kind === 'em') {
      return [{ kind: node.kind, children: withMentions(node.children, name) }];
    }
    if (node.kind !== 'text') return [node];
    const cut: InlineNode[] = [];
    let at = 0;
    for (const [start, end] of mentionRanges(node.text, name)) {
      pushText(cut, node.text.slice(at, start));
      cut.push({ kind: 'mention', text: node.text.slice(start, end) });
      at = end;
    }
    pushText(cut, node.text.slice(at));
    return cut;
  });
}

/** Adjacent text is merged, so the tree stays as small as the formatting it shows. */
function pushText(nodes: InlineNode[], text: string): void {
  if (text === '') return;
  const last = nodes[nodes.length - 1];
  if (last?.kind === 'text') nodes[nodes.length - 1] = { kind: 'text', text: last.text + text };
  else nodes.push({ kind: 'text', text });
}

/** Characters beyond which a message is shown folded, with "Show more". */
export const FOLD_CHARS = 1_000;
/** Lines beyond which a message is shown folded. */
export const FOLD_LINES = 12;

/**
 * Whether a message is long enough to fold: other clients send up to whatever the server
 * takes, and 5,000 characters would fill the view. Stops counting lines at the limit.
 */
export function isLongText(text: string): boolean {
  if (text.length > FOLD_CHARS) return true;
  let lines = 1;
  for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) {
    if ((lines += 1) > FOLD_LINES) return true;
  }
  return false;
}

/** The text as read once formatted, markers gone (a reply's one-line quote, tests). */
export function plainText(text: string): string {
  const inline = (nodes: readonly InlineNode[]): string =>
    nodes.map((node) => ('children' in node ? inline(node.children) : node.text)).join('');
  return formatMessage(text)
    .map((block) => (block.kind === 'code' ? block.text : inline(block.children)))
    .join('\n');
}
