// The end-to-end run's port picker (test/e2e/ports.ts): a taken port is replaced, not fatal.
import { createServer, type Server } from 'node:net';
import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { BASE_PORTS, PORT_VARIABLES, pickPorts, portHolder, resolveE2EPorts } from '../e2e/ports';

const held: Server[] = [];
afterEach(async () => {
  await Promise.all(
    held.splice(0).map((server) => new Promise((resolve) => server.close(resolve))),
  );
});

/** Listens on `port` (0: any free one) on 127.0.0.1 until the test ends; resolves the port. */
function hold(port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ port, host: '127.0.0.1' }, () => {
      held.push(server);
      resolve((server.address() as { port: number }).port);
    });
  });
}

/** A port free right now (bound and released). */
async function freePort(): Promise<number> {
  const port = await hold();
  await new Promise((resolve) => held.pop()!.close(resolve));
  return port;
}

const hasSs = spawnSync('ss', ['-V']).status === 0;

describe('pickPorts', () => {
  it('keeps a wanted port that is free', async () => {
    const port = await freePort();
    expect(pickPorts([port])).toEqual([{ wanted: port, port, taken: false }]);
  });

  it('replaces a taken port with a free one, distinct from the others chosen', async () => {
    const taken = await hold();
    const free = await freePort();
    const [first, second] = pickPorts([taken, free]);
    expect(first).toMatchObject({ wanted: taken, taken: true });
    expect(first!.port).not.toBe(taken);
    expect(first!.port).not.toBe(free);
    expect(second).toEqual({ wanted: free, port: free, taken: false });
    // The replacement can be bound (it was released).
    await expect(hold(first!.port)).resolves.toBe(first!.port);
  });
});

describe('portHolder', () => {
  it.skipIf(!hasSs)('names the process listening on a port', async () => {
    const port = await hold();
    expect(portHolder(port)).toMatch(new RegExp(`^pid ${process.pid}\\b`));
  });

  it('says nothing for a port nobody holds', async () => {
    expect(portHolder(await freePort())).toBeNull();
  });
});

describe('resolveE2EPorts', () => {
  it('uses the ports the main process chose, as the workers find them in the environment', () => {
    const env = { E2E_SYNAP_PORT: '20001', E2E_SYNAP_BROKEN_PORT: '20002', E2E_APP_PORT: '20003' };
    expect(resolveE2EPorts(env)).toEqual({ synap: 20_001, broken: 20_002, app: 20_003 });
  });

  it('chooses the offset ports, says which one is taken and by whom, and writes the choice', async () => {
    // An offset whose ports are free but for the stand-in's, held like a leftover stand-in.
    let offset = 0;
    for (let candidate = 20_000; candidate < 40_000 && offset === 0; candidate += 97) {
      const choices = pickPorts(Object.values(BASE_PORTS).map((port) => port + candidate));
      if (choices.every((choice) => !choice.taken)) offset = candidate;
    }
    expect(offset).toBeGreaterThan(0);
    await hold(BASE_PORTS.synap + offset);
    const env: Record<string, string | undefined> = { E2E_PORT_OFFSET: String(offset) };
    const said: string[] = [];
    const ports = resolveE2EPorts(env, (line) => said.push(line));

    expect(ports.synap).not.toBe(BASE_PORTS.synap + offset);
    expect(ports.broken).toBe(BASE_PORTS.broken + offset);
    expect(ports.app).toBe(BASE_PORTS.app + offset);
    expect(said).toHaveLength(1);
    expect(said[0]).toContain(`port ${BASE_PORTS.synap + offset} (synap) is taken`);
    expect(said[0]).toContain(`using ${ports.synap} instead`);
    if (hasSs) expect(said[0]).toContain(`by pid ${process.pid}`);
    expect(env[PORT_VARIABLES.synap]).toBe(String(ports.synap));
    expect(env[PORT_VARIABLES.broken]).toBe(String(ports.broken));
    expect(env[PORT_VARIABLES.app]).toBe(String(ports.app));
    // Evaluated again (a worker): the same ports, nothing picked or said.
    expect(resolveE2EPorts(env, (line) => said.push(line))).toEqual(ports);
    expect(said).toHaveLength(1);
  });
});
