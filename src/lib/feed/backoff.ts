/** Reconnect timing, in one place (centrifuge-js style). */
export interface ReconnectOptions {
  minDelayMs: number;
  maxDelayMs: number;
  healthyAfterMs: number;
}

export const RECONNECT_DEFAULTS: Readonly<ReconnectOptions> = {
  /** First retry waits about this long. */
  minDelayMs: 500,
  /** Retries never wait longer than this. */
  maxDelayMs: 30_000,
  /** A connection that stayed live this long resets the attempt count. */
  healthyAfterMs: 10_000,
};

export interface BackoffOptions {
  minDelayMs: number;
  maxDelayMs: number;
}

/**
 * Delay before reconnect attempt number `attempt` (0-based): exponential growth from
 * minDelayMs, doubled per attempt, capped at maxDelayMs, with full jitter so that many
 * clients dropped together do not come back together.
 */
export function backoffDelayMs(
  attempt: number,
  options: BackoffOptions = RECONNECT_DEFAULTS,
  random: () => number = Math.random,
): number {
  const step = Number.isNaN(attempt) ? 0 : Math.min(Math.max(0, Math.floor(attempt)), 31);
  const ceiling = Math.min(options.maxDelayMs, options.minDelayMs * 2 ** step);
  const jitter = Math.floor(random() * ceiling);
  return Math.min(options.maxDelayMs, options.minDelayMs + jitter);
}
