// The app as people host it: one `vite build` into a private directory (so a bench never
// overwrites the dist/ that `vite preview` or the e2e suite may be serving), then a tiny
// static server for its single index.html.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** Vite's CLI run by this Node directly (not through npx): one process, stopped by its id. */
const VITE_BIN = path.join(ROOT, 'node_modules/vite/bin/vite.js');

export interface AppBuild {
  html: Buffer;
  /** Removes the build directory. */
  remove(): void;
}

export async function buildApp(timeoutMs = 120_000): Promise<AppBuild> {
  const outDir = mkdtempSync(path.join(tmpdir(), 'synap-bench-build-'));
  const remove = () => rmSync(outDir, { recursive: true, force: true });
  try {
    await new Promise<void>((resolve, reject) => {
      const args = [VITE_BIN, 'build', '--outDir', outDir, '--emptyOutDir'];
      const child = spawn(process.execPath, args, {
        cwd: ROOT,
        stdio: ['ignore', 'ignore', 'pipe'],
      });
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
    return { html: readFileSync(path.join(outDir, 'index.html')), remove };
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
