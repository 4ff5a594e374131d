// One Synap server of the user's list: its REST client, its transport choice (socket or
// polling, probed per server: one may have a working WebSocket, another not), and the tabs'
// shared connection to it (one leader per server). Rooms placed on this server (see
// placement.ts) get their links here.
//
// Owns: what the app needs per server. Does not own: which rooms live where (the app places
// them), nor the rooms themselves.
import type { CursorStore } from '../device/cursor-store';
import type { NetworkMonitor } from '../feed/network-monitor';
import type { RoomLink } from '../room/room-link';
import { LocalRoomLink } from '../room/room-link';
import type { SafeStorage } from '../device/safe-storage';
import { probeWebSocket, type WebSocketConstructor } from '../synap/socket-transport';
import { SynapRest } from '../synap/rest';
import { TabHub, type ChannelConstructor, type LocksLike } from '../tabs/tab-hub';
import { TransportPolicy } from '../synap/transport-policy';

export interface ServerConnectionOptions {
  url: string;
  apiKey: string;
  userId: string;
  /** This user on this device, as Synap knows the reader (the same on every server). */
  subscriberId: string;
  storage: SafeStorage;
  cursors: CursorStore;
  fetch?: typeof fetch;
  /** null: no WebSocket here (rooms are polled). */
  WebSocket: WebSocketConstructor | null;
  network: NetworkMonitor | null;
  locks: LocksLike | null;
  BroadcastChannel: ChannelConstructor | null;
  livenessIntervalMs?: number;
  /** A room of this server to probe its WebSocket with, from where it stands. */
  probeRoom: () => { stream: string; nextOffset: number | null } | null;
}

export class ServerConnection {
  readonly url: string;
  readonly rest: SynapRest;
  readonly #policy: TransportPolicy;
  readonly #hub: TabHub;

  constructor(options: ServerConnectionOptions) {
    const { url, apiKey, userId, subscriberId, WebSocket } = options;
    this.url = url;
    this.rest = new SynapRest({
      baseUrl: url,
      apiKey,
      // The page is (almost always) on another origin than Synap: see SynapRestOptions.
      apiKeyIn: 'query',
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
    const rest = this.rest;
    this.#policy = new TransportPolicy({
      serverUrl: url,
      storage: options.storage,
      socketsAvailable: WebSocket !== null,
      // Nothing is replayed: the probe starts where the room stands.
      probe: () => {
        const room = options.probeRoom();
        if (!WebSocket || !room) return Promise.resolve(false);
        return probeWebSocket(
          WebSocket,
          rest.socketUrl(room.stream, subscriberId, room.nextOffset ?? 0),
        );
      },
    });
    const policy = this.#policy;
    this.#hub = new TabHub({
      scope: JSON.stringify([url, userId, apiKey]),
      locks: options.locks,
      BroadcastChannel: options.BroadcastChannel,
      host: (stream, { createFirst, cursor, announce }) =>
        new LocalRoomLink({
          rest,
          serverUrl: url,
          stream,
          userId,
          subscriberId,
          cursors: options.cursors,
          storage: options.storage,
          createFirst,
          cursor,
          announce,
          network: options.network,
          WebSocket,
          policy,
          ...(options.livenessIntervalMs ? { livenessIntervalMs: options.livenessIntervalMs } : {}),
        }),
    });
  }

  /** The room's connection: this tab's own, or its share of another tab's. */
  link(stream: string, createFirst: boolean): RoomLink {
    return this.#hub.link(stream, createFirst);
  }

  /** The page is closing: another tab takes the connection over. */
  release(): void {
    this.#hub.stop();
  }

  stop(): void {
    this.#hub.stop();
    this.#policy.stop();
  }
}
