/**
 * Optional API-key authentication, following Synap's `auth/middleware.rs` and
 * `auth/extractor.rs`.
 *
 * Synap checks credentials in a middleware in front of every route (so a missing or unknown
 * key is a bare 401 before any routing), and checks permissions inside each handler (a JSON
 * 403). The stand-in has API keys only and no user accounts, so HTTP Basic credentials, which
 * Synap checks against its users, never authenticate here.
 */
import type { IncomingHttpHeaders } from 'node:http';

export type Access = 'full' | 'read';

/** What a handler needs on the room (`stream:{room}`) resource. */
export type Action = 'read' | 'write' | 'delete' | 'configure';

export interface AuthConfig {
  fullKeys: ReadonlySet<string>;
  readOnlyKeys: ReadonlySet<string>;
}

export type AuthOutcome = { ok: true; access: Access } | { ok: false };

/** hyper's `HeaderValue::to_str` only accepts visible ASCII and tab. */
function isVisibleAscii(value: string): boolean {
  for (let i = 0; i < value.length; i += 1) {
    const c = value.charCodeAt(i);
    if (c !== 0x09 && (c < 0x20 || c > 0x7e)) return false;
  }
  return true;
}

/** The first `api_key=` pair of the raw query string: Synap does not URL-decode it. */
function rawQueryApiKey(rawQuery: string): string | undefined {
  for (const pair of rawQuery.split('&')) {
    const eq = pair.indexOf('=');
    if (eq >= 0 && pair.slice(0, eq) === 'api_key') return pair.slice(eq + 1);
  }
  return undefined;
}

function lookup(config: AuthConfig, key: string): AuthOutcome {
  if (config.fullKeys.has(key)) return { ok: true, access: 'full' };
  if (config.readOnlyKeys.has(key)) return { ok: true, access: 'read' };
  return { ok: false };
}

/**
 * Synap's order: an `Authorization` header, when present, is the only place a key is looked
 * for (`Bearer` = API key); the `api_key` query parameter counts only without that header.
 * An empty key counts as none. With auth required, having no credential at all is a 401 too.
 */
export function authenticate(
  config: AuthConfig,
  headers: IncomingHttpHeaders,
  rawQuery: string,
): AuthOutcome {
  const header = headers.authorization;
  let apiKey: string | undefined;
  if (header === undefined) apiKey = rawQueryApiKey(rawQuery);
  else if (isVisibleAscii(header) && header.startsWith('Bearer ')) apiKey = header.slice(7).trim();

  if (apiKey !== undefined && apiKey !== '') return lookup(config, apiKey);
  // Everything else is a 401 when auth is required: no credential, an empty key, another
  // scheme, or Basic credentials (they name a Synap user, and the stand-in has no users).
  return { ok: false };
}

export function isAllowed(access: Access, action: Action): boolean {
  return access === 'full' || action === 'read';
}

/** Synap's 403 text (a `SynapError::Forbidden`). */
export function forbiddenMessage(resource: string, action: Action): string {
  return `Forbidden: Insufficient permissions for resource: ${resource}, action: ${action}`;
}
