/**
 * The protocol this reproduces is described in docs/synap-protocol.md.
 *
 * The local Synap stand-in: an in-process HTTP + WebSocket server that speaks Synap's stream
 * protocol (checked by the contract tests in test/contract), plus controls a real server
 * cannot offer, for tests.
 */
import { createServer, ServerResponse, type IncomingMessage, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import {
  CORS_RESPONSE_HEADERS,
  createRequestHandler,
  WEBSOCKET_MODES,
  type TestControls,
  type WebSocketMode,
} from './http-api.ts';
import { RequestCounter, type RequestCounts } from './request-counts.ts';
import { RoomStore } from './rooms.ts';
import { parseJsonValue, serializeJson } from './serde-json.ts';
import { StreamSessions } from './websocket.ts';

export interface StandinOptions {
  host?: string; // default '127.0.0.1'
  port?: number; // default 15500; 0 = any free port
  maxBuffer?: number; // default 10_000 (ring buffer per room)
  maxUnreadBuffer?: number; // default 100_000 (unread protection)
  retentionSecs?: number; // default 3_600
  apiKeys?: string[]; // none = auth off; these keys may do everything
  readOnlyKeys?: string[]; // may read/consume/subscribe/list/stats; create, publish, delete get 403
  pollIntervalMs?: number; // default 100 (WebSocket poll period)
  compactionIntervalMs?: number; // default 60_000 (time-retention sweep)
  testControls?: boolean; // default false: expose the /__standin/* HTTP controls below
  websocket?: WebSocketMode; // default 'working'; 'broken' = the shipped Synap 1.3.1 binary (see setWebSocket)
  log?: (line: string) => void;
}

export type { RequestCounts, WebSocketMode };

/**
 * A running stand-in. Besides the protocol it offers controls a real server cannot, in-process
 * below and over HTTP with `testControls` (outside auth, CORS on, `{"ok":true}` answers):
 *
 *   POST /__standin/wipe                       wipe()
 *   POST /__standin/drop-sockets               dropSockets()
 *   POST /__standin/stall  {"on": true|false}  stall(on)
 *   POST /__standin/compact                    compact()
 *   POST /__standin/websocket?mode=broken|working   setWebSocket(mode); answers
 *                                              {"ok":true,"websocket":mode}, 400 for another mode
 *   GET  /__standin/requests                   requestCounts(), as JSON
 *
 * requestCounts() counts every HTTP request received since the start (or the last
 * resetRequestCounts()), each in exactly one bucket so `total` is their sum: `consume`,
 * `stats`, `publish`, `ensure` (PUT /stream/{room}) and `list` by route and method whatever
 * the answer (a 401 consume is a consume); `upgrades` (WebSocket handshakes accepted) and
 * `upgradeFailures` (upgrade requests answered otherwise: 401, 404, 400, the broken 500);
 * `other` for everything else (CORS preflights, POST/DELETE on a room, a plain GET on the
 * WebSocket route, unknown paths). The /__standin/* control requests are not counted.
 */
export interface SynapStandin {
  readonly url: string; // e.g. 'http://127.0.0.1:15500' (no trailing slash)
  readonly port: number;
  close(): Promise<void>; // closes sockets and the HTTP server
  // Test-only controls a real server cannot offer:
  wipe(): void; // as a restart: every room gone (subscribers too); generations keep rising
  dropSockets(): void; // abruptly terminate every WebSocket (no close frame: like a dead network)
  stall(on: boolean): void; // stop (true) / resume (false) delivering events over WebSockets; sockets stay open (half-open simulation)
  compact(): void; // run the time-retention sweep now
  /**
   * Publishes many events at once (filling a big room fast), in order, exactly as one
   * publish each would; returns their offsets. Over HTTP: `POST /__standin/publish-many?room=R`
   * with a JSON array of publish bodies, answered `{"offsets": [...]}`.
   */
  publishMany(room: string, events: readonly { event: string; data: unknown }[]): number[];
  /**
   * 'broken': like the shipped Synap 1.3.1 binary, every request on /stream/{room}/ws/{sub}
   * (upgrade or not) that passes auth is answered 500 with axum's plain-text "Missing request
   * extension" body for ConnectInfo. 'working': upgrades succeed. Affects new requests only:
   * sockets already open stay open and keep delivering.
   */
  setWebSocket(mode: WebSocketMode): void;
  requestCounts(): RequestCounts; // a snapshot; see above
  resetRequestCounts(): void; // every count back to 0
}

/** Synap's defaults (`StreamConfig::default()`, which the real server always uses). */
export const STANDIN_DEFAULTS = {
  host: '127.0.0.1',
  port: 15500,
  maxBuffer: 10_000,
  maxUnreadBuffer: 100_000,
  retentionSecs: 3_600,
  pollIntervalMs: 100,
  compactionIntervalMs: 60_000,
} as const;

function requireInteger(name: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min) {
    throw new RangeError(`${name} must be an integer >= ${min}, got ${value}`);
  }
  return value;
}

function requireWebSocketMode(mode: WebSocketMode): WebSocketMode {
  if (!WEBSOCKET_MODES.includes(mode)) {
    throw new RangeError(`websocket must be 'working' or 'broken', got ${String(mode)}`);
  }
  return mode;
}

/** Wildcard binds are reachable on loopback; IPv6 literals need brackets in a URL. */
function urlFor(host: string, port: number): string {
  const reachable = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

/** An HTTP response written straight onto a socket that arrived through the `upgrade` event. */
function responseOnSocket(req: IncomingMessage, socket: Duplex): () => ServerResponse {
  let res: ServerResponse | undefined;
  return () => {
    if (!res) {
      const created = new ServerResponse(req);
      created.shouldKeepAlive = false;
      created.assignSocket(socket as Socket);
      created.on('finish', () => {
        created.detachSocket(socket as Socket);
        socket.end();
      });
      res = created;
    }
    return res;
  };
}

export async function startSynapStandin(options: StandinOptions = {}): Promise<SynapStandin> {
  const host = options.host ?? STANDIN_DEFAULTS.host;
  const port = requireInteger('port', options.port ?? STANDIN_DEFAULTS.port, 0);
  const log = options.log ?? (() => {});
  const store = new RoomStore({
    maxBufferSize: requireInteger('maxBuffer', options.maxBuffer ?? STANDIN_DEFAULTS.maxBuffer, 1),
    maxUnreadBufferSize: requireInteger(
      'maxUnreadBuffer',
      options.maxUnreadBuffer ?? STANDIN_DEFAULTS.maxUnreadBuffer,
      0,
    ),
    retentionSecs: requireInteger(
      'retentionSecs',
      options.retentionSecs ?? STANDIN_DEFAULTS.retentionSecs,
      0,
    ),
  });
  const pollIntervalMs = requireInteger(
    'pollIntervalMs',
    options.pollIntervalMs ?? STANDIN_DEFAULTS.pollIntervalMs,
    1,
  );
  const compactionIntervalMs = requireInteger(
    'compactionIntervalMs',
    options.compactionIntervalMs ?? STANDIN_DEFAULTS.compactionIntervalMs,
    1,
  );
  const fullKeys = new Set(options.apiKeys ?? []);
  const readOnlyKeys = new Set(options.readOnlyKeys ?? []);
  const authOn = fullKeys.size > 0 || readOnlyKeys.size > 0;
  let websocketMode = requireWebSocketMode(options.websocket ?? 'working');
  const counter = new RequestCounter();

  const sessions = new StreamSessions(store, pollIntervalMs, log);
  const controls: TestControls = {
    wipe: () => store.wipe(),
    dropSockets: () => sessions.dropAll(),
    stall: (on) => sessions.setStalled(on),
    compact: () => store.compact(),
    setWebSocket: (mode) => {
      websocketMode = requireWebSocketMode(mode);
      log(`WebSocket ${websocketMode}`);
    },
    requestCounts: () => counter.snapshot(),
    publishMany: (room, events) =>
      events.map(({ event, data }) => {
        const published = store.publish(room, event, data);
        if (!published.ok) throw new Error(published.error);
        return published.value;
      }),
  };
  /** A JSON value as a publish stores it: serde_json's text of it, in UTF-8. */
  const storedBytes = (value: unknown): Uint8Array => {
    const parsed = parseJsonValue(Buffer.from(JSON.stringify(value) ?? 'null', 'utf8'));
    if (parsed === undefined) throw new TypeError('publishMany: data must be a JSON value');
    return Buffer.from(serializeJson(parsed), 'utf8');
  };

  // Like axum: no permessage-deflate, no subprotocol chosen (a client that asks for one is
  // refused by its own WebSocket implementation), pongs sent by the session (so a stall
  // silences them too).
  const wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    autoPong: false,
    clientTracking: false,
    handleProtocols: () => false,
  });
  wss.on('headers', (headers) => {
    for (const [name, value] of CORS_RESPONSE_HEADERS) headers.push(`${name}: ${value}`);
  });

  const handle = createRequestHandler({
    store,
    auth: authOn ? { fullKeys, readOnlyKeys } : undefined,
    controls: options.testControls ? controls : undefined,
    websocketMode: () => websocketMode,
    counter,
    acceptWebSocket: (req, { socket, head }, params) => {
      // Without verifyClient, `ws` either completes the handshake or refuses it synchronously.
      let accepted = false;
      wss.handleUpgrade(req, socket, head, (ws) => {
        accepted = true;
        sessions.open(ws, params);
      });
      return accepted;
    },
    log,
  });

  const server = createServer((req, res) => handle(req, () => res));
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    handle(req, responseOnSocket(req, socket), { socket, head });
  });

  const boundPort = await listen(server, port, host);
  const url = urlFor(host, boundPort);
  const compaction = setInterval(() => store.compact(), compactionIntervalMs);
  compaction.unref();

  let closing: Promise<void> | undefined;
  return {
    url,
    port: boundPort,
    close() {
      closing ??= new Promise<void>((resolve) => {
        clearInterval(compaction);
        sessions.dropAll();
        wss.close();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
    ...controls,
    publishMany: (room, events) =>
      controls.publishMany(
        room,
        events.map(({ event, data }) => ({ event, data: storedBytes(data) })),
      ),
    resetRequestCounts: () => counter.reset(),
  };
}
