/**
 * Shared plumbing for the contract suite: which server is under test, an HTTP client, unique
 * room names (cleaned up afterwards), and a WebSocket frame collector that waits for
 * conditions instead of sleeping.
 *
 * By default every test file starts its own in-process stand-in on a free port. With
 * SYNAP_URL set, the same tests run against that server instead; tests that need something
 * only the stand-in offers are skipped, and say why in their names.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll } from 'vitest';
import WebSocket from 'ws';
import { startSynapStandin, type StandinOptions, type SynapStandin } from '../standin/server';

export const EXTERNAL_URL = process.env.SYNAP_URL?.replace(/\/+$/, '') || undefined;
export const EXTERNAL = EXTERNAL_URL !== undefined;
/** With SYNAP_URL and auth on, every request the suite makes carries this key. */
export const EXTERNAL_API_KEY = (EXTERNAL && process.env.SYNAP_API_KEY) || undefined;
export const EXTERNAL_READ_ONLY_KEY = (EXTERNAL && process.env.SYNAP_READ_ONLY_KEY) || undefined;

/** Appended to the names of tests skipped against SYNAP_URL. */
export const STANDIN_ONLY = '[stand-in only: needs test controls or custom settings]';

/** How long to wait for something that should happen; generous for a loaded 2-core machine. */
export const WAIT_MS = 10_000;
export const TEST_TIMEOUT_MS = 30_000;

export const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

// ---- REST ------------------------------------------------------------------------------

export interface StoredEventBody {
  id: string;
  offset: number;
  room: string;
  event: string;
  data: number[];
  timestamp: number;
  metadata: Record<string, string>;
}

export interface ConsumeBody {
  events: StoredEventBody[];
  next_offset: number;
}

export interface StatsBody {
  name: string;
  message_count: number;
  min_offset: number;
  max_offset: number;
  subscriber_count: number;
  total_published: number;
  total_consumed: number;
  dropped: number;
  created_at: number;
  generation: number;
}

export interface HttpResult {
  status: number;
  headers: Headers;
  text: string;
  json<T = unknown>(): T;
}

export interface RequestOptions {
  /** Bytes go out without a content type; a string would get text/plain from fetch. */
  body?: string | Uint8Array<ArrayBuffer>;
  headers?: Record<string, string>;
  /** Send the target's API key (default true); false for requests about auth itself. */
  withKey?: boolean;
}

export const roomPath = (room: string) => `/stream/${encodeURIComponent(room)}`;

export function decodeData(bytes: readonly number[]): unknown {
  return JSON.parse(Buffer.from(bytes).toString('utf8'));
}

export class SynapClient {
  constructor(
    readonly url: string,
    readonly apiKey: string | undefined,
  ) {}

  async request(method: string, path: string, options: RequestOptions = {}): Promise<HttpResult> {
    const headers: Record<string, string> = { ...options.headers };
    if (this.apiKey && options.withKey !== false) headers.authorization ??= `Bearer ${this.apiKey}`;
    const res = await fetch(`${this.url}${path}`, { method, headers, body: options.body });
    const text = await res.text();
    return {
      status: res.status,
      headers: res.headers,
      text,
      json: <T>() => JSON.parse(text) as T,
    };
  }

  /** Fails loudly when a setup step does not give 200, so tests never assert on a bad setup. */
  private async ok(method: string, path: string, options?: RequestOptions): Promise<HttpResult> {
    const res = await this.request(method, path, options);
    if (res.status !== 200) throw new Error(`${method} ${path}: ${res.status} ${res.text}`);
    return res;
  }

  async createRoom(room: string): Promise<void> {
    await this.ok('PUT', roomPath(room));
  }

  async deleteRoom(room: string): Promise<HttpResult> {
    return this.request('DELETE', roomPath(room));
  }

  async publish(room: string, event: string, data: unknown): Promise<number> {
    const res = await this.ok('POST', `${roomPath(room)}/publish`, {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ event, data }),
    });
    return res.json<{ offset: number }>().offset;
  }

  /** Publishes in order (each waits for the previous), returning the offsets. */
  async publishMany(room: string, count: number, data: (i: number) => unknown): Promise<number[]> {
    const offsets: number[] = [];
    for (let i = 0; i < count; i += 1) offsets.push(await this.publish(room, 'seq', data(i)));
    return offsets;
  }

  async consume(room: string, subscriber: string, query = ''): Promise<ConsumeBody> {
    const path = `${roomPath(room)}/consume/${encodeURIComponent(subscriber)}${query}`;
    return (await this.ok('GET', path)).json<ConsumeBody>();
  }

  async stats(room: string): Promise<StatsBody> {
    return (await this.ok('GET', `${roomPath(room)}/stats`)).json<StatsBody>();
  }

  async list(): Promise<string[]> {
    return (await this.ok('GET', '/stream/list')).json<{ rooms: string[] }>().rooms;
  }
}

// ---- WebSocket -------------------------------------------------------------------------

export type Frame =
  | { type: 'connected'; room: string; subscriber_id: string; from_offset: number }
  | { type: 'event'; offset: number; event: string; data: unknown; timestamp: number }
  | { type: 'error'; error: string };

export type EventFrame = Extract<Frame, { type: 'event' }>;

export interface ReceivedFrame {
  frame: Frame;
  raw: string;
  /** Frames that arrived in the same macrotask share a group: one socket read, one burst. */
  group: number;
  atMs: number;
}

export interface CloseInfo {
  code: number;
  reason: string;
}

export class HandshakeRefused extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(`WebSocket handshake refused with ${status}: ${body}`);
  }
}

async function waitUntil(check: () => boolean, what: string, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Polls an asynchronous condition (e.g. over REST) until it holds. */
export async function eventually(
  check: () => Promise<boolean>,
  what: string,
  timeoutMs = WAIT_MS,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export class WsClient {
  readonly received: ReceivedFrame[] = [];
  closeInfo: CloseInfo | undefined;
  private groups = 0;
  private groupOpen = false;

  private constructor(
    readonly socket: WebSocket,
    /** When the handshake was started: no server poll can come earlier. */
    readonly startedAtMs: number,
  ) {
    socket.on('message', (data: Buffer) => {
      if (!this.groupOpen) {
        this.groups += 1;
        this.groupOpen = true;
        setImmediate(() => {
          this.groupOpen = false;
        });
      }
      const raw = data.toString('utf8');
      this.received.push({
        frame: JSON.parse(raw) as Frame,
        raw,
        group: this.groups,
        atMs: performance.now(),
      });
    });
    socket.on('close', (code: number, reason: Buffer) => {
      this.closeInfo = { code, reason: reason.toString('utf8') };
    });
  }

  /** Resolves once open; a refused handshake rejects with its HTTP status and body. */
  static connect(url: string, protocols?: string[]): Promise<WsClient> {
    return new Promise((resolve, reject) => {
      const startedAtMs = performance.now();
      const socket = new WebSocket(url, protocols);
      const client = new WsClient(socket, startedAtMs);
      socket.once('open', () => resolve(client));
      socket.once('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
        res.on('end', () => reject(new HandshakeRefused(res.statusCode ?? 0, body)));
        res.on('error', () => reject(new HandshakeRefused(res.statusCode ?? 0, body)));
      });
      socket.once('error', (err) => reject(err));
    });
  }

  get frames(): Frame[] {
    return this.received.map((r) => r.frame);
  }

  get events(): EventFrame[] {
    return this.frames.filter((f): f is EventFrame => f.type === 'event');
  }

  waitFor(check: (client: WsClient) => boolean, what: string, timeoutMs = WAIT_MS) {
    return waitUntil(() => check(this), what, timeoutMs);
  }

  waitForFrames(count: number, timeoutMs = WAIT_MS) {
    return this.waitFor((c) => c.received.length >= count, `${count} frames`, timeoutMs);
  }

  waitForEvents(count: number, timeoutMs = WAIT_MS) {
    return this.waitFor((c) => c.events.length >= count, `${count} event frames`, timeoutMs);
  }

  async waitForClose(timeoutMs = WAIT_MS): Promise<CloseInfo> {
    await this.waitFor((c) => c.closeInfo !== undefined, 'the socket to close', timeoutMs);
    return this.closeInfo ?? { code: 0, reason: '' };
  }

  /** Sends a Ping and resolves with the Pong's payload. */
  ping(payload: string, timeoutMs = WAIT_MS): Promise<string> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no pong')), timeoutMs);
      this.socket.once('pong', (data: Buffer) => {
        clearTimeout(timer);
        resolve(data.toString('utf8'));
      });
      this.socket.ping(payload);
    });
  }

  terminate(): void {
    this.socket.terminate();
  }
}

// ---- the server under test ---------------------------------------------------------------

export interface SynapTarget {
  readonly url: string;
  readonly client: SynapClient;
  /** The in-process stand-in; throws against SYNAP_URL (guard such tests with skipIf). */
  readonly standin: SynapStandin;
  /** A fresh, unique room name, deleted after the file's tests. */
  room(label: string): string;
  wsUrl(room: string, subscriber: string, query?: Record<string, string>): string;
  /** Opens a stream WebSocket (closed after each test), with the target's key unless given one. */
  ws(
    room: string,
    subscriber: string,
    options?: { fromOffset?: number; apiKey?: string | null; protocols?: string[] },
  ): Promise<WsClient>;
}

export function uniqueName(label: string): string {
  return `contract-${label}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

/**
 * The server for one test file (or describe block): SYNAP_URL, or an in-process stand-in
 * started with `options`. The client sends the first of `options.apiKeys` (or SYNAP_API_KEY).
 */
export function useSynap(options: StandinOptions = {}): SynapTarget {
  let standin: SynapStandin | undefined;
  let client: SynapClient | undefined;
  const rooms = new Set<string>();
  const sockets = new Set<WsClient>();

  beforeAll(async () => {
    if (EXTERNAL_URL) {
      client = new SynapClient(EXTERNAL_URL, EXTERNAL_API_KEY);
      return;
    }
    standin = await startSynapStandin({ ...options, port: 0 });
    client = new SynapClient(standin.url, options.apiKeys?.[0]);
  });

  afterEach(() => {
    for (const socket of sockets) socket.terminate();
    sockets.clear();
  });

  afterAll(async () => {
    if (client) await Promise.all([...rooms].map((room) => client?.deleteRoom(room)));
    await standin?.close();
  });

  const target: SynapTarget = {
    get url() {
      return target.client.url;
    },
    get client() {
      if (!client) throw new Error('the server under test is not started yet');
      return client;
    },
    get standin() {
      if (!standin) throw new Error('this test needs the in-process stand-in');
      return standin;
    },
    room(label) {
      const name = uniqueName(label);
      rooms.add(name);
      return name;
    },
    wsUrl(room, subscriber, query = {}) {
      const base = target.url.replace(/^http/, 'ws');
      const search = new URLSearchParams(query).toString();
      const path = `${roomPath(room)}/ws/${encodeURIComponent(subscriber)}`;
      return `${base}${path}${search ? `?${search}` : ''}`;
    },
    async ws(room, subscriber, wsOptions = {}) {
      const query: Record<string, string> = {};
      if (wsOptions.fromOffset !== undefined) query.from_offset = String(wsOptions.fromOffset);
      const key = wsOptions.apiKey === undefined ? target.client.apiKey : wsOptions.apiKey;
      if (key) query.api_key = key;
      const socket = await WsClient.connect(
        target.wsUrl(room, subscriber, query),
        wsOptions.protocols,
      );
      sockets.add(socket);
      return socket;
    },
  };
  return target;
}
