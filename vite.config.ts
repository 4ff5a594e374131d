import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import type { CompileOptions } from 'svelte/compiler';
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
 * ready to chat with one command; SYNAP_URL points the dev server at a real Synap (or at a
 * comma-separated list of them) instead. SYNAP_SERVERS=N (1-16, default 1) starts N
 * independent stand-ins, on 15500 and the ports after it (a free port for any taken one),
 * and the app's default server list is their URLs, comma-separated. They start with the dev
 * server itself (not when tools such as svelte-check merely load this config), and the
 * address or list reaches the page in a meta tag.
 */
function embeddedStandin(): Plugin {
  let url: string | null = null;
  return {
    name: 'synap-embedded-standin',
    apply: 'serve',
    async configureServer(server) {
      if (process.env.SYNAP_URL || process.env.VITEST) return;
      const { parseServerCount, startSynapStandins } = await import('./test/standin/multi.ts');
      const count = parseServerCount(process.env.SYNAP_SERVERS, 'SYNAP_SERVERS');
      const options = { host: '127.0.0.1', testControls: true, port: STANDIN_PREFERRED_PORT };
      const group = await startSynapStandins(count, options, { fallbackToFreePort: true });
      url = group.list;
      server.config.logger.info(`  Synap stand-in${count > 1 ? 's' : ''}: ${url}`);
      server.httpServer?.once('close', () => void group.close());
    },
    transformIndexHtml() {
      return url
        ? [{ tag: 'meta', attrs: { name: 'synap-default-url', content: url }, injectTo: 'head' }]
        : [];
    },
  };
}

/**
 * The built page's Content-Security-Policy, as a <meta> tag (a file opened from disk, or a
 * static host we do not configure, has no response headers to carry one). Scripts and styles
 * are allowed only by the sha256 of the inline <script> and <style> that vite-plugin-singlefile
 * leaves in index.html: no 'unsafe-inline', no 'unsafe-eval', nothing loaded from anywhere.
 *
 * - `connect-src http: https: ws: wss:`: the honest minimum. The app talks to whatever Synap
 *   server the user types in (REST over http(s), the stream WebSocket over ws(s)), so no list
 *   of hosts can be known when the page is built.
 * - `style-src` has no 'unsafe-inline': the app's and virtua's inline styles are all set
 *   through the CSSOM (Svelte's `style:` directives and `style={…}` write `element.style`),
 *   which CSP does not govern; only style attributes and <style> elements in markup need it.
 * - `img-src data: 'self'`: the favicon is an inline SVG; the install icons the manifest names
 *   sit beside index.html, and Chromium loads them under the page's img-src. The app shows no
 *   image of anyone else's (message text is only ever text).
 * - `manifest-src 'self'` and `worker-src 'self'`: the web app manifest and the service worker
 *   that keeps the app shell for offline use (public/manifest.webmanifest, public/sw.js), both
 *   beside index.html; nothing else may be a manifest or a worker.
 * - Trusted Types: only Svelte's own policy (`svelte-trusted-html`, which it uses to build its
 *   templates) may feed HTML sinks, so any other innerHTML & co. throws in the page as well as
 *   being refused by the linter; and `synap-chat-sw` (src/lib/device/app-shell.ts), which vouches for
 *   the one script URL the page needs, its service worker's, and refuses any other.
 * - `frame-ancestors` (who may frame the page) is ignored in a <meta> policy by design; it needs
 *   an HTTP header from the host (`Content-Security-Policy: frame-ancestors 'none'`).
 *
 * Only the build gets it: the dev server injects its own scripts (Vite's client, HMR).
 */
export function contentSecurityPolicy(html: string): string {
  const hashes = (tag: 'script' | 'style') => {
    const found: string[] = [];
    for (const match of html.matchAll(
      new RegExp(`<${tag}\\b([^>]*)>([\\s\\S]*?)</${tag}>`, 'gi'),
    )) {
      const [, attributes = '', body = ''] = match;
      if (/\bsrc\s*=/i.test(attributes)) {
        throw new Error(`index.html loads a ${tag} from a file; the CSP allows inline ones only`);
      }
      found.push(`'sha256-${createHash('sha256').update(body, 'utf8').digest('base64')}'`);
    }
    return found;
  };
  const scripts = hashes('script');
  const styles = hashes('style');
  if (scripts.length === 0) throw new Error('index.html has no inline script to allow');
  return [
    "default-src 'none'",
    `script-src ${scripts.join(' ')}`,
    `style-src ${styles.length ? styles.join(' ') : "'none'"}`,
    "img-src data: 'self'",
    "manifest-src 'self'",
    "worker-src 'self'",
    'connect-src http: https: ws: wss:',
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "require-trusted-types-for 'script'",
    'trusted-types svelte-trusted-html synap-chat-sw',
  ].join('; ');
}

/** Puts the policy in index.html once vite-plugin-singlefile has inlined everything into it. */
function contentSecurityPolicyMeta(): Plugin {
  return {
    name: 'synap-content-security-policy',
    apply: 'build',
    enforce: 'post',
    generateBundle: {
      // After vite-plugin-singlefile's own 'post' generateBundle, which comes before this
      // plugin in the list.
      order: 'post',
      handler(_options, bundle) {
        for (const file of Object.values(bundle)) {
          if (file.type !== 'asset' || !file.fileName.endsWith('.html')) continue;
          const html = String(file.source);
          const meta = `<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy(html)}" />`;
          // Before anything the policy governs (the favicon, the script, the style).
          const charset = /<meta charset="[^"]*"\s*\/?>/i.exec(html);
          if (!charset)
            throw new Error(`${file.fileName} has no <meta charset> to put the CSP after`);
          const at = charset.index + charset[0].length;
          file.source = `${html.slice(0, at)}\n    ${meta}${html.slice(at)}`;
        }
      },
    },
  };
}

/**
 * Scoped-style class names for the build: `s-` and a few characters of the file name's hash
 * instead of `svelte-` and six or seven, in every scoped rule and every element's class (a
 * few hundred of them). A name that two files would share grows a character until it is
 * unique, so scoping stays exact. Dev and tests keep Svelte's own names.
 */
function shortCssHash(): NonNullable<CompileOptions['cssHash']> {
  const byFile = new Map<string, string>();
  const taken = new Set<string>();
  return ({ filename, css, hash }) => {
    const key = filename || css;
    let name = byFile.get(key);
    if (name === undefined) {
      const full = hash(key);
      let length = 3;
      while (taken.has(`s-${full.slice(0, length)}`) && length < full.length) length += 1;
      name = `s-${full.slice(0, length)}`;
      if (taken.has(name)) throw new Error(`no unique scoped-style class for ${key}`);
      byFile.set(key, name);
      taken.add(name);
    }
    return name;
  };
}

export default defineConfig(({ command }) => ({
  base: './',
  define: {
    __SYNAP_DEFAULT_URL__: JSON.stringify(process.env.SYNAP_URL ?? SYNAP_DEFAULT_URL),
  },
  plugins: [
    svelte(
      command === 'build'
        ? // Nothing in the page reads Svelte's version off `window.__svelte`.
          { compilerOptions: { cssHash: shortCssHash(), discloseVersion: false } }
        : {},
    ),
    embeddedStandin(),
    // One self-contained index.html: module scripts from separate files do not load over file://.
    command === 'build' ? viteSingleFile() : null,
    command === 'build' ? contentSecurityPolicyMeta() : null,
  ],
  build: {
    target: 'es2022',
    // Everything is inlined in one file: there is no module to preload, so no polyfill for it.
    modulePreload: { polyfill: false },
  },
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
