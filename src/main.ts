import { mount } from 'svelte';
import App from './App.svelte';
import { registerAppShell, type TrustedTypesLike } from './lib/device/app-shell';
import { browserNetworkMonitor } from './lib/feed/network-monitor';
import { SafeStorage } from './lib/device/safe-storage';
import { ChatApp } from './state/chat.svelte';

/**
 * `npm run dev` names its embedded stand-in in a meta tag; a built copy has none and uses the
 * build-time default (the lookup is dev-only code, left out of the build).
 */
const defaultServerUrl =
  (import.meta.env.DEV &&
    document.querySelector<HTMLMetaElement>('meta[name="synap-default-url"]')?.content) ||
  __SYNAP_DEFAULT_URL__;

const app = new ChatApp({
  storage: new SafeStorage(),
  defaultServerUrl,
  network: browserNetworkMonitor(),
});

// index.html always has #app; mount() fails loudly if it ever does not.
export default mount(App, { target: document.getElementById('app')!, props: { app } });

// The built app keeps its shell for offline use (the dev server must not be cached).
if (import.meta.env.PROD) {
  addEventListener('load', () =>
    registerAppShell({
      protocol: location.protocol,
      serviceWorker: navigator.serviceWorker,
      trustedTypes: (globalThis as { trustedTypes?: TrustedTypesLike }).trustedTypes,
    }),
  );
}
