/**
 * `npm run synap [-- flags]`: run the Synap stand-in as a standalone server, for manual testing
 * and for browser tests that need it in a child process; `--servers N` runs N independent ones.
 */
import { MAX_SERVERS, startSynapStandins, type StandinGroup } from './multi.ts';
import { STANDIN_DEFAULTS, type StandinOptions } from './server.ts';

const EXIT_USAGE = 2;

const USAGE = `Usage: npm run synap -- [options]

Runs a local stand-in for a Synap server's stream API (REST + WebSocket).

Options:
  --port N                port to listen on; 0 picks a free one (default ${STANDIN_DEFAULTS.port})
  --servers N             run N independent stand-ins (1-${MAX_SERVERS}, default 1), each with its
                          own rooms, on --port and the N-1 ports after it (all free ones with
                          --port 0), every other option applying to each; prints their URLs
                          and a "Servers: …" line to paste into the app's Settings
  --host H                address to bind (default ${STANDIN_DEFAULTS.host})
  --max-buffer N          events kept per room (default ${STANDIN_DEFAULTS.maxBuffer})
  --max-unread-buffer N   cap while protecting unread events (default ${STANDIN_DEFAULTS.maxUnreadBuffer})
  --retention-secs N      time retention of events (default ${STANDIN_DEFAULTS.retentionSecs})
  --api-key KEY           require auth; KEY may do everything (repeatable)
  --read-only-key KEY     require auth; KEY may only read (repeatable)
  --websocket MODE        working (default), or broken: every stream WebSocket request is
                          answered 500, as by the shipped Synap 1.3.1 binary
  --test-controls         expose POST /__standin/{wipe,drop-sockets,stall,compact,websocket}
                          and GET /__standin/requests
  --help                  show this help
`;

class UsageError extends Error {}

function integerFlag(flag: string, value: string | undefined, min: number, max: number): number {
  if (value === undefined || !/^\d+$/.test(value)) {
    throw new UsageError(`${flag} needs a whole number, got ${value ?? 'nothing'}`);
  }
  const n = Number(value);
  if (n < min || n > max) throw new UsageError(`${flag} must be between ${min} and ${max}`);
  return n;
}

function stringFlag(flag: string, value: string | undefined): string {
  if (value === undefined || value === '' || value.startsWith('--')) {
    throw new UsageError(`${flag} needs a value`);
  }
  return value;
}

interface CliOptions extends StandinOptions {
  servers?: number;
}

/** Parses argv (after the script name); `--flag=value` and `--flag value` both work. */
function parseCliArgs(argv: readonly string[]): CliOptions | 'help' {
  const options: CliOptions = {};
  const args = [...argv];
  while (args.length > 0) {
    const arg = args.shift() ?? '';
    const eq = arg.indexOf('=');
    const flag = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    const takeValue = () => (flag !== arg ? arg.slice(eq + 1) : args.shift());
    switch (flag) {
      case '--help':
      case '-h':
        return 'help';
      case '--port':
        options.port = integerFlag(flag, takeValue(), 0, 65_535);
        break;
      case '--servers':
        options.servers = integerFlag(flag, takeValue(), 1, MAX_SERVERS);
        break;
      case '--host':
        options.host = stringFlag(flag, takeValue());
        break;
      case '--max-buffer':
        options.maxBuffer = integerFlag(flag, takeValue(), 1, Number.MAX_SAFE_INTEGER);
        break;
      case '--max-unread-buffer':
        options.maxUnreadBuffer = integerFlag(flag, takeValue(), 0, Number.MAX_SAFE_INTEGER);
        break;
      case '--retention-secs':
        options.retentionSecs = integerFlag(flag, takeValue(), 0, Number.MAX_SAFE_INTEGER);
        break;
      case '--api-key':
        options.apiKeys = [...(options.apiKeys ?? []), stringFlag(flag, takeValue())];
        break;
      case '--read-only-key':
        options.readOnlyKeys = [...(options.readOnlyKeys ?? []), stringFlag(flag, takeValue())];
        break;
      case '--websocket': {
        const mode = stringFlag(flag, takeValue());
        if (mode !== 'working' && mode !== 'broken') {
          throw new UsageError(`--websocket must be working or broken, got ${mode}`);
        }
        options.websocket = mode;
        break;
      }
      case '--test-controls':
        if (flag !== arg) throw new UsageError('--test-controls takes no value');
        options.testControls = true;
        break;
      default:
        throw new UsageError(`unknown option: ${arg}`);
    }
  }
  const { port = STANDIN_DEFAULTS.port, servers = 1 } = options;
  if (port !== 0 && port + servers - 1 > 65_535) {
    throw new UsageError(`--servers ${servers} from --port ${port} would need ports past 65535`);
  }
  return options;
}

async function main(): Promise<void> {
  let parsed: CliOptions | 'help';
  try {
    parsed = parseCliArgs(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`synap stand-in: ${err.message}\nRun with --help for the options.\n`);
    process.exit(EXIT_USAGE);
  }
  if (parsed === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  const { servers = 1, ...options } = parsed;

  // Handlers go in before anything is printed: whoever reads the URL may signal at once.
  const running: { group?: StandinGroup; stopRequested?: boolean } = {};
  const stop = () => {
    running.stopRequested = true;
    void running.group?.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);

  const group = await startSynapStandins(servers, {
    ...options,
    log: (line) => process.stdout.write(`${line}\n`),
  }).catch((err: unknown) => {
    const reason = err instanceof Error ? err.message : String(err);
    process.stderr.write(`synap stand-in: cannot start: ${reason}\n`);
    process.exit(1);
  });
  running.group = group;
  if (running.stopRequested) {
    stop();
    return;
  }

  const notes = [
    options.apiKeys || options.readOnlyKeys ? 'auth required' : '',
    options.websocket === 'broken' ? 'WebSocket broken' : '',
    options.testControls ? 'test controls on' : '',
  ].filter(Boolean);
  const suffix = notes.length > 0 ? ` (${notes.join(', ')})` : '';
  for (const url of group.urls) {
    process.stdout.write(`Synap stand-in listening on ${url}${suffix}\n`);
  }
  // Last, so that whoever waits for it knows every server is up.
  if (servers > 1) process.stdout.write(`Servers: ${group.list}\n`);
}

void main();
