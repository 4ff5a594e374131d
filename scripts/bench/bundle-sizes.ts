// Bundle sizes: the app's JS + CSS gzipped, beside the same Vite build of an empty Svelte 5
// app (the floor) and of the peers' client code alone (centrifuge-js; ably + @ably/chat).
//
// Each reference is a generated project in a temporary directory (its node_modules a link to
// the repository's), built by the repository's Vite with the app's build settings: the Svelte
// plugin, vite-plugin-singlefile, target es2022, base './'. Its entry imports the client and
// uses it (connect, subscribe, publish, presence, history or typing, as a chat would), so
// tree-shaking keeps what a chat needs. Sizes are what index.html inlines: its <script> and
// <style> contents, each kind gzipped (zlib's default level, as the app-size figure).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { ROOT, viteBuild } from './app-build';
import type { Figures } from './report';

export interface BundleSize {
  name: string;
  /** gzip bytes of the inlined JavaScript and CSS. */
  js: number;
  css: number;
  total: number;
  /** Bytes before gzip. */
  rawJs: number;
  rawCss: number;
}

export function bundleSize(name: string, html: string): BundleSize {
  const contents = (tag: string) =>
    [...html.matchAll(new RegExp(`<${tag}\\b[^>]*>([\\s\\S]*?)</${tag}>`, 'g'))]
      .map((match) => match[1] ?? '')
      .join('\n');
  const js = contents('script');
  const css = contents('style');
  const gz = (text: string) => (text ? gzipSync(Buffer.from(text)).length : 0);
  const size = { js: gz(js), css: gz(css) };
  return {
    name,
    ...size,
    total: size.js + size.css,
    rawJs: Buffer.byteLength(js),
    rawCss: Buffer.byteLength(css),
  };
}

const INDEX_HTML = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="UTF-8" />
    <title>bench</title>
  </head>
  <body>
    <div id="app"></div>
    <script type="module" src="./main.js"></script>
  </body>
</html>
`;

const VITE_CONFIG = `import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';
import { viteSingleFile } from 'vite-plugin-singlefile';

export default defineConfig({
  base: './',
  plugins: [svelte(), viteSingleFile()],
  build: { target: 'es2022' },
  logLevel: 'warn',
});
`;

const SVELTE_CONFIG = `export default { compilerOptions: { runes: true } };\n`;

/** The projects built beside the app: entry files by name. */
const REFERENCES: Record<string, Record<string, string>> = {
  // create-vite's Svelte template, reduced to its counter: mount, one component, one $state.
  floor: {
    'main.js': `import { mount } from 'svelte';
import App from './App.svelte';

mount(App, { target: document.getElementById('app') });
`,
    'App.svelte': `<script>
  let count = $state(0);
</script>

<button onclick={() => (count += 1)}>count is {count}</button>
`,
  },
  centrifuge: {
    'main.js': `import { Centrifuge } from 'centrifuge';

const client = new Centrifuge('ws://localhost:8000/connection/websocket');
const room = client.newSubscription('chat:general');
room.on('publication', (ctx) => document.body.append(String(ctx.data.text)));
room.on('join', (ctx) => console.log('joined', ctx.info.user));
room.on('leave', (ctx) => console.log('left', ctx.info.user));
room.subscribe();
client.connect();
await room.publish({ text: 'hello' });
console.log(await room.presence(), await room.history({ limit: 50 }));
`,
  },
  ably: {
    'main.js': `import * as Ably from 'ably';
import { ChatClient } from '@ably/chat';

const realtime = new Ably.Realtime({ key: 'app.key:secret', clientId: 'bench' });
const chat = new ChatClient(realtime);
const room = await chat.rooms.get('general');
room.messages.subscribe((event) => document.body.append(event.message.text));
room.typing.subscribe((event) => console.log([...event.currentlyTyping]));
room.presence.subscribe((event) => console.log(event.member.clientId));
await room.attach();
await room.presence.enter();
await room.typing.keystroke();
await room.messages.send({ text: 'hello' });
console.log(await room.messages.history({ limit: 50 }));
`,
  },
};

async function buildReference(name: string, files: Record<string, string>): Promise<BundleSize> {
  const dir = mkdtempSync(path.join(tmpdir(), `synap-bench-${name}-`));
  try {
    symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
    writeFileSync(path.join(dir, 'index.html'), INDEX_HTML);
    writeFileSync(path.join(dir, 'vite.config.mjs'), VITE_CONFIG);
    writeFileSync(path.join(dir, 'svelte.config.js'), SVELTE_CONFIG);
    for (const [file, text] of Object.entries(files)) writeFileSync(path.join(dir, file), text);
    const outDir = path.join(dir, 'dist');
    mkdirSync(outDir);
    await viteBuild(dir, outDir);
    return bundleSize(name, readFileSync(path.join(outDir, 'index.html'), 'utf8'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const KIB = 1024;

/** Builds the references (side by side, and beside the app's build) and records the rows. */
export async function bundleFigures(appHtml: Promise<Buffer>, figures: Figures): Promise<void> {
  const [html, ...built] = await Promise.all([
    appHtml,
    ...Object.entries(REFERENCES).map(([name, files]) => buildReference(name, files)),
  ]);
  const app = bundleSize('app', html.toString('utf8'));
  const references = Object.fromEntries(built.map((size) => [size.name, size]));
  const { floor, centrifuge, ably } = references;
  if (!floor || !centrifuge || !ably) throw new Error('a reference build is missing');
  figures.detail('bundles', { app, ...references });
  const target = (floor.total + centrifuge.total) / KIB;
  const note =
    'JS + CSS inlined in index.html, each gzipped; every build by the same Vite, Svelte plugin ' +
    'and settings, in this run (scripts/bench/bundle-sizes.ts).';
  figures.record({
    figure: `bundle: the app, JS + CSS gzip (target: floor + centrifuge-js = ${(floor.total / KIB).toFixed(1)} + ${(centrifuge.total / KIB).toFixed(1)} KiB)`,
    value: app.total / KIB,
    unit: 'KiB',
    target: Math.round(target * 10) / 10,
    kind: 'max',
    note,
  });
  for (const [size, label] of [
    [floor, 'an empty Svelte 5 app (mount + a counter component): the floor'],
    [centrifuge, 'centrifuge-js client alone'],
    [ably, 'ably + @ably/chat client alone'],
  ] as const) {
    figures.record({
      figure: `bundle: ${label}, JS + CSS gzip`,
      value: size.total / KIB,
      unit: 'KiB',
      target: null,
      kind: 'max',
      note,
    });
  }
}
