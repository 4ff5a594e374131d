/**
 * Stream WebSocket sessions, as Synap's `handle_stream_socket` runs them
 * (synap-server `server/handlers/websocket.rs`).
 *
 * Synap does not push on publish: each socket polls its room on a timer and sends what it
 * finds. The timer is re-armed after every poll and after every frame the client sends
 * (Synap's `select!` loop restarts its sleep then), so a client that sends frames faster than
 * the poll period starves its own delivery; the stand-in keeps that behaviour.
 */
import type { WebSocket } from 'ws';
import type { RoomStore, StoredEvent } from './rooms.ts';
import { parseJsonValue, serializeJson } from './serde-json.ts';

/** Synap consumes at most this many events per poll of a socket. */
export const EVENTS_PER_POLL = 100;

export interface SessionParams {
  room: string;
  subscriberId: string;
  fromOffset: number;
}

// Frame texts are written by hand because Synap builds them with `json!`, whose object keys
// come out sorted; the key order below is that order.
function connectedFrame(p: SessionParams): string {
  const room = JSON.stringify(p.room);
  const subscriber = JSON.stringify(p.subscriberId);
  return `{"from_offset":${p.fromOffset},"room":${room},"subscriber_id":${subscriber},"type":"connected"}`;
}

function eventFrame(event: StoredEvent): string {
  // Stored bytes are re-read as JSON; anything unreadable goes out as null, as in Synap.
  const value = parseJsonValue(event.data);
  const data = value === undefined ? 'null' : serializeJson(value);
  const name = JSON.stringify(event.event);
  return `{"data":${data},"event":${name},"offset":${event.offset},"timestamp":${event.timestamp},"type":"event"}`;
}

function errorFrame(message: string): string {
  return `{"error":${JSON.stringify(message)},"type":"error"}`;
}

export class StreamSessions {
  private readonly sessions = new Set<StreamSession>();
  private stalledFlag = false;

  constructor(
    readonly store: RoomStore,
    readonly pollIntervalMs: number,
    readonly log: (line: string) => void,
  ) {}

  get stalled(): boolean {
    return this.stalledFlag;
  }

  open(ws: WebSocket, params: SessionParams): void {
    const session = new StreamSession(ws, params, this);
    this.sessions.add(session);
    session.start();
  }

  forget(session: StreamSession): void {
    this.sessions.delete(session);
  }

  /** Half-open simulation: nothing flows either way, yet every socket stays open. */
  setStalled(on: boolean): void {
    this.stalledFlag = on;
  }

  /** Ends every socket without a close frame, as a dead network or a killed server would. */
  dropAll(): void {
    for (const session of [...this.sessions]) session.terminate();
  }
}

class StreamSession {
  private timer: NodeJS.Timeout | undefined;
  private offset: number;
  private ended = false;

  constructor(
    private readonly ws: WebSocket,
    private readonly params: SessionParams,
    private readonly hub: StreamSessions,
  ) {
    this.offset = params.fromOffset;
  }

  start(): void {
    const { room, subscriberId } = this.params;
    this.hub.log(`ws open ${room} ${subscriberId} from ${this.params.fromOffset}`);
    this.ws.on('message', () => this.arm());
    this.ws.on('pong', () => this.arm());
    this.ws.on('ping', (payload: Buffer) => {
      this.arm();
      if (!this.hub.stalled) this.ws.pong(payload);
    });
    this.ws.on('close', () => this.end());
    this.ws.on('error', () => this.end());
    this.send(connectedFrame(this.params));
    this.arm();
  }

  terminate(): void {
    this.end();
    this.ws.terminate();
  }

  private arm(): void {
    clearTimeout(this.timer);
    if (!this.ended) this.timer = setTimeout(() => this.poll(), this.hub.pollIntervalMs);
  }

  private poll(): void {
    if (this.ended) return;
    if (this.hub.stalled) {
      this.arm();
      return;
    }
    const { room, subscriberId } = this.params;
    const result = this.hub.store.consume(room, subscriberId, this.offset, EVENTS_PER_POLL);
    if (!result.ok) {
      this.hub.log(`ws error ${room} ${subscriberId}: ${result.error}`);
      this.end();
      // Synap drops the socket after the error frame without a close handshake.
      if (this.ws.readyState === this.ws.OPEN) {
        this.ws.send(errorFrame(result.error), () => this.ws.terminate());
      } else {
        this.ws.terminate();
      }
      return;
    }
    for (const event of result.value) {
      if (!this.send(eventFrame(event))) return;
    }
    const last = result.value.at(-1);
    if (last) this.offset = last.offset + 1;
    this.arm();
  }

  private send(text: string): boolean {
    if (this.ws.readyState !== this.ws.OPEN) {
      this.end();
      return false;
    }
    this.ws.send(text);
    return true;
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.timer);
    this.hub.forget(this);
    this.hub.log(`ws closed ${this.params.room} ${this.params.subscriberId}`);
  }
}
