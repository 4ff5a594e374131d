// "Search this room": reads the room's retained history newest first, a page at a time, and
// finds the messages whose current text holds every word of the query. Newest first because
// that is what the user wants to see first, and because it folds edits and deletes in one
// pass: the stream only ever refers back, so an edit or delete is met before its message.
import { decodeChatEvent } from './chat-events';
import { SearchCache, type SearchedEvent } from './search-cache';
import { SynapError, type ConsumeResult, type StreamEvent } from '../synap/rest';

/** Events asked for per consume: small enough to show progress often, big enough to be quick. */
export const SEARCH_PAGE_EVENTS = 500;
/** Past this many matches the query is too vague to read through: the search ends, capped. */
export const MAX_SEARCH_RESULTS = 200;
/** The search runs once typing pauses this long (Enter runs it at once). */
export const SEARCH_TYPING_PAUSE_MS = 300;
/** Characters of context a snippet keeps on each side of the match (UTF-16 units, roughly). */
export const SNIPPET_CONTEXT_CHARS = 40;

const ELLIPSIS = '…';
/** Said when the search broke on something other than the server's answer (a bug). */
const UNEXPECTED_FAILURE = 'The search stopped on an unexpected error.';

export type SearchStatus =
  | { kind: 'idle' }
  | { kind: 'searching' }
  | { kind: 'done' }
  /** The user stopped it: the results are those of the part searched. */
  | { kind: 'stopped' }
  /** MAX_SEARCH_RESULTS were found; older matches were not looked for. */
  | { kind: 'capped' }
  /** Reading failed; `message` is for the user, and the results found before are kept. */
  | { kind: 'failed'; message: string };

/** The message text around the first match, as plain strings (the UI renders text only). */
export interface SearchSnippet {
  before: string;
  match: string;
  after: string;
}

export interface SearchResult {
  offset: number;
  userId: string;
  /** The text as it stands now: the author's newest edit, if any. */
  text: string;
  sentAtMs: number;
  edited: boolean;
  snippet: SearchSnippet;
}

export interface SearchSnapshot {
  query: string;
  status: SearchStatus;
  /** Newest first. */
  results: readonly SearchResult[];
  /** Events read so far, and how many the room holds in the searched range. */
  scanned: number;
  total: number;
}

/** Where to search: the room's reader and the range of offsets it still holds. */
export interface SearchSource {
  /** Reads events by offset (RoomSubscription.consume, which knows the room's quirks). */
  consume: (fromOffset: number, limit: number) => Promise<ConsumeResult>;
  /** The live feed's next offset: everything before it is searched. */
  beforeOffset: number;
  /** The earliest offset the server still holds (stats.min_offset); it may move on meanwhile. */
  earliestOffset: number;
  /** The room's generation (stats.generation): what was read of another one is not reused. */
  generation?: number | null;
}

export interface RoomSearchOptions {
  pageEvents?: number;
  maxResults?: number;
  /** See MAX_CACHED_SEARCH_EVENTS. */
  cachedEvents?: number;
}

const IDLE: SearchSnapshot = {
  query: '',
  status: { kind: 'idle' },
  results: [],
  scanned: 0,
  total: 0,
};

/** One search, from newest to oldest. */
interface Run {
  id: number;
  source: SearchSource;
  folder: HistoryFolder;
  /** The earliest offset the server holds, as far as the run knows. */
  earliest: number;
  /** Everything from here to the end was searched. */
  before: number;
}

/**
 * One room's search. `search` starts a run (abandoning the one before: its late pages are
 * ignored), `stop` ends the run after the page being read, `clear` forgets everything.
 * Every change is handed to `onChange` as a new snapshot, so a UI can simply show it.
 * What runs read is kept (SearchCache) while the search is open: the next query reads from
 * the server only what came since, and what no run read yet.
 */
export class RoomSearch {
  readonly #onChange: (snapshot: SearchSnapshot) => void;
  readonly #pageEvents: number;
  readonly #maxResults: number;
  readonly #cache: SearchCache;
  #snapshot: SearchSnapshot = IDLE;
  /** Identifies the current run; a run whose id is no longer this one stops touching state. */
  #runId = 0;
  #stopRequested = false;

  constructor(onChange: (snapshot: SearchSnapshot) => void, options: RoomSearchOptions = {}) {
    this.#onChange = onChange;
    this.#pageEvents = Math.max(1, options.pageEvents ?? SEARCH_PAGE_EVENTS);
    this.#maxResults = Math.max(1, options.maxResults ?? MAX_SEARCH_RESULTS);
    this.#cache = new SearchCache(options.cachedEvents);
  }

  get snapshot(): SearchSnapshot {
    return this.#snapshot;
  }

  /** Searches the room; resolves when this run ends, however it ends (or is superseded). */
  async search(query: string, source: SearchSource): Promise<void> {
    const id = ++this.#runId;
    this.#stopRequested = false;
    const words = searchWords(query);
    const earliest = Math.max(0, Math.min(source.earliestOffset, source.beforeOffset));
    const total = source.beforeOffset - earliest;
    if (words.length === 0) {
      this.#update({ query, status: { kind: 'done' }, results: [], scanned: 0, total });
      return;
    }
    this.#update({ query, status: { kind: 'searching' }, results: [], scanned: 0, total });
    const folder = new HistoryFolder(words);
    await this.#scan({ id, source, folder, earliest, before: source.beforeOffset });
  }

  /** Ends the running search once the page being read is searched. */
  stop(): void {
    if (this.#snapshot.status.kind === 'searching') this.#stopRequested = true;
  }

  /** Abandons any running search and forgets the results and what was read (closed). */
  clear(): void {
    this.#runId += 1;
    this.#cache.clear();
    this.#update(IDLE);
  }

  #update(snapshot: SearchSnapshot): void {
    this.#snapshot = snapshot;
    this.#onChange(snapshot);
  }

  #progress(run: Run, status: SearchStatus): void {
    this.#update({
      ...this.#snapshot,
      status,
      results: [...run.folder.results],
      scanned: run.source.beforeOffset - run.before,
      total: run.source.beforeOffset - run.earliest,
    });
  }

  async #scan(run: Run): Promise<void> {
    const cache = this.#cache;
    cache.prepare(run.source.generation ?? null, run.source.beforeOffset, run.earliest);
    // What came since the cache was read, from the server; then what it holds.
    const newer: SearchedEvent[] = [];
    const readNewer = await this.#readDown(run, cache.before, (events) => newer.push(...events));
    if (!readNewer || run.id !== this.#runId) return;
    cache.addNewer(newer, run.source.beforeOffset);
    const cachedFrom = Math.max(cache.from, run.earliest);
    if (cachedFrom < run.before) {
      for (const event of cache.events) {
        if (event.offset < cachedFrom) break;
        run.folder.add(event);
      }
      run.before = cachedFrom;
      if (this.#capped(run)) return;
      if (run.before > run.earliest) this.#progress(run, { kind: 'searching' });
    }
    // What no run read yet, from the server.
    const readOlder = await this.#readDown(run, run.earliest, (events, from, before) =>
      cache.addOlder(events, from, before),
    );
    if (readOlder) this.#progress(run, { kind: 'done' });
  }

  /**
   * Reads the offsets from `run.before` down to `low` (or the earliest retained one) a page
   * at a time, searching each page and handing its events, newest first, to `take`. False
   * when the run ended on the way: stopped, capped, failed (each reported), or superseded.
   */
  async #readDown(
    run: Run,
    low: number,
    take: (events: SearchedEvent[], from: number, before: number) => void,
  ): Promise<boolean> {
    while (run.before > Math.max(low, run.earliest)) {
      if (run.id !== this.#runId) return false;
      // Stopped once something was searched: the page on its way when asked still is.
      if (this.#stopRequested && run.before < run.source.beforeOffset) {
        this.#progress(run, { kind: 'stopped' });
        return false;
      }
      const from = Math.max(low, run.earliest, run.before - this.#pageEvents);
      let page: StreamEvent[];
      try {
        page = await readRange(run.source.consume, from, run.before);
      } catch (error) {
        if (run.id !== this.#runId) return false;
        const movedTo = error instanceof SynapError ? error.earliestOffset : null;
        if (isOutOfRange(error) && movedTo !== null && movedTo > run.earliest) {
          // Retention dropped what we were about to read: the room now starts later.
          run.earliest = Math.min(movedTo, run.before);
          continue;
        }
        this.#progress(run, { kind: 'failed', message: failureMessage(error) });
        return false;
      }
      if (run.id !== this.#runId) return false;
      const events = searchedEvents(page);
      for (const event of events) run.folder.add(event);
      take(events, from, run.before);
      run.before = from;
      if (this.#capped(run)) return false;
      if (run.before > Math.max(low, run.earliest)) this.#progress(run, { kind: 'searching' });
    }
    return true;
  }

  /** Enough matches: the newest are kept, and the run ends capped. */
  #capped(run: Run): boolean {
    const results = run.folder.results;
    if (results.length < this.#maxResults) return false;
    results.length = this.#maxResults;
    this.#progress(run, { kind: 'capped' });
    return true;
  }
}

/** The messages, edits and deletes of a page, newest first (malformed ones skipped). */
function searchedEvents(page: readonly StreamEvent[]): SearchedEvent[] {
  const events: SearchedEvent[] = [];
  for (let index = page.length - 1; index >= 0; index -= 1) {
    const decoded = decodeChatEvent(page[index] as StreamEvent);
    if (!decoded.ok) continue; // malformed or foreign events are not messages to find
    const { event } = decoded;
    if (event.kind === 'message' || event.kind === 'edit' || event.kind === 'delete') {
      events.push(event);
    }
  }
  return events;
}

function isOutOfRange(error: unknown): boolean {
  return error instanceof SynapError && error.kind === 'offset_out_of_range';
}

function failureMessage(error: unknown): string {
  return error instanceof SynapError ? error.message : UNEXPECTED_FAILURE;
}

/**
 * The events with offsets in [from, before), in offset order. An answer may bring fewer
 * events than asked (a room with a skew filters some out), so the rest of the range is asked
 * for again until an answer brings nothing new or reaches `before`.
 */
async function readRange(
  consume: SearchSource['consume'],
  from: number,
  before: number,
): Promise<StreamEvent[]> {
  const events: StreamEvent[] = [];
  let cursor = from;
  while (cursor < before) {
    const answer = await consume(cursor, before - cursor);
    const inRange = answer.events.filter(
      (event) => event.offset >= cursor && event.offset < before,
    );
    events.push(...inRange);
    const last = answer.events.at(-1);
    // Nothing (left) in the range, or the answer went past it: the range is read.
    if (inRange.length === 0 || !last || last.offset >= before - 1) break;
    cursor = last.offset + 1;
  }
  return events;
}

/** What later events said about an earlier message, gathered while reading newest first. */
interface LaterChanges {
  /** Per user, that user's newest edit: only the author's counts, but we meet it first. */
  newestEditBy: Map<string, string>;
  deletedBy: Set<string>;
}

/** Matches messages as they are met newest first, with the edits and deletes already seen. */
class HistoryFolder {
  readonly results: SearchResult[] = [];
  readonly #words: string[];
  readonly #changes = new Map<number, LaterChanges>();
  /** A retried publish can store a message twice; the timeline shows the first store only. */
  readonly #resultByClient = new Map<string, SearchResult>();

  constructor(words: string[]) {
    this.#words = words;
  }

  add(event: SearchedEvent): void {
    if (event.kind === 'edit' || event.kind === 'delete') {
      const changes = this.#changesOf(event.target);
      if (event.kind === 'delete') changes.deletedBy.add(event.userId);
      else if (!changes.newestEditBy.has(event.userId)) {
        changes.newestEditBy.set(event.userId, event.text);
      }
      return;
    }
    const changes = this.#changes.get(event.offset);
    this.#changes.delete(event.offset); // nothing older refers to it
    const deleted = changes?.deletedBy.has(event.userId) ?? false;
    const editedText = changes?.newestEditBy.get(event.userId);
    const text = editedText ?? event.text;
    const clientKey = event.clientId === null ? null : `${event.userId}\n${event.clientId}`;
    // An older store of a message already found is the one shown: it replaces the newer one.
    const newerStore = clientKey === null ? undefined : this.#resultByClient.get(clientKey);
    const newerIndex = newerStore ? this.results.indexOf(newerStore) : -1;
    if (newerIndex >= 0) this.results.splice(newerIndex, 1);
    if (deleted || !containsAll(foldForSearch(text), this.#words)) {
      if (clientKey !== null) this.#resultByClient.delete(clientKey);
      return;
    }
    const result: SearchResult = {
      offset: event.offset,
      userId: event.userId,
      text,
      sentAtMs: event.sentAtMs,
      edited: editedText !== undefined,
      snippet: snippetOf(text, this.#words),
    };
    if (newerIndex >= 0) this.results.splice(newerIndex, 0, result);
    else this.results.push(result);
    if (clientKey !== null) this.#resultByClient.set(clientKey, result);
  }

  #changesOf(target: number): LaterChanges {
    let changes = this.#changes.get(target);
    if (!changes) {
      changes = { newestEditBy: new Map(), deletedBy: new Set() };
      this.#changes.set(target, changes);
    }
    return changes;
  }
}

/**
 * Accents a user may leave out: the combining diacritical blocks only. Marks in general
 * (\p{M}) would also strip vowel signs that are letters in Indic or Thai scripts.
 */
const ACCENT_MARKS =
  /[\u0300-\u036f]|[\u1ab0-\u1aff]|[\u1dc0-\u1dff]|[\u20d0-\u20ff]|[\ufe20-\ufe2f]/gu;

/** The text as compared: decomposed, lower case, without accents ("Éclair" → "eclair"). */
export function foldForSearch(text: string): string {
  // Lower case before stripping: lowering "İ" gives "i" plus a combining dot.
  return text.normalize('NFD').toLocaleLowerCase().replace(ACCENT_MARKS, '');
}

/** The query's words, folded; none for a blank query (which finds nothing). */
export function searchWords(query: string): string[] {
  return foldForSearch(query)
    .split(/\s+/u)
    .filter((word) => word !== '');
}

/** Whether two queries find the same messages (the same words, case and accents aside). */
export function sameQuery(a: string, b: string): boolean {
  return searchWords(a).join(' ') === searchWords(b).join(' ');
}

function containsAll(foldedText: string, words: readonly string[]): boolean {
  return words.every((word) => foldedText.includes(word));
}

/**
 * The text folded code point by code point, with where each folded unit came from, so a
 * match found in the folded text can be cut out of the original one.
 */
function foldWithSources(text: string): { folded: string; starts: number[]; ends: number[] } {
  let folded = '';
  const starts: number[] = [];
  const ends: number[] = [];
  let index = 0;
  for (const codePoint of text) {
    const piece = foldForSearch(codePoint);
    for (let unit = 0; unit < piece.length; unit += 1) {
      starts.push(index);
      ends.push(index + codePoint.length);
    }
    folded += piece;
    index += codePoint.length;
  }
  return { folded, starts, ends };
}

/** The context around the earliest match of any of the words. */
export function snippetOf(text: string, words: readonly string[]): SearchSnippet {
  const { folded, starts, ends } = foldWithSources(text);
  let first: { at: number; length: number } | null = null;
  for (const word of words) {
    const at = folded.indexOf(word);
    if (at >= 0 && (first === null || at < first.at)) first = { at, length: word.length };
  }
  // Folding the whole text and each code point can differ in rare cases: show the start.
  if (first === null) return { before: '', match: '', after: cutAfter(text) };
  const start = starts[first.at] ?? 0;
  let end = ends[first.at + first.length - 1] ?? start;
  // Accents typed as separate marks after the matched letter belong to the match.
  while (end < text.length && foldForSearch(text.charAt(end)) === '') end += 1;
  return {
    before: cutBefore(text.slice(0, start)),
    match: text.slice(start, end),
    after: cutAfter(text.slice(end)),
  };
}

/**
 * `text` cut where any of the words occurs (every occurrence, ignoring case and accents), for
 * marking them all; no part is a match when none occurs.
 */
export function markWords(
  text: string,
  words: readonly string[],
): { text: string; match: boolean }[] {
  const { folded, starts, ends } = foldWithSources(text);
  const ranges: [number, number][] = [];
  for (const word of words) {
    if (word === '') continue;
    for (let at = folded.indexOf(word); at >= 0; at = folded.indexOf(word, at + word.length)) {
      const start = starts[at] ?? 0;
      let end = ends[at + word.length - 1] ?? start;
      while (end < text.length && foldForSearch(text.charAt(end)) === '') end += 1;
      ranges.push([start, end]);
    }
  }
  ranges.sort((a, b) => a[0] - b[0]);
  const parts: { text: string; match: boolean }[] = [];
  let at = 0;
  for (const [start, end] of ranges) {
    if (end <= at) continue;
    const from = Math.max(start, at);
    const last = parts.at(-1);
    if (from > at) parts.push({ text: text.slice(at, from), match: false });
    // Overlapping or touching matches read as one.
    if (from === at && last?.match) last.text += text.slice(from, end);
    else parts.push({ text: text.slice(from, end), match: true });
    at = end;
  }
  if (at < text.length) parts.push({ text: text.slice(at), match: false });
  return parts;
}

/** Whitespace runs (line breaks too) read as one space in a one-line snippet. */
function oneLine(text: string): string {
  return text.replace(/\s+/gu, ' ');
}

/** The last SNIPPET_CONTEXT_CHARS of `text`, from a word's start when one is near. */
function cutBefore(text: string): string {
  if (text.length <= SNIPPET_CONTEXT_CHARS) return oneLine(text);
  let kept = text.slice(text.length - SNIPPET_CONTEXT_CHARS);
  const space = kept.search(/\s/u);
  if (space >= 0 && space < SNIPPET_CONTEXT_CHARS / 2) kept = kept.slice(space + 1);
  else if (isLowSurrogate(kept.charCodeAt(0))) kept = kept.slice(1);
  return ELLIPSIS + oneLine(kept);
}

/** The first SNIPPET_CONTEXT_CHARS of `text`, up to a word's end when one is near. */
function cutAfter(text: string): string {
  if (text.length <= SNIPPET_CONTEXT_CHARS) return oneLine(text);
  let kept = text.slice(0, SNIPPET_CONTEXT_CHARS);
  const space = kept.search(/\s\S*$/u);
  if (space > SNIPPET_CONTEXT_CHARS / 2) kept = kept.slice(0, space);
  else if (isHighSurrogate(kept.charCodeAt(kept.length - 1))) kept = kept.slice(0, -1);
  return oneLine(kept) + ELLIPSIS;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
