// The end-to-end servers' ports. Each run prefers fixed ports (moved by E2E_PORT_OFFSET, so
// runs side by side each have their own), and takes a free port instead of one that is
// taken, saying which process holds it: a stand-in left over from an interrupted run, say,
// no longer fails the whole run.
//
// playwright.config.ts is evaluated in the main process and again in every worker, and the
// servers must be the same for all: the main process chooses once and writes the choice to
// the environment (E2E_SYNAP_PORT, E2E_SYNAP_BROKEN_PORT, E2E_APP_PORT), which the workers and
// the web servers inherit; a process that finds them set uses them as they are.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** The servers of a run: the two shared stand-ins and the built app. */
export interface E2EPorts {
  synap: number;
  broken: number;
  app: number;
}

/** Where the choice travels from the main process to the workers (and can be forced). */
export const PORT_VARIABLES: Readonly<Record<keyof E2EPorts, string>> = {
  synap: 'E2E_SYNAP_PORT',
  broken: 'E2E_SYNAP_BROKEN_PORT',
  app: 'E2E_APP_PORT',
};

/** The fixed ports, before E2E_PORT_OFFSET: clear of `npm run dev` (15500, 5173). */
export const BASE_PORTS: Readonly<E2EPorts> = { synap: 15_561, broken: 15_562, app: 4_179 };

export interface PortChoice {
  wanted: number;
  port: number;
  /** The wanted port could not be bound (another process holds it). */
  taken: boolean;
}

/** The child process's script: [host, wanted ports] in, the choices out as JSON. */
const PICKER = `
const net = require('node:net');
const [host, wanted] = JSON.parse(process.argv[1]);
const held = [];
const bind = (port) => new Promise((resolve) => {
  const server = net.createServer();
  server.once('error', () => resolve(null));
  server.listen({ port, host, exclusive: true }, () => {
    held.push(server);
    resolve(server.address().port);
  });
});
(async () => {
  const choices = [];
  for (const port of wanted) {
    const bound = await bind(port);
    choices.push(bound === null
      ? { wanted: port, port: await bind(0), taken: true }
      : { wanted: port, port: bound, taken: false });
  }
  for (const server of held) server.close();
  process.stdout.write(JSON.stringify(choices));
})();
`;

/**
 * Binds each wanted port in a child process (synchronously: a Playwright config cannot wait),
 * and a free one instead of each that cannot be bound; all stay bound until every choice is
 * made, so the ports chosen are distinct. They are released before this returns.
 */
export function pickPorts(wanted: readonly number[], host = '127.0.0.1'): PortChoice[] {
  const run = spawnSync(process.execPath, ['-e', PICKER, JSON.stringify([host, wanted])], {
    encoding: 'utf8',
    timeout: 20_000,
  });
  if (run.status !== 0) {
    throw new Error(`Could not check the end-to-end ports: ${run.stderr || run.error?.message}`);
  }
  const choices = JSON.parse(run.stdout) as PortChoice[];
  if (choices.some((choice) => !Number.isInteger(choice.port) || choice.port <= 0)) {
    throw new Error(`No free port for the end-to-end servers: ${run.stdout}`);
  }
  return choices;
}

/** Which process listens on `port`, as far as this machine tells (Linux `ss`); null if unknown. */
export function portHolder(port: number): string | null {
  const run = spawnSync('ss', ['-ltnpH', `sport = :${port}`], { encoding: 'utf8' });
  const pid = run.status === 0 ? /pid=(\d+)/.exec(run.stdout)?.[1] : undefined;
  if (!pid) return null;
  let command = '';
  try {
    command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    // Not ours to read, or gone already: the pid alone still helps.
  }
  return command ? `pid ${pid}: ${command.slice(0, 160)}` : `pid ${pid}`;
}

function portFrom(value: string | undefined): number | null {
  const port = Number(value);
  return Number.isInteger(port) && port > 0 && port < 65_536 ? port : null;
}

/**
 * The run's ports: those in `env` when the main process chose them already; otherwise the
 * fixed ports moved by E2E_PORT_OFFSET, or free ones instead of those taken (`say` tells
 * which and by whom). The choice is written to `env` for the processes started from here.
 */
export function resolveE2EPorts(
  env: Record<string, string | undefined>,
  say: (line: string) => void = (line) => console.warn(line),
): E2EPorts {
  const names = Object.keys(PORT_VARIABLES) as (keyof E2EPorts)[];
  const given = names.map((name) => portFrom(env[PORT_VARIABLES[name]]));
  if (given.every((port) => port !== null)) {
    return Object.fromEntries(names.map((name, i) => [name, given[i]])) as unknown as E2EPorts;
  }
  const offset = Number(env.E2E_PORT_OFFSET ?? 0) || 0;
  const choices = pickPorts(names.map((name) => BASE_PORTS[name] + offset));
  const ports = {} as E2EPorts;
  names.forEach((name, i) => {
    const choice = choices[i]!;
    ports[name] = choice.port;
    env[PORT_VARIABLES[name]] = String(choice.port);
    if (choice.taken) {
      const holder = portHolder(choice.wanted);
      say(
        `e2e: port ${choice.wanted} (${name}) is taken${holder ? ` by ${holder}` : ''}; ` +
          `using ${choice.port} instead.`,
      );
    }
  });
  return ports;
}
