// Where the end-to-end servers listen: ports of their own, so a running `npm run dev` does not
// get in the way. Shared by playwright.config.ts (which starts them) and the tests.

export const E2E_SYNAP_PORT = 15_561;
export const E2E_APP_PORT = 4_179;

/** The shared stand-in every test uses (each with its own room prefix). */
export const E2E_SYNAP_URL = `http://127.0.0.1:${E2E_SYNAP_PORT}`;
/** The built app, served by `vite preview`. */
export const E2E_APP_URL = `http://127.0.0.1:${E2E_APP_PORT}/`;
