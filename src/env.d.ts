/// <reference types="svelte" />
/// <reference types="vite/client" />

/** The Synap URL a first run proposes: the embedded stand-in under `npm run dev`. */
declare const __SYNAP_DEFAULT_URL__: string;
