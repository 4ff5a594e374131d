import { mount } from 'svelte';
import App from './App.svelte';
import { browserNetworkMonitor } from './lib/network-monitor';
import { SafeStorage } from './lib/safe-storage';
import { ChatApp } from './state/chat.svelte';

const target = document.getElementById('app');
if (!target) throw new Error('index.html lacks #app');

/** `npm run dev` names its embedded stand-in here; a built copy uses the build-time default. */
const embeddedServer = document.querySelector<HTMLMetaElement>('meta[name="synap-default-url"]');

const app = new ChatApp({
  storage: new SafeStorage(),
  defaultServerUrl: embeddedServer?.content || __SYNAP_DEFAULT_URL__,
  network: browserNetworkMonitor(),
});

export default mount(App, { target, props: { app } });
