// What went wrong with a server, in words a user can act on: the first-run form, Settings and
// the room list say it. The words name what the user can change (the address, the key) only
// when that is what is wrong: a server that asks for a key nobody typed is not refusing one,
// and a browser without a network is not at a wrong address.
import { SynapError } from '../synap/rest';

/** The server a problem is about, with the key the user gave it ('' for none). */
export interface ServerAsked {
  url: string;
  apiKey: string;
}

/** The room list while the browser has no network (it comes back by itself). */
export const OFFLINE_ROOM_LIST = 'Offline: the list of rooms comes back with the network.';

/**
 * Explains a failed server request. `online: false` when the browser says it has no network:
 * then a failed request says so, and not that the address may be wrong.
 */
export function describeServerError(
  error: unknown,
  server: ServerAsked,
  { online = true }: { online?: boolean } = {},
): string {
  if (!(error instanceof SynapError)) return `Unexpected problem: ${String(error)}`;
  const { url } = server;
  switch (error.kind) {
    case 'unauthorized':
      return server.apiKey === ''
        ? `${url} needs an API key (401 Unauthorized): enter it in the API key field.`
        : `${url} refused the API key (401 Unauthorized): enter a valid key.`;
    case 'forbidden':
      return `This API key is not allowed to do that on ${url} (403 Forbidden).`;
    case 'network':
      return online
        ? `${error.message}. Check the address and that the server is running.`
        : `Offline: ${url} cannot be reached until the network is back.`;
    case 'bad_response':
      return `${error.message}.`;
    case 'bad_request':
      return error.status === 404 || error.status === 405
        ? `${url} answered ${error.status}: is this the address of a Synap server?`
        : error.message;
    default:
      return error.message;
  }
}
