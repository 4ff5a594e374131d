/**
 * `npm run synap`: the stand-in as a child process (how browser tests use it). The CLI is
 * the stand-in's own, so these run whatever SYNAP_URL says.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { TEST_TIMEOUT_MS, WAIT_MS } from './harness';

const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const LISTENING = /Synap stand-in listening on (http:\/\/\S+)/;

interface CliRun {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const running = new Set<ChildProcess>();

/** Runs the CLI module directly under node (no npm/tsx wrapper between us and its signals). */
function runCli(args: string[]): CliRun {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/standin/cli.ts', ...args], {
    cwd: PROJECT_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    }),
  );
  return { child, stdout: () => out, stderr: () => err, exited };
}

async function listeningUrl(run: CliRun): Promise<string> {
  const deadline = performance.now() + WAIT_MS;
  for (;;) {
    const url = LISTENING.exec(run.stdout())?.[1];
    if (url) return url;
    if (run.child.exitCode !== null || performance.now() > deadline) {
      throw new Error(`the CLI did not start: ${run.stdout()} ${run.stderr()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('the stand-in CLI', { timeout: TEST_TIMEOUT_MS }, () => {
  afterEach(() => {
    for (const child of running) child.kill('SIGKILL');
  });

  it('prints the URL it listens on (port 0 = a free port), serves, and stops on SIGTERM', async () => {
    const run = runCli(['--port', '0']);
    const url = await listeningUrl(run);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(url).not.toMatch(/:0$/);

    const res = await fetch(`${url}/stream/list`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ rooms: [], count: 0 });

    run.child.kill('SIGTERM');
    expect(await run.exited).toEqual({ code: 0, signal: null });
  });

  it('stops cleanly on SIGINT too', async () => {
    const run = runCli(['--port=0', '--host', '127.0.0.1']);
    await listeningUrl(run);
    run.child.kill('SIGINT');
    expect(await run.exited).toEqual({ code: 0, signal: null });
  });

  it('applies its flags: keys, buffer size, test controls', async () => {
    const run = runCli([
      '--port',
      '0',
      '--api-key',
      'cli-full',
      '--read-only-key',
      'cli-read',
      '--max-buffer',
      '2',
      '--test-controls',
    ]);
    const url = await listeningUrl(run);
    const full = { authorization: 'Bearer cli-full' };

    expect((await fetch(`${url}/stream/list`)).status).toBe(401);
    expect((await fetch(`${url}/stream/cli-room`, { method: 'PUT', headers: full })).status).toBe(
      200,
    );
    const readOnlyPut = await fetch(`${url}/stream/cli-room`, {
      method: 'PUT',
      headers: { authorization: 'Bearer cli-read' },
    });
    expect(readOnlyPut.status).toBe(403);
    for (let i = 0; i < 3; i += 1) {
      await fetch(`${url}/stream/cli-room/publish`, {
        method: 'POST',
        headers: { ...full, 'content-type': 'application/json' },
        body: JSON.stringify({ event: 'message', data: i }),
      });
    }
    const stats = (await (await fetch(`${url}/stream/cli-room/stats?api_key=cli-read`)).json()) as {
      message_count: number;
      min_offset: number;
    };
    expect(stats).toMatchObject({ message_count: 2, min_offset: 1 });
    expect((await fetch(`${url}/__standin/wipe`, { method: 'POST' })).status).toBe(200);

    run.child.kill('SIGTERM');
    expect((await run.exited).code).toBe(0);
  });

  it('--websocket broken answers every stream WebSocket request 500, and says so when it starts', async () => {
    const run = runCli(['--port', '0', '--websocket', 'broken', '--test-controls']);
    const url = await listeningUrl(run);
    expect(run.stdout()).toMatch(/WebSocket broken/);
    const ws = await fetch(`${url}/stream/cli-room/ws/reader`);
    expect(ws.status).toBe(500);
    expect(await ws.text()).toMatch(/^Missing request extension: .*ConnectInfo/);
    const switched = await fetch(`${url}/__standin/websocket?mode=working`, { method: 'POST' });
    expect(switched.status).toBe(200);
    expect((await fetch(`${url}/stream/cli-room/ws/reader`)).status).toBe(400);
    const counts = (await (await fetch(`${url}/__standin/requests`)).json()) as { other: number };
    expect(counts.other).toBe(2);

    run.child.kill('SIGTERM');
    expect((await run.exited).code).toBe(0);
  });

  it('--help prints the options and exits 0', async () => {
    const run = runCli(['--help']);
    expect((await run.exited).code).toBe(0);
    expect(run.stdout()).toContain('--port N');
    expect(run.stdout()).toContain('--test-controls');
    expect(run.stdout()).toContain('--websocket MODE');
  });

  it('exits 2 with a clear message for a bad flag or value', async () => {
    const cases: [string[], RegExp][] = [
      [['--bogus'], /unknown option: --bogus/],
      [['--port', 'abc'], /--port needs a whole number/],
      [['--port', '70000'], /--port must be between 0 and 65535/],
      [['--max-buffer'], /--max-buffer needs a whole number/],
      [['--api-key'], /--api-key needs a value/],
      [['--websocket', 'flaky'], /--websocket must be working or broken, got flaky/],
      [['--websocket'], /--websocket needs a value/],
    ];
    // Separate processes that exit at once: run them side by side.
    const runs = cases.map(([args]) => runCli(args));
    const exits = await Promise.all(runs.map((run) => run.exited));
    cases.forEach(([args, message], i) => {
      expect(exits[i]?.code, args.join(' ')).toBe(2);
      expect(runs[i]?.stderr()).toMatch(message);
      expect(runs[i]?.stdout()).not.toMatch(LISTENING);
    });
  });
});
