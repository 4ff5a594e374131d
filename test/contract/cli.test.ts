/**
 * `npm run synap`: the stand-in as a child process (how browser tests use it). The CLI is
 * the stand-in's own, so these run whatever SYNAP_URL says.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { parseServerCount, startSynapStandins } from '../standin/multi';
import { TEST_TIMEOUT_MS, WAIT_MS } from './harness';

const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const LISTENING = /Synap stand-in listening on (http:\/\/\S+)/;
const SERVERS_LINE = /^Servers: (.+)$/m;

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

/** The URLs of the `Servers: …` line, once it is printed (it comes after every server is up). */
async function serverList(run: CliRun): Promise<string[]> {
  const deadline = performance.now() + WAIT_MS;
  for (;;) {
    const list = SERVERS_LINE.exec(run.stdout())?.[1];
    if (list) return list.split(', ');
    if (run.child.exitCode !== null || performance.now() > deadline) {
      throw new Error(`the CLI did not start its servers: ${run.stdout()} ${run.stderr()}`);
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

  it('--servers 3 runs three independent stand-ins, lists them, and stops them all on SIGTERM', async () => {
    const run = runCli(['--servers', '3', '--port', '0', '--api-key', 'multi-key']);
    const urls = await serverList(run);
    expect(urls).toHaveLength(3);
    expect(new Set(urls).size).toBe(3);
    for (const url of urls) expect(url).toMatch(/^http:\/\/127\.0\.0\.1:[1-9]\d*$/);
    const listening = [...run.stdout().matchAll(new RegExp(LISTENING, 'g'))].map((m) => m[1]);
    expect(listening).toEqual(urls);
    expect(run.stdout()).toMatch(/listening on \S+ \(auth required\)/);

    // Every flag applies to each: all want the key.
    const auth = { authorization: 'Bearer multi-key' };
    for (const url of urls) expect((await fetch(`${url}/stream/list`)).status).toBe(401);

    const [first = '', ...others] = urls;
    expect(
      (await fetch(`${first}/stream/multi-room`, { method: 'PUT', headers: auth })).status,
    ).toBe(200);
    const published = await fetch(`${first}/stream/multi-room/publish`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ event: 'message', data: 'only here' }),
    });
    expect(published.status).toBe(200);
    const list = async (url: string) =>
      (
        (await (await fetch(`${url}/stream/list`, { headers: auth })).json()) as {
          rooms: unknown[];
        }
      ).rooms;
    expect(await list(first)).toHaveLength(1);
    for (const url of others) {
      expect(await list(url)).toEqual([]);
      const stats = await fetch(`${url}/stream/multi-room/stats`, { headers: auth });
      expect(stats.status).toBe(400);
      expect(await stats.json()).toMatchObject({ error: expect.stringMatching(/not found/) });
    }

    run.child.kill('SIGTERM');
    expect(await run.exited).toEqual({ code: 0, signal: null });
    for (const url of urls) await expect(fetch(`${url}/stream/list`)).rejects.toThrow();
  });

  it('--servers 2 takes the given port and the next one; one server prints no list', async () => {
    // A free pair: ask for a free port, free it, and hope its neighbour is free too (retry if not).
    for (let attempt = 0; ; attempt += 1) {
      const probe = runCli(['--port', '0']);
      const port = Number(new URL(await listeningUrl(probe)).port);
      probe.child.kill('SIGTERM');
      await probe.exited;
      if (port >= 65_535) continue;
      const run = runCli([`--servers=2`, `--port=${port}`, '--websocket', 'broken']);
      const exited = run.exited.then(() => null);
      const urls = await Promise.race([serverList(run).catch(() => null), exited]);
      if (urls === null) {
        // The neighbouring port was taken: the CLI says so, closes what it opened, exits 1.
        expect((await run.exited).code).toBe(1);
        expect(run.stderr()).toMatch(/cannot start: server 2 of 2: .*EADDRINUSE/);
        if (attempt < 5) continue;
        throw new Error('no two free neighbouring ports found');
      }
      expect(urls).toEqual([`http://127.0.0.1:${port}`, `http://127.0.0.1:${port + 1}`]);
      expect(run.stdout().match(/WebSocket broken/g)).toHaveLength(2);
      for (const url of urls) expect((await fetch(`${url}/stream/r/ws/reader`)).status).toBe(500);
      run.child.kill('SIGINT');
      expect((await run.exited).code).toBe(0);
      break;
    }

    const single = runCli(['--port', '0', '--servers', '1']);
    await listeningUrl(single);
    single.child.kill('SIGTERM');
    expect((await single.exited).code).toBe(0);
    expect(single.stdout()).not.toMatch(SERVERS_LINE);
    expect(single.stdout().match(new RegExp(LISTENING, 'g'))).toHaveLength(1);
  });

  it('--servers: a taken port is an error naming the server, as for one server', async () => {
    const holder = runCli(['--port', '0']);
    const taken = Number(new URL(await listeningUrl(holder)).port);
    const run = runCli(['--servers', '2', '--port', String(taken - 1)]);
    expect((await run.exited).code).toBe(1);
    expect(run.stderr()).toMatch(/cannot start: server [12] of 2: .*EADDRINUSE/);
    expect(run.stdout()).not.toMatch(LISTENING);
    holder.child.kill('SIGTERM');
    expect((await holder.exited).code).toBe(0);
  });

  it('--help prints the options and exits 0', async () => {
    const run = runCli(['--help']);
    expect((await run.exited).code).toBe(0);
    expect(run.stdout()).toContain('--port N');
    expect(run.stdout()).toContain('--test-controls');
    expect(run.stdout()).toContain('--websocket MODE');
    expect(run.stdout()).toContain('--servers N');
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
      [['--servers', '0'], /--servers must be between 1 and 16/],
      [['--servers', '17'], /--servers must be between 1 and 16/],
      [['--servers', 'x'], /--servers needs a whole number, got x/],
      [['--servers'], /--servers needs a whole number, got nothing/],
      [
        ['--servers=3', '--port=65534'],
        /--servers 3 from --port 65534 would need ports past 65535/,
      ],
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

describe(
  'startSynapStandins (what SYNAP_SERVERS=N npm run dev uses)',
  { timeout: TEST_TIMEOUT_MS },
  () => {
    it('replaces a taken port by a free one, and lists the URLs comma-separated', async () => {
      const holder = await startSynapStandins(1, { port: 0 });
      const taken = holder.standins[0]?.port ?? 0;
      const group = await startSynapStandins(2, { port: taken }, { fallbackToFreePort: true });
      try {
        const [first, second] = group.standins;
        expect(first?.port).not.toBe(taken);
        expect(first?.port).not.toBe(second?.port);
        expect(group.list).toBe(`${first?.url}, ${second?.url}`);
        first?.wipe(); // each has its own controls
        expect((await fetch(`${second?.url}/stream/list`)).status).toBe(200);
      } finally {
        await group.close();
        await holder.close();
      }
    });

    it('reads SYNAP_SERVERS: unset or empty is one, else 1-16', () => {
      expect(parseServerCount(undefined, 'SYNAP_SERVERS')).toBe(1);
      expect(parseServerCount('', 'SYNAP_SERVERS')).toBe(1);
      expect(parseServerCount(' 3 ', 'SYNAP_SERVERS')).toBe(3);
      for (const bad of ['0', '17', 'x', '2.5', '-1']) {
        expect(() => parseServerCount(bad, 'SYNAP_SERVERS')).toThrow(
          `SYNAP_SERVERS must be a whole number from 1 to 16, got "${bad}"`,
        );
      }
    });
  },
);
