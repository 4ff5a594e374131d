/**
 * How many HTTP requests the stand-in received, by kind, for benchmarks that want to know how
 * hard a client works the server (for example how many REST polls replace a broken WebSocket).
 *
 * Each request lands in exactly one bucket, so `total` is the sum of the others. A request is
 * counted by the route and method it asked for, whatever the answer (a 401 or 400 consume is
 * still a consume). A WebSocket upgrade request (any path) is an `upgrade` when the handshake
 * was accepted (101) and an `upgradeFailure` when anything else answered it (401, 404, 400,
 * or the 500 of a broken WebSocket). CORS preflights, a plain GET on the WebSocket route,
 * POST/DELETE on a room and unknown paths are `other`. The stand-in's own /__standin/* control
 * requests are not counted.
 */

export interface RequestCounts {
  total: number;
  /** GET /stream/{room}/consume/{subscriber} */
  consume: number;
  /** GET /stream/{room}/stats */
  stats: number;
  /** POST /stream/{room}/publish */
  publish: number;
  /** PUT /stream/{room} (get-or-create) */
  ensure: number;
  /** GET /stream/list */
  list: number;
  /** WebSocket handshakes accepted. */
  upgrades: number;
  /** WebSocket upgrade requests refused. */
  upgradeFailures: number;
  other: number;
}

export type RequestKind = Exclude<keyof RequestCounts, 'total'>;

const zero = (): RequestCounts => ({
  total: 0,
  consume: 0,
  stats: 0,
  publish: 0,
  ensure: 0,
  list: 0,
  upgrades: 0,
  upgradeFailures: 0,
  other: 0,
});

export class RequestCounter {
  private counts = zero();

  count(kind: RequestKind): void {
    this.counts[kind] += 1;
    this.counts.total += 1;
  }

  /** A copy: later requests do not change it. */
  snapshot(): RequestCounts {
    return { ...this.counts };
  }

  reset(): void {
    this.counts = zero();
  }
}
