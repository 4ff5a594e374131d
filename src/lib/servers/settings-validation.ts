// Checks what the user typed in the settings form before anything connects with it.
import { hasInvisibleCharacters } from '../text/display-names';
import { formatServerList, parseServerList } from './server-list';

export interface ChatSettings {
  userId: string;
  /** One server URL, or several separated by commas (see server-list.ts). */
  serverUrl: string;
  /** One key for every server, or one per server separated by commas. */
  apiKey: string;
  rememberApiKey: boolean;
  roomPrefix: string;
}

export type SettingsErrors = Partial<Record<keyof ChatSettings, string>>;

export type SettingsValidation =
  { ok: true; settings: ChatSettings } | { ok: false; errors: SettingsErrors };

export const MAX_DISPLAY_NAME_CHARS = 64;
export const MAX_ROOM_PREFIX_CHARS = 64;
/** RFC 3986 unreserved characters: safe in a URL path segment without encoding. */
const URL_SAFE = /^[A-Za-z0-9._~-]*$/;
// eslint-disable-next-line no-control-regex -- control characters are what it looks for
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/;

/** Trims and checks every field; the cleaned settings only when all are valid. */
export function validateSettings(input: ChatSettings): SettingsValidation {
  const errors: SettingsErrors = {};
  const userId = input.userId.trim();
  const apiKey = input.apiKey.trim();
  const roomPrefix = input.roomPrefix.trim();

  const nameProblem = displayNameProblem(userId);
  if (nameProblem) errors.userId = nameProblem;

  const servers = parseServerList(input.serverUrl, input.apiKey);
  if (!servers.ok) errors[servers.field === 'urls' ? 'serverUrl' : 'apiKey'] = servers.error;
  // Said even while the URLs are wrong: every problem at once.
  if (apiKey.split(',').some((key) => /\s/.test(key.trim()) || CONTROL_CHARS.test(key))) {
    errors.apiKey ??= 'The API key cannot contain spaces or line breaks.';
  }
  // Written back as the list reads: one URL as typed (normalised), several sorted.
  const list = servers.ok ? formatServerList(servers.servers) : null;

  if (roomPrefix.length > MAX_ROOM_PREFIX_CHARS) {
    errors.roomPrefix = `The room prefix is at most ${MAX_ROOM_PREFIX_CHARS} characters.`;
  } else if (!URL_SAFE.test(roomPrefix)) {
    errors.roomPrefix = 'Use letters, digits, "-", "_", "." and "~" only.';
  }

  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    settings: {
      userId,
      serverUrl: list?.urls ?? '',
      apiKey: list?.apiKeys ?? apiKey,
      rememberApiKey: input.rememberApiKey && apiKey !== '',
      roomPrefix,
    },
  };
}

export function displayNameProblem(name: string): string | null {
  if (name === '') return 'Enter a display name.';
  if ([...name].length > MAX_DISPLAY_NAME_CHARS) {
    return `The display name is at most ${MAX_DISPLAY_NAME_CHARS} characters.`;
  }
  if (CONTROL_CHARS.test(name)) return 'The display name cannot contain control characters.';
  if (hasInvisibleCharacters(name)) {
    return 'The display name cannot contain invisible or text-direction characters: they let one name pass for another.';
  }
  return null;
}

/** http(s) URL with a host, without trailing slashes so paths can be appended. */
export function normalizeServerUrl(
  raw: string,
): { ok: true; url: string } | { ok: false; error: string } {
  const trimmed = raw.trim();
  if (trimmed === '')
    return { ok: false, error: 'Enter the server URL, e.g. http://localhost:15500.' };
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    // "http://256.1.1.1:1" starts right; what follows is what is wrong.
    if (/^https?:\/\//i.test(trimmed)) {
      return {
        ok: false,
        error:
          'This is not a valid address: check the host name (an IP address is four numbers ' +
          'from 0 to 255) and the port (1 to 65535).',
      };
    }
    return { ok: false, error: 'Enter a full URL starting with http:// or https://.' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { ok: false, error: 'The server URL must start with http:// or https://.' };
  }
  if (url.hostname === '') return { ok: false, error: 'The server URL needs a host name.' };
  if (url.username !== '' || url.password !== '') {
    return { ok: false, error: 'Put credentials in the API key field, not in the URL.' };
  }
  if (url.search !== '' || url.hash !== '') {
    return { ok: false, error: 'The server URL cannot have a query (?) or fragment (#).' };
  }
  return { ok: true, url: `${url.origin}${url.pathname.replace(/\/+$/, '')}` };
}
