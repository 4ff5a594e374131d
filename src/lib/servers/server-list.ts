// The server list setting: the Synap servers a community's rooms are spread over, each with
// its API key. One URL is one server, exactly as before there could be several.
// Format and placement: docs/multi-server.md.
import { placeRoom } from './placement';
import { normalizeServerUrl } from './settings-validation';

export interface ServerEntry {
  /** As normalizeServerUrl returns it: the key rooms are placed by. */
  url: string;
  /** '' when the server takes no key. */
  apiKey: string;
}

export type ServerListParse =
  | { ok: true; servers: ServerEntry[] }
  /** `field`: which of the two texts is wrong. */
  | { ok: false; error: string; field: 'urls' | 'apiKeys' };

export const MAX_SERVERS = 16;
/** URLs are separated by commas, spaces or line breaks, in any mix. */
const URL_SEPARATORS = /[\s,]+/;
// eslint-disable-next-line no-control-regex -- control characters are what it looks for
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * Reads the server URLs and API keys the user typed. `apiKeys` is one key for every server or
 * one per server, comma-separated, in the order of the URLs (an empty entry: no key for that
 * server); with a single URL it is that server's key, whole. The servers come back sorted by
 * URL, so nothing depends on the order they were typed in; the same server twice (once
 * normalised) is an error, as is more than MAX_SERVERS.
 */
export function parseServerList(urls: string, apiKeys: string): ServerListParse {
  const rawUrls = urls.split(URL_SEPARATORS).filter((entry) => entry !== '');
  if (rawUrls.length === 0) {
    const empty = normalizeServerUrl('');
    return { ok: false, field: 'urls', error: empty.ok ? 'Enter the server URL.' : empty.error };
  }
  if (rawUrls.length > MAX_SERVERS) {
    return {
      ok: false,
      field: 'urls',
      error: `At most ${MAX_SERVERS} servers can share the rooms; this list has ${rawUrls.length}.`,
    };
  }
  const single = rawUrls.length === 1;

  const normalized: string[] = [];
  const firstSeen = new Map<string, number>();
  for (const [index, raw] of rawUrls.entries()) {
    const result = normalizeServerUrl(raw);
    if (!result.ok) {
      return {
        ok: false,
        field: 'urls',
        error: single
          ? result.error
          : `The ${ordinal(index + 1)} server URL is not valid: ${lowerFirst(result.error)}`,
      };
    }
    const earlier = firstSeen.get(result.url);
    if (earlier !== undefined) {
      return {
        ok: false,
        field: 'urls',
        error:
          `The ${ordinal(earlier + 1)} and ${ordinal(index + 1)} server URLs are the same ` +
          'server: list each server once.',
      };
    }
    firstSeen.set(result.url, index);
    normalized.push(result.url);
  }

  const keys = single ? [apiKeys.trim()] : apiKeys.split(',').map((key) => key.trim());
  if (keys.length !== 1 && keys.length !== normalized.length) {
    return {
      ok: false,
      field: 'apiKeys',
      error:
        `There are ${normalized.length} server URLs but ${keys.length} API keys: give one key ` +
        'for every server, or one per server separated by commas, in the order of the URLs ' +
        '(leave an entry empty for a server without a key).',
    };
  }
  for (const [index, key] of keys.entries()) {
    if (/\s/.test(key) || CONTROL_CHARS.test(key)) {
      return {
        ok: false,
        field: 'apiKeys',
        error:
          keys.length === 1
            ? 'The API key cannot contain spaces or line breaks.'
            : `The ${ordinal(index + 1)} API key cannot contain spaces or line breaks ` +
              '(separate keys with commas).',
      };
    }
  }

  const servers = normalized.map((url, index) => ({
    url,
    apiKey: keys.length === 1 ? (keys[0] ?? '') : (keys[index] ?? ''),
  }));
  servers.sort((a, b) => (a.url < b.url ? -1 : a.url > b.url ? 1 : 0));
  return { ok: true, servers };
}

/**
 * The settings form's text for a server list, which parseServerList reads back to the same
 * list: URLs separated by ", "; the keys as one key when every server has the same one,
 * otherwise one per URL, in the same order.
 */
export function formatServerList(servers: readonly ServerEntry[]): {
  urls: string;
  apiKeys: string;
} {
  const keys = servers.map((server) => server.apiKey);
  const shared = keys.every((key) => key === keys[0]);
  return {
    urls: servers.map((server) => server.url).join(', '),
    apiKeys: shared ? (keys[0] ?? '') : keys.join(', '),
  };
}

/** The server (and so the key) of a room's stream; see placeRoom. Throws on an empty list. */
export function serverForRoom(stream: string, servers: readonly ServerEntry[]): ServerEntry {
  const url = placeRoom(
    stream,
    servers.map((server) => server.url),
  );
  const server = servers.find((entry) => entry.url === url);
  if (!server) throw new RangeError('serverForRoom needs at least one server.');
  return server;
}

/** 1st, 2nd, 3rd, 4th, … 11th, 12th, 13th, … 21st. */
export function ordinal(n: number): string {
  const tens = n % 100;
  if (tens >= 11 && tens <= 13) return `${n}th`;
  const suffix = ['th', 'st', 'nd', 'rd'][n % 10] ?? 'th';
  return `${n}${suffix}`;
}

/** "Enter a full URL" → "enter a full URL"; "URL …" stays as it is. */
function lowerFirst(sentence: string): string {
  return /^[A-Z][a-z]/.test(sentence)
    ? sentence.charAt(0).toLowerCase() + sentence.slice(1)
    : sentence;
}
