// A fault-injecting TCP proxy for the fault suite: the page talks to Synap (REST and WebSocket
// alike) through it, and a test decides what the network does meanwhile. It knows nothing of
// HTTP except in `http-500` mode, where it answers requests itself.
//
//   pass       bytes flow both ways
//   drop-all   an action, not a state: every open connection is reset now; new ones pass
//   blackhole  every open connection goes silent for good (half-open: nothing is forwarded
//              either way and nothing is closed); new connections are accepted and silent
//              too until the mode changes
//   refuse     new connections are reset as soon as they arrive (open ones keep working)
//   latency    `latencyMs` is added to every chunk, each way, order kept
//   http-500   every new request is answered 500 (CORS preflights 204), then closed; open
//              HTTP connections are closed on entry so no request slips past on a kept-alive
//              one (open WebSockets are left alone)
import net from 'node:net';

export type ProxyMode = 'pass' | 'blackhole' | 'refuse' | 'latency' | 'http-500';

export interface ProxyCounts {
  connections: number;
  /** Connections reset by drop-all. */
  dropped: number;
  refused: number;
  /** Connections that went (or were born) silent in a blackhole. */
  blackholed: number;
  answered500: number;
}

interface Pending {
  at: number;
  chunk: Buffer | null; // null: end of stream
}

interface Link {
  client: net.Socket;
  upstream: net.Socket;
  /** Silent forever: a half-open connection. */
  dead: boolean;
  /** Sniffed from the first request line: a stream WebSocket upgrade. */
  websocket: boolean | null;
  queues: { up: Pending[]; down: Pending[] };
  timers: { up: NodeJS.Timeout | null; down: NodeJS.Timeout | null };
}

const CORS = 'Access-Control-Allow-Origin: *\r\n';

export class FaultProxy {
  readonly #server: net.Server;
  readonly #links = new Set<Link>();
  /** Connections kept silent and never forwarded (blackhole), per client socket. */
  readonly #silent = new Set<net.Socket>();
  #target: { host: string; port: number };
  #mode: ProxyMode = 'pass';
  #latencyMs = 0;
  readonly counts: ProxyCounts = {
    connections: 0,
    dropped: 0,
    refused: 0,
    blackholed: 0,
    answered500: 0,
  };
  readonly port: number;
  readonly url: string;

  private constructor(server: net.Server, port: number, target: { host: string; port: number }) {
    this.#server = server;
    this.port = port;
    this.url = `http://127.0.0.1:${port}`;
    this.#target = target;
    server.on('connection', (socket) => this.#accept(socket));
  }

  /** A proxy on a free port of 127.0.0.1 in front of `targetUrl` (http://host:port). */
  static async start(targetUrl: string): Promise<FaultProxy> {
    const { hostname, port } = new URL(targetUrl);
    const server = net.createServer({ pauseOnConnect: true });
    const bound = await new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve((server.address() as net.AddressInfo).port);
      });
    });
    return new FaultProxy(server, bound, { host: hostname, port: Number(port) });
  }

  get mode(): ProxyMode {
    return this.#mode;
  }

  /** Open connections (forwarding or silent). */
  get open(): number {
    return this.#links.size + this.#silent.size;
  }

  /** Switches mode; `drop-all` resets every open connection and leaves the mode as it was. */
  set(mode: ProxyMode | 'drop-all', latencyMs = 0): void {
    if (mode === 'drop-all') {
      this.dropAll();
      return;
    }
    this.#mode = mode;
    this.#latencyMs = mode === 'latency' ? latencyMs : 0;
    if (mode === 'blackhole') {
      for (const link of this.#links) this.#silence(link);
    } else if (mode === 'http-500') {
      for (const link of [...this.#links]) if (link.websocket !== true) this.#destroy(link, true);
    }
  }

  /** Resets every open connection, silent ones included; returns how many. */
  dropAll(): number {
    let count = 0;
    for (const link of [...this.#links]) {
      this.#destroy(link, true);
      count += 1;
    }
    for (const socket of [...this.#silent]) {
      socket.resetAndDestroy();
      this.#silent.delete(socket);
      count += 1;
    }
    this.counts.dropped += count;
    return count;
  }

  /** Points the proxy elsewhere (new connections only). */
  retarget(targetUrl: string): void {
    const { hostname, port } = new URL(targetUrl);
    this.#target = { host: hostname, port: Number(port) };
  }

  async close(): Promise<void> {
    for (const link of [...this.#links]) this.#destroy(link, false);
    for (const socket of this.#silent) socket.destroy();
    this.#silent.clear();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  // --- connections ----------------------------------------------------------------------
  #accept(client: net.Socket): void {
    this.counts.connections += 1;
    client.on('error', () => client.destroy());
    switch (this.#mode) {
      case 'refuse':
        this.counts.refused += 1;
        client.resetAndDestroy();
        return;
      case 'blackhole':
        this.#keepSilent(client);
        return;
      case 'http-500':
        this.#answer500(client);
        return;
      default:
        this.#forward(client);
    }
  }

  #keepSilent(client: net.Socket): void {
    this.counts.blackholed += 1;
    this.#silent.add(client);
    client.on('data', () => {}); // swallowed
    client.on('close', () => this.#silent.delete(client));
    client.resume();
  }

  #forward(client: net.Socket): void {
    const upstream = net.connect(this.#target);
    const link: Link = {
      client,
      upstream,
      dead: false,
      websocket: null,
      queues: { up: [], down: [] },
      timers: { up: null, down: null },
    };
    this.#links.add(link);
    upstream.on('error', () => {
      // The server is down or dropped us: the browser hears a reset, as from a dead peer.
      if (!link.dead) this.#destroy(link, true);
    });
    client.on('data', (chunk: Buffer) => {
      if (link.websocket === null) {
        link.websocket = /^GET [^ ]*\/ws\//.test(chunk.subarray(0, 512).toString('latin1'));
      }
      this.#send(link, 'up', chunk);
    });
    upstream.on('data', (chunk: Buffer) => this.#send(link, 'down', chunk));
    client.on('end', () => this.#send(link, 'up', null));
    upstream.on('end', () => this.#send(link, 'down', null));
    client.on('close', () => {
      this.#silent.delete(client);
      this.#destroy(link, false);
    });
    upstream.on('close', () => {
      // A silent connection never tells the browser anything.
      if (!link.dead && link.queues.down.length === 0) this.#destroy(link, false);
    });
    client.resume();
  }

  #send(link: Link, way: 'up' | 'down', chunk: Buffer | null): void {
    if (link.dead) return;
    const queue = link.queues[way];
    const last = queue.at(-1)?.at ?? 0;
    queue.push({ at: Math.max(Date.now() + this.#latencyMs, last), chunk });
    this.#pump(link, way);
  }

  #pump(link: Link, way: 'up' | 'down'): void {
    if (link.dead || link.timers[way]) return;
    const queue = link.queues[way];
    const target = way === 'up' ? link.upstream : link.client;
    while (queue.length > 0) {
      const head = queue[0] as Pending;
      const wait = head.at - Date.now();
      if (wait > 0) {
        link.timers[way] = setTimeout(() => {
          link.timers[way] = null;
          this.#pump(link, way);
        }, wait);
        return;
      }
      queue.shift();
      if (target.destroyed) continue;
      if (head.chunk) target.write(head.chunk);
      else target.end();
    }
    if (way === 'down' && link.upstream.destroyed) this.#destroy(link, false);
  }

  /** Half-open from now on: nothing more is forwarded either way, nothing is closed. */
  #silence(link: Link): void {
    if (link.dead) return;
    link.dead = true;
    this.counts.blackholed += 1;
    for (const way of ['up', 'down'] as const) {
      if (link.timers[way]) clearTimeout(link.timers[way]);
      link.timers[way] = null;
      link.queues[way] = [];
    }
    // The server side may go; the browser side stays open, hearing nothing, until it gives up
    // (the handlers of #forward see `dead` and do nothing more).
    link.upstream.destroy();
    this.#links.delete(link);
    this.#silent.add(link.client);
  }

  #destroy(link: Link, reset: boolean): void {
    if (!this.#links.delete(link)) return;
    link.dead = true;
    for (const way of ['up', 'down'] as const) {
      if (link.timers[way]) clearTimeout(link.timers[way]);
    }
    if (reset) {
      if (!link.client.destroyed) link.client.resetAndDestroy();
      if (!link.upstream.destroyed) link.upstream.resetAndDestroy();
    } else {
      link.client.destroy();
      link.upstream.destroy();
    }
  }

  /** Reads one request's head and answers it: 204 to a CORS preflight, 500 to anything else. */
  #answer500(client: net.Socket): void {
    let head = '';
    client.on('data', (chunk: Buffer) => {
      if (head.includes('\r\n\r\n')) return;
      head += chunk.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      this.counts.answered500 += 1;
      const preflight = head.startsWith('OPTIONS ');
      const body = '{"error":"Internal error: injected by the fault proxy","code":500}';
      client.end(
        preflight
          ? `HTTP/1.1 204 No Content\r\n${CORS}Access-Control-Allow-Methods: *\r\n` +
              'Access-Control-Allow-Headers: *\r\nContent-Length: 0\r\nConnection: close\r\n\r\n'
          : `HTTP/1.1 500 Internal Server Error\r\n${CORS}Content-Type: application/json\r\n` +
              `Content-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
      );
    });
    client.resume();
  }
}
