import { createRequire } from 'node:module';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { svelteTesting } from '@testing-library/svelte/vite';
import { defineConfig, type Plugin } from 'vite';
import { viteSingleFile } from 'vite-plugin-singlefile';

/** Synap's own default address: what a built copy talks to unless the user picks another. */
const SYNAP_DEFAULT_URL = 'http://localhost:15500';
/**
 * Component and state tests resolve packages for the browser (Svelte's client runtime), where
 * `ws` is a stub; the tests that run the stand-in in-process need its Node build.
 */
const WS_NODE_ENTRY = createRequire(import.meta.url).resolve('ws');
const STANDIN_PREFERRED_PORT = 15500;

/**
 * Under `npm run dev` the app comes with the local Synap stand-in, so a fresh clone is
 * ready to chat with one command; SYNAP_URL points the dev server at a real Synap instead.
 * The stand-in starts with the dev server itself (not when tools such as svelte-check
 * merely load this config), and its address reaches the page in a meta tag.
 */
function embeddedStandin(): Plugin {
  let url: string | null = null;
  return {
    name: 'synap-embedded-standin',
    apply: 'serve',
    async configureServer(server) {
      if (process.env.SYNAP_URL || process.env.VITEST) return;
      const { startSynapStandin } = await import('./test/standin/server.ts');
      const options = { host: '127.0.0.1', testControls: true };
      const standin = await startSynapStandin({ ...options, port: STANDIN_PREFERRED_PORT }).catch(
        () => startSynapStandin({ ...options, port: 0 }),
      );
      url = standin.url;
      server.config.logger.info(`  Synap stand-in: ${url}`);
      server.httpServer?.once('close', () => void standin.close());
    },
    transformIndexHtml() {
      return url
        ? [{ tag: 'meta', attrs: { name: 'synap-default-url', content: url }, injectTo: 'head' }]
        : [];
    },
  };
}

export default defineConfig(({ command }) => ({
  base: './',
  define: {
    __SYNAP_DEFAULT_URL__: JSON.stringify(process.env.SYNAP_URL ?? SYNAP_DEFAULT_URL),
  },
  plugins: [
    svelte(),
    embeddedStandin(),
    // One self-contained index.html: module scripts from separate files do not load over file://.
    command === 'build' ? viteSingleFile() : null,
  ],
  build: { target: 'es2022' },
  test: {
    expect: { requireAssertions: true },
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'], environment: 'node' },
      },
      {
        extends: true,
        test: {
          name: 'contract',
          include: ['test/contract/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        extends: true,
        plugins: [svelteTesting()],
        resolve: { alias: [{ find: /^ws$/, replacement: WS_NODE_ENTRY }] },
        test: {
          name: 'component',
          include: ['test/component/**/*.test.ts', 'test/state/**/*.test.ts'],
          environment: 'jsdom',
          setupFiles: ['test/component/setup.ts'],
        },
      },
    ],
  },
}));
