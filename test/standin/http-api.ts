/**
 * Synap's stream REST API and the HTTP side of its WebSocket route, with the framework
 * behaviour around them: tower-http's CORS (outermost) and gzip layers, the auth middleware,
 * axum's routing (404/405 with empty bodies) and its extractor rejections (plain text).
 *
 * Sources: synap-server `server/router.rs`, `server/handlers/stream.rs`,
 * `server/handlers/websocket.rs`, `core/error.rs`, `main.rs`; axum 0.8 (`Json`, `Path`,
 * `WebSocketUpgrade`, `ConnectInfo`); tower-http 0.7 (`CorsLayer`, `CompressionLayer`).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { authenticate, forbiddenMessage, isAllowed, type Action, type AuthConfig } from './auth.ts';
import type { RoomStore } from './rooms.ts';
import type { RequestCounter, RequestCounts, RequestKind } from './request-counts.ts';
import { parseJsonValue, parsePublishBody, serializeJson } from './serde-json.ts';
import type { SessionParams } from './websocket.ts';

/** axum's default request body limit. */
const BODY_LIMIT_BYTES = 2 * 1024 * 1024;
/** tower-http compresses responses of at least this many bytes. */
const COMPRESSION_MIN_BYTES = 32;
const CORS_VARY = 'origin, access-control-request-method, access-control-request-headers';
const JSON_TYPE = 'application/json';
const TEXT_TYPE = 'text/plain; charset=utf-8';
const U64_MAX = (1n << 64n) - 1n;

/**
 * `working`: the stream WebSocket upgrades, as Synap's source intends. `broken`: as the shipped
 * Synap 1.3.1 binary, whose `main.rs` serves the router without connect info, so the stream
 * WebSocket handler's `ConnectInfo<SocketAddr>` extractor fails every request on that route.
 */
export type WebSocketMode = 'working' | 'broken';

export const WEBSOCKET_MODES: readonly WebSocketMode[] = ['working', 'broken'];

/**
 * axum 0.8's `MissingExtension` rejection for `ConnectInfo<std::net::SocketAddr>`: a 500 with
 * this plain-text body (`"Missing request extension: "` + `Extension of type `{type_name}` was
 * not found. ...`, where Rust prints std's SocketAddr under its defining path in core).
 */
export const MISSING_CONNECT_INFO_TEXT =
  'Missing request extension: Extension of type ' +
  '`axum::extract::connect_info::ConnectInfo<core::net::socket_addr::SocketAddr>` was not found. ' +
  'Perhaps you forgot to add it? See `axum::Extension`.';

export interface TestControls {
  wipe(): void;
  dropSockets(): void;
  stall(on: boolean): void;
  compact(): void;
  setWebSocket(mode: WebSocketMode): void;
  requestCounts(): RequestCounts;
  /** Publishes the events in order, as one publish each would; their offsets (see server.ts). */
  publishMany(room: string, events: readonly PublishedEvent[]): number[];
}

/** One event of publishMany: what a publish body holds, `data` as stored bytes of its JSON. */
export interface PublishedEvent {
  event: string;
  data: Uint8Array;
}

export interface UpgradeRequest {
  socket: Duplex;
  head: Buffer;
}

export interface ApiContext {
  store: RoomStore;
  /** undefined: auth off, every request may do everything. */
  auth: AuthConfig | undefined;
  /** undefined: the /__standin/* routes do not exist. */
  controls: TestControls | undefined;
  /** Read at every request on the WebSocket route, so a switch affects only new requests. */
  websocketMode(): WebSocketMode;
  counter: RequestCounter;
  /** Completes the handshake; false when the WebSocket library refused it after all. */
  acceptWebSocket(req: IncomingMessage, upgrade: UpgradeRequest, params: SessionParams): boolean;
  log(line: string): void;
}

interface Reply {
  status: number;
  contentType?: string;
  body?: string;
  headers?: Record<string, string>;
}

/** Headers every response gets from the CORS layer, the WebSocket handshake included. */
export const CORS_RESPONSE_HEADERS: readonly [string, string][] = [
  ['vary', CORS_VARY],
  ['access-control-allow-origin', '*'],
];

const json = (body: string, status = 200): Reply => ({ status, contentType: JSON_TYPE, body });
const text = (status: number, body: string): Reply => ({ status, contentType: TEXT_TYPE, body });
const empty = (status: number, headers?: Record<string, string>): Reply => ({ status, headers });

/** A `SynapError` response: `{"code","error"}` (keys sorted by serde_json's `json!`). */
const synapError = (status: number, message: string): Reply =>
  json(`{"code":${status},"error":${JSON.stringify(message)}}`, status);

const invalidRequest = (message: string): Reply => synapError(400, `Invalid request: ${message}`);

function acceptsGzip(req: IncomingMessage): boolean {
  const header = req.headers['accept-encoding'];
  if (header === undefined) return false;
  return header.split(',').some((part) => {
    const [name = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    if (name !== 'gzip' && name !== 'x-gzip') return false;
    const q = params.find((p) => p.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}

function send(req: IncomingMessage, res: ServerResponse, reply: Reply): void {
  let body: Buffer = Buffer.from(reply.body ?? '', 'utf8');
  const vary: string[] = [];
  if (reply.contentType) res.setHeader('content-type', reply.contentType);
  for (const [name, value] of Object.entries(reply.headers ?? {})) res.setHeader(name, value);
  if (body.length >= COMPRESSION_MIN_BYTES) {
    vary.push('accept-encoding');
    if (acceptsGzip(req)) {
      body = gzipSync(body);
      res.setHeader('content-encoding', 'gzip');
    }
  }
  vary.push(CORS_VARY);
  res.setHeader('vary', vary);
  res.setHeader('access-control-allow-origin', '*');
  res.setHeader('content-length', body.length);
  res.writeHead(reply.status);
  res.end(req.method === 'HEAD' ? undefined : body);
}

/** tower-http answers every OPTIONS itself, before auth and routing. */
function preflight(res: ServerResponse): void {
  res.writeHead(200, {
    vary: CORS_VARY,
    'access-control-allow-origin': '*',
    'access-control-allow-methods': '*',
    'access-control-allow-headers': '*',
    'content-length': 0,
  });
  res.end();
}

/** `percent_decode` as axum applies it to a path segment: bad escapes stay literal. */
function decodePathSegment(raw: string): string | undefined {
  const bytes = Buffer.from(raw, 'latin1');
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i += 1) {
    const b = bytes[i] ?? 0;
    const hex = b === 0x25 ? raw.slice(i + 1, i + 3) : '';
    if (/^[0-9a-fA-F]{2}$/.test(hex)) {
      out.push(parseInt(hex, 16));
      i += 2;
    } else {
      out.push(b);
    }
  }
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(Uint8Array.from(out));
  } catch {
    return undefined;
  }
}

/** Rust's `str::parse::<u64>()`: optional `+`, ASCII digits, no overflow. */
function parseU64(value: string | undefined): number | undefined {
  if (value === undefined || !/^\+?[0-9]+$/.test(value)) return undefined;
  const n = BigInt(value.replace('+', ''));
  return n > U64_MAX ? undefined : Number(n);
}

/** axum's `Query<HashMap<String, String>>`: form-decoded, the last duplicate wins. */
function queryParam(rawQuery: string, name: string): string | undefined {
  return new URLSearchParams(rawQuery).getAll(name).at(-1);
}

function isJsonContentType(req: IncomingMessage): boolean {
  const match = /^\s*([^/\s;]+)\/([^/\s;]+)\s*(;.*)?$/.exec(req.headers['content-type'] ?? '');
  const type = match?.[1]?.toLowerCase();
  const subtype = match?.[2]?.toLowerCase() ?? '';
  return type === 'application' && (subtype === 'json' || subtype.endsWith('+json'));
}

function readBody(req: IncomingMessage): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > BODY_LIMIT_BYTES) {
        done = true;
        resolve('too-large');
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!done) resolve(Buffer.concat(chunks));
    });
    req.on('error', reject);
  });
}

type RouteName = 'list' | 'room' | 'publish' | 'stats' | 'consume' | 'ws';

interface RouteMatch {
  name: RouteName;
  methods: readonly string[];
  /** Raw (still percent-encoded) parameters in route order. */
  params: [string, string][];
}

const GET = ['GET', 'HEAD'];

/** axum's (matchit's) routing: a static segment beats a parameter; parameters are non-empty. */
function matchRoute(path: string): RouteMatch | undefined {
  const parts = path.split('/');
  if (parts[0] !== '' || parts[1] !== 'stream') return undefined;
  const seg = parts.slice(2);
  if (seg.some((s) => s === '')) return undefined;
  const [room = '', action, subscriber = ''] = seg;
  if (seg.length === 1 && room === 'list') return { name: 'list', methods: GET, params: [] };
  if (seg.length === 1) {
    return { name: 'room', methods: ['POST', 'PUT', 'DELETE'], params: [['room', room]] };
  }
  if (seg.length === 2 && action === 'publish') {
    return { name: 'publish', methods: ['POST'], params: [['room', room]] };
  }
  if (seg.length === 2 && action === 'stats') {
    return { name: 'stats', methods: GET, params: [['room', room]] };
  }
  if (seg.length === 3 && (action === 'consume' || action === 'ws')) {
    const params: [string, string][] = [
      ['room', room],
      ['subscriber_id', subscriber],
    ];
    return { name: action, methods: GET, params };
  }
  return undefined;
}

/** Which request counter a plain (not upgrade) request goes to: by route and method. */
function requestKind(method: string, path: string): RequestKind {
  const match = matchRoute(path);
  if (!match || !match.methods.includes(method)) return 'other';
  switch (match.name) {
    case 'consume':
    case 'stats':
    case 'publish':
    case 'list':
      return match.name;
    case 'room':
      return method === 'PUT' ? 'ensure' : 'other';
    case 'ws':
      return 'other';
  }
}

export type RequestHandler = (
  req: IncomingMessage,
  response: () => ServerResponse,
  upgrade?: UpgradeRequest,
) => void;

export function createRequestHandler(ctx: ApiContext): RequestHandler {
  const { store } = ctx;

  function permit(access: 'full' | 'read', room: string, action: Action): Reply | undefined {
    return isAllowed(access, action)
      ? undefined
      : synapError(403, forbiddenMessage(`stream:${room}`, action));
  }

  async function publish(req: IncomingMessage, room: string, access: 'full' | 'read') {
    if (!isJsonContentType(req)) {
      return text(415, 'Expected request with `Content-Type: application/json`');
    }
    const body = await readBody(req);
    if (body === 'too-large') {
      return text(413, 'Failed to buffer the request body: length limit exceeded');
    }
    const parsed = parsePublishBody(body);
    if (!parsed.ok) return text(parsed.status, parsed.message);
    const denied = permit(access, room, 'write');
    if (denied) return denied;
    const data = Buffer.from(serializeJson(parsed.data), 'utf8');
    const result = store.publish(room, parsed.event, data);
    if (!result.ok) return invalidRequest(result.error);
    return json(`{"offset":${result.value},"room":${JSON.stringify(room)}}`);
  }

  function consume(room: string, subscriber: string, rawQuery: string): Reply {
    const from = parseU64(queryParam(rawQuery, 'from_offset')) ?? 0;
    const limit = parseU64(queryParam(rawQuery, 'limit')) ?? 100;
    const result = store.consume(room, subscriber, from, limit);
    if (!result.ok) return invalidRequest(result.error);
    const events = result.value.map(
      (e) =>
        `{"id":"${e.id}","offset":${e.offset},"room":${JSON.stringify(e.room)},` +
        `"event":${JSON.stringify(e.event)},"data":[${e.data.join(',')}],` +
        `"timestamp":${e.timestamp},"metadata":{}}`,
    );
    const last = result.value.at(-1);
    const next = last ? last.offset + 1 : from;
    return json(`{"events":[${events.join(',')}],"next_offset":${next}}`);
  }

  function roomRoute(method: string, room: string, access: 'full' | 'read'): Reply {
    const r = JSON.stringify(room);
    if (method === 'DELETE') {
      const denied = permit(access, room, 'delete');
      if (denied) return denied;
      const result = store.deleteRoom(room);
      return result.ok ? json(`{"room":${r},"success":true}`) : invalidRequest(result.error);
    }
    // Both creations need `configure`; POST ignores any body (it has no body extractor).
    const denied = permit(access, room, 'configure');
    if (denied) return denied;
    if (method === 'PUT') {
      const created = store.getOrCreateRoom(room);
      return json(`{"created":${created},"room":${r},"success":true}`);
    }
    const result = store.createRoom(room);
    return result.ok ? json(`{"room":${r},"success":true}`) : invalidRequest(result.error);
  }

  /** axum's `WebSocketUpgrade` checks, in its order; undefined when the upgrade may go ahead. */
  function upgradeRejection(req: IncomingMessage, upgrade: UpgradeRequest | undefined) {
    const h = req.headers;
    if (!(h.connection ?? '').toLowerCase().includes('upgrade')) {
      return text(400, "Connection header did not include 'upgrade'");
    }
    if ((h.upgrade ?? '').toLowerCase() !== 'websocket') {
      return text(400, "`Upgrade` header did not include 'websocket'");
    }
    if (h['sec-websocket-key'] === undefined)
      return text(400, '`Sec-WebSocket-Key` header missing');
    if (h['sec-websocket-version'] !== '13') {
      return text(400, "`Sec-WebSocket-Version` header did not include '13'");
    }
    if (!upgrade) {
      return text(426, "WebSocket request couldn't be upgraded since no upgrade state was present");
    }
    return undefined;
  }

  function controlRoute(
    req: IncomingMessage,
    path: string,
    rawQuery: string,
  ): Promise<Reply> | Reply {
    const controls = ctx.controls;
    const name = path.slice('/__standin/'.length);
    const names = [
      'wipe',
      'drop-sockets',
      'stall',
      'compact',
      'websocket',
      'requests',
      'publish-many',
    ];
    if (!controls || !names.includes(name)) return empty(404);
    if (name === 'requests') {
      if (!GET.includes(req.method ?? '')) return empty(405, { allow: GET.join(',') });
      return json(JSON.stringify(controls.requestCounts()));
    }
    if (req.method !== 'POST') return empty(405, { allow: 'POST' });
    const done = json('{"ok":true}');
    if (name === 'wipe') controls.wipe();
    else if (name === 'drop-sockets') controls.dropSockets();
    else if (name === 'compact') controls.compact();
    else if (name === 'websocket') {
      const mode = WEBSOCKET_MODES.find((m) => m === queryParam(rawQuery, 'mode'));
      if (!mode) return synapError(400, 'expected ?mode=working|broken');
      controls.setWebSocket(mode);
      return json(`{"ok":true,"websocket":"${mode}"}`);
    } else if (name === 'publish-many') {
      return readBody(req).then((body) =>
        publishMany(controls, queryParam(rawQuery, 'room'), body),
      );
    } else {
      return readBody(req).then((body) => {
        let on: unknown;
        try {
          on = body === 'too-large' ? undefined : (JSON.parse(body.toString('utf8')) as unknown);
        } catch {
          on = undefined;
        }
        const value = typeof on === 'object' && on !== null ? (on as { on?: unknown }).on : on;
        if (typeof value !== 'boolean') return synapError(400, 'expected {"on": true|false}');
        controls.stall(value);
        return done;
      });
    }
    return done;
  }

  /** `POST /__standin/publish-many?room=R` with a JSON array of publish bodies. */
  function publishMany(
    controls: TestControls,
    room: string | undefined,
    body: Buffer | 'too-large',
  ): Reply {
    const usage = 'expected ?room=R and a JSON array of {"event": string, "data": any}';
    const parsed = body === 'too-large' ? undefined : parseJsonValue(body);
    if (room === undefined || !Array.isArray(parsed)) return synapError(400, usage);
    const events: PublishedEvent[] = [];
    for (const item of parsed) {
      const event = item instanceof Map ? item.get('event') : undefined;
      const data = item instanceof Map ? item.get('data') : undefined;
      if (typeof event !== 'string' || data === undefined) return synapError(400, usage);
      events.push({ event, data: Buffer.from(serializeJson(data), 'utf8') });
    }
    const known = store.stats(room);
    if (!known.ok) return invalidRequest(known.error);
    return json(JSON.stringify({ offsets: controls.publishMany(room, events) }));
  }

  async function route(
    req: IncomingMessage,
    upgrade: UpgradeRequest | undefined,
    path: string,
    rawQuery: string,
  ): Promise<Reply | 'upgraded' | 'upgrade-refused'> {
    // Test-only routes sit beside the API, outside auth, so browser tests can always reach them.
    if (ctx.controls && path.startsWith('/__standin/')) return controlRoute(req, path, rawQuery);

    let access: 'full' | 'read' = 'full';
    if (ctx.auth) {
      const outcome = authenticate(ctx.auth, req.headers, rawQuery);
      if (!outcome.ok) return empty(401);
      access = outcome.access;
    }

    const match = matchRoute(path);
    if (!match) return empty(404);
    const method = req.method ?? 'GET';
    if (!match.methods.includes(method)) return empty(405, { allow: match.methods.join(',') });

    const params: string[] = [];
    for (const [key, raw] of match.params) {
      const decoded = decodePathSegment(raw);
      if (decoded === undefined) return text(400, `Invalid URL: Invalid UTF-8 in \`${key}\``);
      params.push(decoded);
    }
    const [room = '', subscriber = ''] = params;

    switch (match.name) {
      case 'list': {
        const rooms = store.list();
        return json(`{"count":${rooms.length},"rooms":${JSON.stringify(rooms)}}`);
      }
      case 'room':
        return roomRoute(method, room, access);
      case 'publish':
        return publish(req, room, access);
      case 'stats': {
        const result = store.stats(room);
        return result.ok ? json(JSON.stringify(result.value)) : invalidRequest(result.error);
      }
      case 'consume':
        return consume(room, subscriber, rawQuery);
      case 'ws': {
        // Synap's handler extracts ConnectInfo after Path and Query and before WebSocketUpgrade:
        // without connect info (the shipped binary) it fails here, upgrade or not, after auth.
        if (ctx.websocketMode() === 'broken') return text(500, MISSING_CONNECT_INFO_TEXT);
        const rejection = upgradeRejection(req, upgrade);
        if (rejection || !upgrade) return rejection ?? empty(500);
        const fromOffset = parseU64(queryParam(rawQuery, 'from_offset')) ?? 0;
        const params = { room, subscriberId: subscriber, fromOffset };
        return ctx.acceptWebSocket(req, upgrade, params) ? 'upgraded' : 'upgrade-refused';
      }
    }
  }

  return (req, response, upgrade) => {
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const path = q < 0 ? rawUrl : rawUrl.slice(0, q);
    const rawQuery = q < 0 ? '' : rawUrl.slice(q + 1);
    const counted = !(ctx.controls && path.startsWith('/__standin/'));

    if (req.method === 'OPTIONS') {
      if (counted) ctx.counter.count('other');
      preflight(response());
      ctx.log(`OPTIONS ${rawUrl} 200`);
      return;
    }
    // An upgrade request is counted once its outcome is known; any other one right away.
    if (counted && !upgrade) ctx.counter.count(requestKind(req.method ?? 'GET', path));
    const countUpgrade = (accepted: boolean) => {
      if (counted && upgrade) ctx.counter.count(accepted ? 'upgrades' : 'upgradeFailures');
    };
    route(req, upgrade, path, rawQuery).then(
      (reply) => {
        countUpgrade(reply === 'upgraded');
        if (reply === 'upgraded' || reply === 'upgrade-refused') return;
        send(req, response(), reply);
        ctx.log(`${req.method ?? ''} ${rawUrl} ${reply.status}`);
      },
      (err: unknown) => {
        countUpgrade(false);
        ctx.log(`${req.method ?? ''} ${rawUrl} failed: ${String(err)}`);
        const res = response();
        if (!res.headersSent) send(req, res, text(500, 'Internal Server Error'));
        else res.destroy();
      },
    );
  };
}
