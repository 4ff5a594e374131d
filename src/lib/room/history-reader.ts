// Loading a room's past over REST consume, newest first: the socket would replay it at
// 100 events per 100 ms, REST hands over a page at once.
import { SynapError, type ConsumeResult, type StreamEvent } from '../synap/rest';

export const HISTORY_PAGE_EVENTS = 250;
/** Pages never grow past this (a room whose top is all typing and presence). */
export const MAX_HISTORY_PAGE_EVENTS = 2_000;

export interface HistoryRequest {
  /** Reads events by offset (RoomSubscription.consume, which knows the room's quirks). */
  consume: (fromOffset: number, limit: number) => Promise<ConsumeResult>;
  /** Load events before this offset. */
  beforeOffset: number;
  /** The earliest offset the room still has, if known (stats.min_offset). */
  earliestOffset?: number;
  /** Stop once this many events pass `countsAsMessage`... */
  minMessages: number;
  /** ...and the loaded range reaches back to this offset (e.g. the read marker). */
  reachBackTo?: number;
  /** Never scan more than this many events in one call. */
  maxEvents: number;
  countsAsMessage: (event: StreamEvent) => boolean;
  /**
   * Keep only the newest `minMessages` when a page overshoots (default). Paging further back
   * keeps everything read, so the next step does not download the same events again.
   */
  trimToMinMessages?: boolean;
  /** The first page's size; pages double while they bring too few messages. */
  pageEvents?: number;
  /**
   * Pages double after every page, not only while they bring too few messages: a read to a
   * known offset far back (a jump) gets there in a few big requests rather than many small.
   */
  growPages?: boolean;
  /** Called after each page with the number of events searched so far. */
  onProgress?: (scannedEvents: number) => void;
  /** Once aborted, no further page is asked for: what was read so far is returned. */
  signal?: AbortSignal;
}

export interface HistoryPage {
  /** In offset order. */
  events: StreamEvent[];
  /** Where a further call continues (its `beforeOffset`). */
  before: number;
  /** Nothing older is retained. */
  reachedStart: boolean;
  /** The earliest retained offset, as far as we learnt it. */
  earliestOffset: number;
  malformed: number;
}

export async function loadHistory(request: HistoryRequest): Promise<HistoryPage> {
  let pageEvents = request.pageEvents ?? HISTORY_PAGE_EVENTS;
  let earliest = Math.max(0, request.earliestOffset ?? 0);
  let before = request.beforeOffset;
  let messages = 0;
  let scanned = 0;
  let malformed = 0;
  const pages: StreamEvent[][] = [];
  while (before > earliest && scanned < request.maxEvents && !request.signal?.aborted) {
    const from = Math.max(earliest, before - Math.min(pageEvents, request.maxEvents - scanned));
    let page;
    try {
      page = await request.consume(from, before - from);
    } catch (error) {
      if (error instanceof SynapError && error.kind === 'offset_out_of_range') {
        // Evicted since we last looked: the earliest offset moved up.
        const moved = error.earliestOffset ?? before;
        if (moved <= earliest) throw error;
        earliest = moved;
        continue;
      }
      throw error;
    }
    malformed += page.malformed;
    const events = page.events.filter((event) => event.offset >= from && event.offset < before);
    pages.unshift(events);
    messages += events.filter(request.countsAsMessage).length;
    scanned += before - from;
    before = from;
    request.onProgress?.(scanned);
    // Mostly typing and presence up here (or a long way to go): ask for more at a time.
    if (messages < request.minMessages || request.growPages === true)
      pageEvents = Math.min(pageEvents * 2, MAX_HISTORY_PAGE_EVENTS);
    if (messages >= request.minMessages && before <= (request.reachBackTo ?? before)) break;
  }
  let events = pages.flat();
  // A page can overshoot: keep just the newest `minMessages` (and what reaches back far enough).
  const messageOffsets = events.filter(request.countsAsMessage).map((event) => event.offset);
  if (request.trimToMinMessages !== false && messageOffsets.length > request.minMessages) {
    const newestKept = messageOffsets[messageOffsets.length - request.minMessages] ?? before;
    const cutoff = Math.min(newestKept, request.reachBackTo ?? newestKept);
    if (cutoff > before) {
      events = events.filter((event) => event.offset >= cutoff);
      before = cutoff;
    }
  }
  return {
    events,
    before,
    reachedStart: before <= earliest,
    earliestOffset: earliest,
    malformed,
  };
}
