// Typed client for Synap's stream REST endpoints (see docs/synap-protocol.md).
import { normalizeServerUrl } from '../servers/settings-validation';

export type SynapErrorKind =
  | 'room_not_found'
  | 'room_exists'
  | 'offset_out_of_range'
  | 'unauthorized'
  | 'forbidden'
  | 'bad_request'
  | 'server'
  | 'network'
  | 'bad_response';

export class SynapError extends Error {
  override readonly name = 'SynapError';
  constructor(
    readonly kind: SynapErrorKind,
    message: string,
    /** HTTP status, when the server answered at all. */
    readonly status: number | null = null,
    /** For offset_out_of_range: the earliest offset the server still has. */
    readonly earliestOffset: number | null = null,
  ) {
    super(message);
  }
}

/** One stored event, with `data` already decoded to the published JSON value. */
export interface StreamEvent {
  offset: number;
  event: string;
  /** The published value; null when the stored bytes are not JSON. */
  data: unknown;
  /** Unix seconds, as the server stamps it. */
  timestamp: number;
}

export interface RoomStats {
  name: string;
  messageCount: number;
  minOffset: number;
  maxOffset: number;
  subscriberCount: number;
  totalPublished: number;
  totalConsumed: number;
  dropped: number;
  createdAtMs: number;
  generation: number;
}

export interface ConsumeResult {
  events: StreamEvent[];
  nextOffset: number;
  /** Events in the answer that could not be read (skipped, never thrown). */
  malformed: number;
}

export interface SynapRestOptions {
  baseUrl: string;
  apiKey?: string | null;
  /**
   * Where REST requests carry the key. 'header' sends `Authorization: Bearer`. A page on
   * another origin wants 'query' (`?api_key=`): Synap's CORS answers `Allow-Headers: *`,
   * which the Fetch standard says never covers Authorization (Firefox enforces it).
   */
  apiKeyIn?: 'header' | 'query';
  fetch?: typeof fetch;
  /** A request that takes longer is abandoned as a network error. */
  timeoutMs?: number;
}

export const REQUEST_TIMEOUT_MS = 15_000;

const OUT_OF_RANGE = /out of range; earliest retained offset is (\d+)/;
const NOT_FOUND = /Room '.*' not found/s;
const ALREADY_EXISTS = /Room '.*' already exists/s;

/** Trims and validates a server URL; throws a SynapError('bad_request') with a readable text. */
export function requireServerUrl(input: string): string {
  const result = normalizeServerUrl(input);
  if (!result.ok) throw new SynapError('bad_request', result.error);
  return result.url;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isOffset(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/**
 * An offset for a query string. Synap reads a malformed `from_offset` as 0 (a full replay),
 * so nothing but a non-negative integer may ever be sent.
 */
function offsetParameter(value: number): string {
  if (!isOffset(value)) throw new SynapError('bad_request', `Not a stream offset: ${value}`);
  return String(value);
}

const utf8 = new TextDecoder('utf-8');

/** REST consume returns `data` as the bytes of the JSON text; anything else is taken as is. */
export function decodeEventData(data: unknown): unknown {
  if (!Array.isArray(data)) return data ?? null;
  // The typed-array constructor converts each byte itself, without a call per element.
  const bytes = new Uint8Array(data as number[]);
  try {
    return JSON.parse(utf8.decode(bytes)) as unknown;
  } catch {
    return null;
  }
}

/** Reads one stored event from a consume answer; null when it lacks what ordering needs. */
export function readStoredEvent(raw: unknown): StreamEvent | null {
  if (!isRecord(raw) || !isOffset(raw.offset) || typeof raw.event !== 'string') return null;
  return {
    offset: raw.offset,
    event: raw.event,
    data: decodeEventData(raw.data),
    timestamp: typeof raw.timestamp === 'number' ? raw.timestamp : 0,
  };
}

function numberField(body: Record<string, unknown>, name: string): number {
  const value = body[name];
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new SynapError('bad_response', `The server's answer lacks "${name}"`);
  }
  return value;
}

/** The earliest retained offset named by Synap's out-of-range error text, if it is one. */
export function earliestOffsetInError(text: string): number | null {
  const match = OUT_OF_RANGE.exec(text);
  return match ? Number(match[1]) : null;
}

function errorFromResponse(status: number, text: string): SynapError {
  const earliest = earliestOffsetInError(text);
  if (earliest !== null) return new SynapError('offset_out_of_range', text, status, earliest);
  if (NOT_FOUND.test(text)) return new SynapError('room_not_found', text, status);
  if (ALREADY_EXISTS.test(text)) return new SynapError('room_exists', text, status);
  if (status === 401) return new SynapError('unauthorized', text || 'Unauthorized', status);
  if (status === 403) return new SynapError('forbidden', text || 'Forbidden', status);
  // Overloaded, rate-limited or timed out: worth another try later, like a server error.
  if (status >= 500 || status === 408 || status === 425 || status === 429) {
    return new SynapError('server', text || `Server error ${status}`, status);
  }
  return new SynapError('bad_request', text || `Request refused (${status})`, status);
}

export class SynapRest {
  readonly baseUrl: string;
  readonly #apiKey: string | null;
  readonly #apiKeyIn: 'header' | 'query';
  readonly #fetch: typeof fetch;
  readonly #timeoutMs: number;

  constructor(options: SynapRestOptions) {
    this.baseUrl = requireServerUrl(options.baseUrl);
    this.#apiKey = options.apiKey?.trim() || null;
    this.#apiKeyIn = options.apiKeyIn ?? 'header';
    this.#fetch = options.fetch ?? ((...args) => globalThis.fetch(...args));
    this.#timeoutMs = options.timeoutMs ?? REQUEST_TIMEOUT_MS;
  }

  /** Idempotent get-or-create (PUT). */
  async ensureRoom(room: string): Promise<{ created: boolean }> {
    const body = await this.#request('PUT', `/stream/${encodeURIComponent(room)}`);
    return { created: body.created === true };
  }

  /** Create; fails with room_exists when it is there already. */
  async createRoom(room: string): Promise<void> {
    await this.#request('POST', `/stream/${encodeURIComponent(room)}`);
  }

  async deleteRoom(room: string): Promise<void> {
    await this.#request('DELETE', `/stream/${encodeURIComponent(room)}`);
  }

  /** Publishes one event; `keepalive` lets it outlive a closing page. */
  async publish(
    room: string,
    event: string,
    data: unknown,
    options: { keepalive?: boolean } = {},
  ): Promise<{ offset: number }> {
    const body = await this.#request(
      'POST',
      `/stream/${encodeURIComponent(room)}/publish`,
      { event, data },
      options.keepalive,
    );
    return { offset: numberField(body, 'offset') };
  }

  async consume(
    room: string,
    subscriberId: string,
    fromOffset: number,
    limit: number,
  ): Promise<ConsumeResult> {
    const path =
      `/stream/${encodeURIComponent(room)}/consume/${encodeURIComponent(subscriberId)}` +
      `?from_offset=${offsetParameter(fromOffset)}&limit=${offsetParameter(limit)}`;
    const body = await this.#request('GET', path);
    if (!Array.isArray(body.events)) {
      throw new SynapError('bad_response', 'The consume answer has no "events" list');
    }
    const events: StreamEvent[] = [];
    let malformed = 0;
    for (const raw of body.events) {
      const event = readStoredEvent(raw);
      if (event) events.push(event);
      else malformed += 1;
    }
    events.sort((a, b) => a.offset - b.offset);
    const last = events.at(-1);
    const nextOffset = isOffset(body.next_offset)
      ? body.next_offset
      : last
        ? last.offset + 1
        : fromOffset;
    return { events, nextOffset, malformed };
  }

  /** `timeoutMs`: a shorter deadline than the client's, for a quick health check. */
  async stats(room: string, options: { timeoutMs?: number } = {}): Promise<RoomStats> {
    const body = await this.#request(
      'GET',
      `/stream/${encodeURIComponent(room)}/stats`,
      undefined,
      false,
      options.timeoutMs,
    );
    return {
      name: typeof body.name === 'string' ? body.name : room,
      messageCount: numberField(body, 'message_count'),
      minOffset: numberField(body, 'min_offset'),
      maxOffset: numberField(body, 'max_offset'),
      subscriberCount: numberField(body, 'subscriber_count'),
      totalPublished: numberField(body, 'total_published'),
      totalConsumed: typeof body.total_consumed === 'number' ? body.total_consumed : 0,
      dropped: typeof body.dropped === 'number' ? body.dropped : 0,
      createdAtMs: typeof body.created_at === 'number' ? body.created_at : 0,
      generation: numberField(body, 'generation'),
    };
  }

  async listRooms(): Promise<string[]> {
    const body = await this.#request('GET', '/stream/list');
    if (!Array.isArray(body.rooms)) {
      throw new SynapError('bad_response', 'The room list answer has no "rooms" list');
    }
    return body.rooms.filter((name): name is string => typeof name === 'string');
  }

  /** The stream WebSocket URL; a browser cannot set headers there, so the key rides in the query. */
  socketUrl(room: string, subscriberId: string, fromOffset: number): string {
    const url = new URL(
      `${this.baseUrl}/stream/${encodeURIComponent(room)}/ws/${encodeURIComponent(subscriberId)}`,
    );
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    const from = offsetParameter(fromOffset);
    return `${url.origin}${url.pathname}?from_offset=${from}${this.#keyParameter('&')}`;
  }

  /** Synap compares the query value without URL-decoding it: send URL-safe keys verbatim. */
  #keyParameter(separator: '?' | '&'): string {
    if (!this.#apiKey) return '';
    const key = /^[\w.~+/=-]+$/.test(this.#apiKey)
      ? this.#apiKey
      : encodeURIComponent(this.#apiKey);
    return `${separator}api_key=${key}`;
  }

  async #request(
    method: string,
    path: string,
    json?: unknown,
    keepalive = false,
    timeoutMs = this.#timeoutMs,
  ): Promise<Record<string, unknown>> {
    const headers: Record<string, string> = {};
    let url = `${this.baseUrl}${path}`;
    if (this.#apiKey && this.#apiKeyIn === 'header')
      headers.Authorization = `Bearer ${this.#apiKey}`;
    if (this.#apiKeyIn === 'query') url += this.#keyParameter(path.includes('?') ? '&' : '?');
    if (json !== undefined) headers['Content-Type'] = 'application/json';
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    let response: Response;
    let text: string;
    // The deadline covers the body too: headers followed by a dead connection must not hang.
    try {
      response = await this.#fetch(url, {
        method,
        headers,
        body: json === undefined ? undefined : JSON.stringify(json),
        signal: controller.signal,
        keepalive,
      });
      text = await response.text();
    } catch (error) {
      const reason = controller.signal.aborted
        ? `no answer within ${Math.round(timeoutMs / 1000)} s`
        : error instanceof Error
          ? error.message
          : String(error);
      throw new SynapError('network', `Cannot reach ${this.baseUrl}: ${reason}`);
    } finally {
      clearTimeout(timer);
    }
    let body: unknown = null;
    try {
      body = text ? (JSON.parse(text) as unknown) : null;
    } catch {
      body = null;
    }
    if (!response.ok) {
      const message = isRecord(body) && typeof body.error === 'string' ? body.error : text.trim();
      throw errorFromResponse(response.status, message);
    }
    if (!isRecord(body)) {
      throw new SynapError(
        'bad_response',
        `${this.baseUrl} did not answer like a Synap server (expected JSON)`,
        response.status,
      );
    }
    return body;
  }
}

/**
 * Publishes, re-creating the room first if it has gone: publishing never creates a room,
 * and a server restart wipes them all.
 */
export async function publishToRoom(
  rest: SynapRest,
  room: string,
  publication: { event: string; data: unknown },
  options: { keepalive?: boolean } = {},
): Promise<{ offset: number }> {
  try {
    return await rest.publish(room, publication.event, publication.data, options);
  } catch (error) {
    if (!(error instanceof SynapError) || error.kind !== 'room_not_found') throw error;
    await rest.ensureRoom(room);
    return rest.publish(room, publication.event, publication.data, options);
  }
}
