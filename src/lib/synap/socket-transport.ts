// The stream WebSocket as a feed transport: Synap polls the room for each socket every
// 100 ms and sends up to 100 events per poll, after a `connected` welcome frame.
import type { FeedTransport, TransportEnd, TransportSink } from './feed-transport';
import type { StreamEvent } from './rest';

/** What the transport needs of a WebSocket (the browser's, or `ws` in Node tests). */
export interface WebSocketLike {
  readonly readyState: number;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: unknown) => void) | null;
  onerror: ((event: unknown) => void) | null;
  close(code?: number, reason?: string): void;
}
export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** A socket with no welcome frame by then is given up (a stalled handshake). */
export const SOCKET_OPEN_TIMEOUT_MS = 10_000;

export interface SocketTransportOptions {
  WebSocket: WebSocketConstructor;
  url: string;
  openTimeoutMs?: number;
}

type Frame =
  | { type: 'connected' }
  | { type: 'error'; text: string }
  | { type: 'event'; event: StreamEvent }
  | { type: 'malformed'; reason: string };

/** Reads one server frame; never throws. */
export function readFrame(raw: unknown): Frame {
  let frame: unknown;
  try {
    frame = JSON.parse(typeof raw === 'string' ? raw : String(raw));
  } catch {
    return { type: 'malformed', reason: 'frame is not JSON' };
  }
  if (typeof frame !== 'object' || frame === null) {
    return { type: 'malformed', reason: 'frame is not an object' };
  }
  const fields = frame as Record<string, unknown>;
  if (fields.type === 'connected') return { type: 'connected' };
  if (fields.type === 'error') {
    return { type: 'error', text: String(fields.error ?? 'unknown error') };
  }
  if (fields.type !== 'event') {
    return { type: 'malformed', reason: `unknown frame type ${JSON.stringify(fields.type)}` };
  }
  const { offset, event, data, timestamp } = fields;
  if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0) {
    return { type: 'malformed', reason: 'event frame without a valid offset' };
  }
  if (typeof event !== 'string') {
    return { type: 'malformed', reason: 'event frame without an event name' };
  }
  return {
    type: 'event',
    event: {
      offset,
      event,
      data: data ?? null,
      timestamp: typeof timestamp === 'number' && Number.isFinite(timestamp) ? timestamp : 0,
    },
  };
}

function silence(socket: WebSocketLike): void {
  socket.onopen = socket.onmessage = socket.onclose = null;
  // Closing a socket still connecting reports an error; nobody needs to hear it.
  socket.onerror = () => {};
  try {
    socket.close();
  } catch {
    // Closing a socket that never opened can throw; it is gone either way.
  }
}

export function openSocketTransport(
  options: SocketTransportOptions,
  sink: TransportSink,
): FeedTransport {
  let socket: WebSocketLike | null = null;
  let welcomed = false;
  let ended = false;
  let closeReason = 'the connection closed';
  const timer = setTimeout(
    () => end({ reason: 'the server did not accept the connection in time', beforeOpen: true }),
    options.openTimeoutMs ?? SOCKET_OPEN_TIMEOUT_MS,
  );

  function stop(): void {
    ended = true;
    clearTimeout(timer);
    if (socket) silence(socket);
    socket = null;
  }
  function end(detail: Omit<TransportEnd, 'beforeOpen'> & { beforeOpen?: boolean }): void {
    if (ended) return;
    stop();
    sink.closed({ beforeOpen: !welcomed, ...detail });
  }

  try {
    socket = new options.WebSocket(options.url);
  } catch (error) {
    // Reported after returning, so the caller holds the transport before hearing of its end.
    queueMicrotask(() =>
      end({ reason: error instanceof Error ? error.message : String(error), error }),
    );
    return { kind: 'websocket', close: stop, wake: () => {} };
  }
  socket.onmessage = (message) => {
    if (ended) return;
    const frame = readFrame(message.data);
    switch (frame.type) {
      case 'connected':
        // Only the first welcome counts.
        if (!welcomed) {
          welcomed = true;
          clearTimeout(timer);
          sink.open();
        }
        break;
      case 'error':
        // An out-of-range claim is not taken on trust: the feed reconnects and asks the stats.
        end({ reason: `the server said: ${frame.text}` });
        break;
      case 'event':
        sink.events([frame.event]);
        break;
      case 'malformed':
        sink.malformed(frame.reason, 1);
        break;
    }
  };
  socket.onerror = () => {
    closeReason = welcomed ? 'the connection failed' : 'the server refused the connection';
  };
  socket.onclose = () => end({ reason: closeReason });
  return { kind: 'websocket', close: stop, wake: () => {} };
}

/** Whether a WebSocket upgrade to `url` succeeds: resolves on the welcome frame, or failure. */
export function probeWebSocket(
  WebSocket: WebSocketConstructor,
  url: string,
  timeoutMs = SOCKET_OPEN_TIMEOUT_MS,
): Promise<boolean> {
  return new Promise((resolve) => {
    const transport = openSocketTransport(
      { WebSocket, url, openTimeoutMs: timeoutMs },
      {
        open: () => {
          transport.close();
          resolve(true);
        },
        events: () => {},
        malformed: () => {},
        closed: () => resolve(false),
      },
    );
  });
}
