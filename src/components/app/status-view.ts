// What the header's connection status shows for a room's feed state.
import type { FeedState } from '../../lib/feed/room-feed';
import type { ConnectionStatusView } from '../ConnectionStatus.svelte';

/** `apiKeyGiven`: the room's server was given a key (a 401 then means a wrong one). */
export function statusView(state: FeedState, apiKeyGiven = true): ConnectionStatusView {
  switch (state.kind) {
    case 'live':
      return { kind: 'live', polling: state.transport === 'polling' ? state.reason : null };
    case 'offline':
      return { kind: state.kind };
    case 'reconnecting':
      return { kind: 'reconnecting', retryAtMs: state.retryAtMs };
    case 'unauthorized':
      return {
        kind: 'unauthorized',
        forbidden: state.forbidden,
        keyMissing: !state.forbidden && !apiKeyGiven,
      };
    case 'failed':
      return { kind: 'failed', message: state.message };
    default:
      return { kind: 'connecting' };
  }
}
