// Where the end-to-end servers listen: ports of their own, so a running `npm run dev` does not
// get in the way. Shared by playwright.config.ts (which starts them) and the tests.
import { resolveE2EPorts } from './ports';

/**
 * The two ways a Synap server can be: `socket`, its stream WebSocket works as Synap's source
 * intends; `polling`, every upgrade gets HTTP 500 as from the shipped 1.3.1 binary, so the app
 * follows rooms by polling REST. The suite's core flows run against both (see
 * playwright.config.ts).
 */
export type SynapMode = 'socket' | 'polling';

export interface SynapModeOptions {
  /** Which shared stand-in the test's users start on, and how its private stand-ins behave. */
  synapMode: SynapMode;
}

/**
 * E2E_PORT_OFFSET moves every port, so two runs (say, two developers' checkouts) can share a
 * machine; a port that is taken all the same is replaced by a free one (see ports.ts). The
 * main process chooses, the workers read its choice from the environment.
 */
const PORTS = resolveE2EPorts(process.env);

export const E2E_SYNAP_PORT = PORTS.synap;
/** The stand-in started with `--websocket broken`. */
export const E2E_SYNAP_BROKEN_PORT = PORTS.broken;
export const E2E_APP_PORT = PORTS.app;

/** The shared stand-in every socket-mode test uses (each with its own room prefix). */
export const E2E_SYNAP_URL = `http://127.0.0.1:${E2E_SYNAP_PORT}`;
/** The shared stand-in with a broken WebSocket, for polling-mode tests. */
export const E2E_SYNAP_BROKEN_URL = `http://127.0.0.1:${E2E_SYNAP_BROKEN_PORT}`;
/** The shared stand-in of each mode. */
export const E2E_SYNAP_URLS: Readonly<Record<SynapMode, string>> = {
  socket: E2E_SYNAP_URL,
  polling: E2E_SYNAP_BROKEN_URL,
};
/** The built app, served by `vite preview`. */
export const E2E_APP_URL = `http://127.0.0.1:${E2E_APP_PORT}/`;
