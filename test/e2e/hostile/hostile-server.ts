// A tiny Synap of the test's own, for the malformed-input suite: it speaks enough of the
// stream protocol (docs/synap-protocol.md) for the app to go live (list, PUT, stats, consume,
// publish, the stream WebSocket with its `connected` welcome), keeps an honest log of events,
// and lets the test put anything on the wire: raw WebSocket frames, events whose stored form
// is hostile, and consume answers of any shape.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': '*',
  'access-control-allow-headers': '*',
};

export interface StoredEvent {
  offset: number;
  event: string;
  /** The stored data as JSON text (REST consume sends its bytes; the socket, the value). */
  dataJson: string;
  /** Unix seconds, as JSON text (so a test can store 1e400 or "noon"). */
  timestampJson: string;
  /** What REST consume shows as `data` instead of the bytes of dataJson (JSON text). */
  restDataJson?: string;
}

interface Room {
  name: string;
  generation: number;
  createdAtMs: number;
  events: StoredEvent[];
  subscribers: Set<string>;
}

interface Session {
  socket: WebSocket;
  room: string;
  /** The next offset this socket has not been sent yet. */
  sent: number;
}

/** Replaces the next consume answer: gets the honest answer's parts, returns status and body. */
export type ConsumeOverride = (honest: { events: string[]; nextOffset: number }) => {
  status?: number;
  body: string;
};

export function eventFrame(event: StoredEvent): string {
  return (
    `{"type":"event","offset":${event.offset},"event":${JSON.stringify(event.event)},` +
    `"data":${event.dataJson},"timestamp":${event.timestampJson}}`
  );
}

function restEvent(room: string, event: StoredEvent): string {
  const data = event.restDataJson ?? `[${Buffer.from(event.dataJson, 'utf8').join(',')}]`;
  return (
    `{"id":"00000000-0000-4000-8000-${String(event.offset).padStart(12, '0')}",` +
    `"offset":${event.offset},"room":${JSON.stringify(room)},"event":${JSON.stringify(event.event)},` +
    `"data":${data},"timestamp":${event.timestampJson},"metadata":{}}`
  );
}

export class HostileSynap {
  url = '';
  /** Upgrades answered 500, as from Synap 1.3.1's release build: the app polls instead. */
  websocketBroken = false;
  readonly consumeOverrides: ConsumeOverride[] = [];
  readonly #rooms = new Map<string, Room>();
  readonly #sessions = new Set<Session>();
  readonly #server: Server;
  readonly #wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 * 1024 });
  #generation = Date.now();

  constructor() {
    this.#server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => this.#answer(req, res, Buffer.concat(chunks).toString('utf8')));
    });
    this.#server.on('upgrade', (req, socket, head) => {
      const match = /^\/stream\/([^/]+)\/ws\/([^/?]+)(?:\?(.*))?$/.exec(req.url ?? '');
      if (!match || this.websocketBroken) {
        socket.end(
          'HTTP/1.1 500 Internal Server Error\r\naccess-control-allow-origin: *\r\n' +
            'content-length: 0\r\nconnection: close\r\n\r\n',
        );
        return;
      }
      const room = decodeURIComponent(match[1] ?? '');
      const from = Number(new URLSearchParams(match[3] ?? '').get('from_offset') ?? 0);
      this.#wss.handleUpgrade(req, socket, head, (ws) => this.#openSession(ws, room, from));
    });
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    for (const session of this.#sessions) session.socket.terminate();
    this.#wss.close();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  /** The offset the next event will get. */
  nextOffset(room: string): number {
    return this.#room(room).events.length;
  }

  events(room: string): readonly StoredEvent[] {
    return this.#room(room).events;
  }

  /** Sockets of `room` that have had their welcome. */
  openSockets(room: string): number {
    return [...this.#sessions].filter((s) => s.room === room && s.socket.readyState === 1).length;
  }

  /**
   * Stores an event (so REST and the socket agree on every offset) and sends it to the room's
   * sockets. `dataJson` is stored as it is, however odd.
   */
  append(
    room: string,
    event: string,
    dataJson: string,
    options: { timestampJson?: string; restDataJson?: string } = {},
  ): StoredEvent {
    const target = this.#room(room);
    const stored: StoredEvent = {
      offset: target.events.length,
      event,
      dataJson,
      timestampJson: options.timestampJson ?? String(Math.floor(Date.now() / 1000)),
      ...(options.restDataJson === undefined ? {} : { restDataJson: options.restDataJson }),
    };
    target.events.push(stored);
    this.#flush(room);
    return stored;
  }

  /**
   * Thousands of frames in one go: `events` are stored and sent as usual, each preceded by
   * `junk(i)`, all written to the sockets at once.
   */
  async burst(
    room: string,
    events: ReadonlyArray<{ event: string; dataJson: string }>,
    junk: (index: number) => string | Buffer,
  ): Promise<void> {
    const target = this.#room(room);
    const frames: Array<string | Buffer> = [];
    events.forEach(({ event, dataJson }, index) => {
      const stored: StoredEvent = {
        offset: target.events.length,
        event,
        dataJson,
        timestampJson: String(Math.floor(Date.now() / 1000)),
      };
      target.events.push(stored);
      frames.push(junk(index), eventFrame(stored));
    });
    const sessions = [...this.#sessions].filter((s) => s.room === room);
    for (const session of sessions) session.sent = target.events.length;
    await this.sendRaw(room, frames);
  }

  /** Frames as they are, to every open socket of `room`; resolves once they are written. */
  async sendRaw(room: string, frames: ReadonlyArray<string | Buffer>): Promise<number> {
    const sessions = [...this.#sessions].filter(
      (s) => s.room === room && s.socket.readyState === 1,
    );
    await Promise.all(
      sessions.map(
        (session) =>
          new Promise<void>((resolve) => {
            frames.forEach((frame, index) =>
              session.socket.send(
                frame,
                { binary: typeof frame !== 'string' },
                index === frames.length - 1 ? () => resolve() : undefined,
              ),
            );
            if (frames.length === 0) resolve();
          }),
      ),
    );
    return sessions.length;
  }

  #room(name: string): Room {
    const room = this.#rooms.get(name);
    if (!room) throw new Error(`no room ${name}`);
    return room;
  }

  #ensure(name: string): boolean {
    if (this.#rooms.has(name)) return false;
    this.#generation += 1;
    this.#rooms.set(name, {
      name,
      generation: this.#generation,
      createdAtMs: Date.now(),
      events: [],
      subscribers: new Set(),
    });
    return true;
  }

  #openSession(socket: WebSocket, room: string, from: number): void {
    socket.on('error', () => {});
    const target = this.#rooms.get(room);
    socket.send(JSON.stringify({ type: 'connected', room, subscriber_id: 'x', from_offset: from }));
    if (!target) {
      socket.send(JSON.stringify({ type: 'error', error: `Room '${room}' not found` }));
      socket.terminate();
      return;
    }
    const session: Session = { socket, room, sent: Math.max(0, Math.floor(from)) };
    this.#sessions.add(session);
    socket.on('close', () => this.#sessions.delete(session));
    this.#flush(room);
  }

  /** Sends each socket of `room` what it has not had yet, in order. */
  #flush(room: string): void {
    const target = this.#rooms.get(room);
    if (!target) return;
    for (const session of this.#sessions) {
      if (session.room !== room || session.socket.readyState !== 1) continue;
      while (session.sent < target.events.length) {
        const event = target.events[session.sent];
        session.sent += 1;
        if (event) session.socket.send(eventFrame(event));
      }
    }
  }

  #answer(req: IncomingMessage, res: ServerResponse, body: string): void {
    const reply = (status: number, text: string) => {
      res.writeHead(status, { ...CORS, 'content-type': 'application/json' });
      res.end(text);
    };
    if (req.method === 'OPTIONS') return reply(200, '');
    const url = new URL(req.url ?? '/', 'http://x');
    const parts = url.pathname
      .split('/')
      .slice(1)
      .map((part) => decodeURIComponent(part));
    if (parts[0] !== 'stream') return reply(404, '');
    const [, room = '', action, subscriber] = parts;
    const notFound = () =>
      reply(400, JSON.stringify({ error: `Invalid request: Room '${room}' not found`, code: 400 }));
    if (parts.length === 2 && room === 'list' && req.method === 'GET') {
      const rooms = [...this.#rooms.keys()];
      return reply(200, JSON.stringify({ rooms, count: rooms.length }));
    }
    if (parts.length === 2 && req.method === 'PUT') {
      const created = this.#ensure(room);
      return reply(200, JSON.stringify({ success: true, room, created }));
    }
    const target = this.#rooms.get(room);
    if (parts.length === 3 && action === 'stats' && req.method === 'GET') {
      if (!target) return notFound();
      const count = target.events.length;
      return reply(
        200,
        JSON.stringify({
          name: room,
          message_count: count,
          min_offset: 0,
          max_offset: Math.max(0, count - 1),
          subscriber_count: target.subscribers.size,
          total_published: count,
          total_consumed: 0,
          dropped: 0,
          created_at: target.createdAtMs,
          generation: target.generation,
        }),
      );
    }
    if (parts.length === 3 && action === 'publish' && req.method === 'POST') {
      if (!target) return notFound();
      let published: { event?: unknown; data?: unknown };
      try {
        published = JSON.parse(body) as typeof published;
      } catch {
        return reply(400, '');
      }
      if (typeof published.event !== 'string') return reply(422, '');
      const stored = this.append(room, published.event, JSON.stringify(published.data ?? null));
      return reply(200, JSON.stringify({ offset: stored.offset, room }));
    }
    if (parts.length === 4 && action === 'consume' && req.method === 'GET') {
      if (!target) return notFound();
      target.subscribers.add(subscriber ?? '');
      const from = Number(url.searchParams.get('from_offset') ?? 0);
      const limit = Number(url.searchParams.get('limit') ?? 100);
      const events = target.events.slice(from, from + limit).map((e) => restEvent(room, e));
      const nextOffset = from + events.length;
      const override = this.consumeOverrides.shift();
      if (override) {
        const answer = override({ events, nextOffset });
        return reply(answer.status ?? 200, answer.body);
      }
      return reply(200, `{"events":[${events.join(',')}],"next_offset":${nextOffset}}`);
    }
    return reply(404, '');
  }
}
