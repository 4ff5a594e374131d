/**
 * Several independent stand-ins at once (issue 12: rooms spread over several Synap servers).
 * Each has its own rooms, keys check, counters and controls; they only share the options.
 * Used by `npm run synap -- --servers N` (cli.ts) and `SYNAP_SERVERS=N npm run dev`
 * (vite.config.ts).
 */
import {
  startSynapStandin,
  STANDIN_DEFAULTS,
  type StandinOptions,
  type SynapStandin,
} from './server.ts';

/** Enough for any sharding test; a typo such as 100 fails instead of opening 100 ports. */
export const MAX_SERVERS = 16;

/** How a list of servers is written: what the app's Settings accept, and its default. */
export const SERVER_LIST_SEPARATOR = ', ';

export interface StandinGroup {
  readonly standins: readonly SynapStandin[];
  readonly urls: readonly string[];
  /** The URLs as one line, ready to paste into the app's Settings. */
  readonly list: string;
  close(): Promise<void>; // closes every one of them
}

export interface GroupOptions {
  /**
   * false (the CLI's way): a taken port is an error, and the ones already started are closed.
   * true (`npm run dev`'s way): a taken port is replaced by a free one.
   */
  fallbackToFreePort?: boolean;
}

/**
 * Reads a server count written by a person (an environment variable); `undefined` or empty
 * means one. Throws an Error that names `source` and the accepted range.
 */
export function parseServerCount(value: string | undefined, source: string): number {
  if (value === undefined || value.trim() === '') return 1;
  const text = value.trim();
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(n >= 1 && n <= MAX_SERVERS)) {
    throw new Error(`${source} must be a whole number from 1 to ${MAX_SERVERS}, got "${value}"`);
  }
  return n;
}

/**
 * Starts `count` stand-ins with the same options, one after the other, on `options.port`
 * and the ports after it (all on free ports when it is 0). With more than one, each log line
 * starts with its server's port.
 */
export async function startSynapStandins(
  count: number,
  options: StandinOptions = {},
  { fallbackToFreePort = false }: GroupOptions = {},
): Promise<StandinGroup> {
  if (!Number.isInteger(count) || count < 1 || count > MAX_SERVERS) {
    throw new RangeError(`servers must be an integer from 1 to ${MAX_SERVERS}, got ${count}`);
  }
  const firstPort = options.port ?? STANDIN_DEFAULTS.port;
  if (firstPort !== 0 && firstPort + count - 1 > 65_535) {
    throw new RangeError(
      `${count} servers from port ${firstPort} would need ports past 65535; pick a lower port`,
    );
  }

  const standins: SynapStandin[] = [];
  const closeAll = () => Promise.all(standins.map((standin) => standin.close())).then(() => {});
  try {
    for (let i = 0; i < count; i += 1) {
      const port = firstPort === 0 ? 0 : firstPort + i;
      let prefix = '';
      const { log } = options;
      const each: StandinOptions = {
        ...options,
        port,
        log: log && count > 1 ? (line) => log(`${prefix}${line}`) : log,
      };
      const standin = await startSynapStandin(each).catch((err: unknown) => {
        if (fallbackToFreePort && port !== 0) return startSynapStandin({ ...each, port: 0 });
        const reason = err instanceof Error ? err.message : String(err);
        throw new Error(count > 1 ? `server ${i + 1} of ${count}: ${reason}` : reason, {
          cause: err,
        });
      });
      prefix = `[${standin.port}] `;
      standins.push(standin);
    }
  } catch (err) {
    await closeAll();
    throw err;
  }

  const urls = standins.map((standin) => standin.url);
  return { standins, urls, list: urls.join(SERVER_LIST_SEPARATOR), close: closeAll };
}
