// The app as people host it: one `vite build` into a private directory (so a bench never
// overwrites the dist/ that `vite preview` or the e2e suite may be serving), then a tiny
// static server for its single index.html.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** Vite's CLI run by this Node directly (not through npx): one process, stopped by its id. */
const VITE_BIN = path.join(ROOT, 'node_modules/vite/bin/vite.js');

export interface AppBuild {
  html: Buffer;
  /** The build's source map (emitted hidden: the served file is the same without it). */
  sourceMap: string | null;
  /** Removes the build directory. */
  remove(): void;
}

/** `vite build` with Vite's CLI in `cwd`, into `outDir`; rejects with its stderr. */
export function viteBuild(
  cwd: string,
  outDir: string,
  extraArgs: readonly string[] = [],
  timeoutMs = 120_000,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const args = [VITE_BIN, 'build', '--outDir', outDir, '--emptyOutDir', ...extraArgs];
    const child = spawn(process.execPath, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`vite build failed (${signal ?? `exit ${code}`}): ${stderr.trim()}`));
    });
  });
}

export async function buildApp(timeoutMs = 120_000): Promise<AppBuild> {
  const outDir = mkdtempSync(path.join(tmpdir(), 'synap-bench-build-'));
  const remove = () => rmSync(outDir, { recursive: true, force: true });
  try {
    // A hidden source map changes nothing in index.html; the profiler (--profile) reads it.
    await viteBuild(ROOT, outDir, ['--sourcemap', 'hidden'], timeoutMs);
    const mapFile = readdirSync(outDir).find((name) => name.endsWith('.js.map'));
    return {
      html: readFileSync(path.join(outDir, 'index.html')),
      sourceMap: mapFile ? readFileSync(path.join(outDir, mapFile), 'utf8') : null,
      remove,
    };
  } catch (error) {
    remove();
    throw error;
  }
}

export interface StaticApp {
  url: string;
  close(): Promise<void>;
}

/** Serves `html` at `/` (and any path: the app routes by hash) on a free loopback port. */
export async function serveApp(html: Buffer): Promise<StaticApp> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405).end();
      return;
    }
    if ((req.url ?? '/').startsWith('/favicon')) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'content-length': html.length,
      'cache-control': 'no-store',
    });
    res.end(req.method === 'HEAD' ? undefined : html);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
