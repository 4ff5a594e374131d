// `npm run bench`: the project's performance figures next to their targets.
//
// - WebSocket mode, in Node: the library (RoomFeed, history, codec) against the in-process
//   stand-in over real sockets.
// - Bundle: the app's JS + CSS gzipped, beside the same Vite build of an empty Svelte 5 app
//   and of the peers' clients (centrifuge-js; ably + @ably/chat).
// - WebSocket mode, on the page: the built app in headless Chromium against a stand-in whose
//   WebSocket works; frame → painted and publish → painted, a 10,000-message backlog on
//   reopening, a burst of 1,000 messages a second, and a room of 100,000 messages.
// - Polling mode, on the page: the built app in headless Chromium against a stand-in whose
//   WebSocket is broken like Synap 1.3.1's shipped binary; publish → pixels, background
//   rooms, first run to "Live · polling", and requests per second at the stand-in.
//
// Prints one table and writes bench/results.json. A bench reports, it does not assert: a
// missed target is a row that says so. It exits non-zero only when a figure could not be
// measured at all (the page never went live, a wait timed out, the time limit was reached).
// Timings are wall-clock on whatever machine runs it: compare runs on the same machine.
//
// `npm run bench:smoke` (or --smoke, or BENCH_SMOKE=1) runs a tiny version of every figure
// in well under a minute, so the bench cannot rot; its figures are not meaningful and go to
// test-results/bench-smoke.json instead. `--profile` adds CPU profiles of the heavy page
// figures (their figures then pay for the sampling). `--only scale` runs just the
// 100,000-message room (build, one stand-in, one page), `--only servers` just the rooms on 1
// and on 3 servers: their figures go to test-results/bench-only.json, never to the reference
// results.
import { cpus, loadavg } from 'node:os';
import { gzipSync } from 'node:zlib';
import { startSynapStandin } from '../test/standin/server';
import { buildApp, serveApp } from './bench/app-build';
import { bundleFigures } from './bench/bundle-sizes';
import { Cleanup } from './bench/cleanup';
import {
  PAGE_SIZES,
  PAGE_SMOKE_SIZES,
  launchChromium,
  latencyFigures,
  rateFigures,
  type PageBench,
} from './bench/page-figures';
import { parseFigures } from './bench/parse-figures';
import { Profiler, profileText } from './bench/profile';
import { SERVER_SIZES, SERVER_SMOKE_SIZES, serverFigures } from './bench/servers-figures';
import { tabFigures } from './bench/tab-figures';
import { Figures, met, table, writeResults } from './bench/report';
import { SOCKET_SIZES, SOCKET_SMOKE_SIZES, socketFigures } from './bench/socket-figures';
import {
  SOCKET_PAGE_SIZES,
  SOCKET_PAGE_SMOKE_SIZES,
  socketPageFigures,
} from './bench/socket-page-figures';

const smoke = process.argv.includes('--smoke') || process.env.BENCH_SMOKE === '1';
const profiling = process.argv.includes('--profile');
const ONLY_GROUPS = ['scale', 'servers'] as const;
type OnlyGroup = (typeof ONLY_GROUPS)[number];
const onlyArgument = process.argv.indexOf('--only');
const only = onlyArgument >= 0 ? (process.argv[onlyArgument + 1] ?? '') : null;
if (only !== null && !ONLY_GROUPS.includes(only as OnlyGroup)) {
  console.error(`--only takes one of: ${ONLY_GROUPS.join(', ')}`);
  process.exit(2);
}
// A profiled or partial run's figures never replace the reference results.
const RESULTS_FILE = smoke
  ? 'test-results/bench-smoke.json'
  : profiling
    ? 'test-results/bench-profile.json'
    : only !== null
      ? 'test-results/bench-only.json'
      : 'bench/results.json';
/** The bench ends by itself whatever hangs (a full run takes about 4 minutes). */
const TIME_LIMIT_MS = smoke ? 90_000 : 360_000;

const startedAt = Date.now();
/** The machine's 1-minute load average as the run starts (others may share the machine). */
const loadAtStart = loadavg()[0] ?? NaN;
const figures = new Figures();
/** Figure groups run side by side; the table lists them in this order whatever ends first. */
const parts = {
  parsing: new Figures(),
  socket: new Figures(),
  appSize: new Figures(),
  bundle: new Figures(),
  socketPage: new Figures(),
  pollingPage: new Figures(),
  rates: new Figures(),
  tabs: new Figures(),
  servers: new Figures(),
};
let profiler: Profiler | null = null;
const cleanup = new Cleanup();
const problems: string[] = [];
let chromiumVersion: string | null = null;
let finishing: Promise<never> | null = null;

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function attempt(name: string, run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (error) {
    figures.errors.push(`${name}: ${message(error)}`);
  }
}

function finish(reason?: string): Promise<never> {
  finishing ??= (async () => {
    clearTimeout(watchdog);
    if (reason) figures.errors.push(reason);
    await cleanup.runAll();
    for (const part of Object.values(parts)) {
      figures.rows.push(...part.rows);
      Object.assign(figures.details, part.details);
      figures.errors.push(...part.errors);
    }
    for (const summary of profiler?.summaries ?? []) console.log(`\n${profileText(summary)}`);
    const seconds = (Date.now() - startedAt) / 1000;
    console.log(`\n${table(figures.rows)}\n`);
    for (const problem of problems) console.log(`page problem: ${problem}`);
    for (const error of figures.errors) console.log(`NOT MEASURED: ${error}`);
    const missed = figures.rows.filter((row) => met(row) === false).length;
    const load = `load average ${loadAtStart.toFixed(1)} → ${(loadavg()[0] ?? NaN).toFixed(1)} on ${cpus().length} CPUs`;
    console.log(
      `${smoke ? 'smoke run' : 'bench'}: ${seconds.toFixed(0)} s (${load}), ` +
        `${missed ? `${missed} target(s) missed` : 'all targets met'}` +
        `${figures.errors.length ? `, ${figures.errors.length} figure group(s) not measured` : ''}`,
    );
    await writeResults(RESULTS_FILE, {
      mode: `${smoke ? 'smoke' : 'full'}${profiling ? ' (profiled)' : ''}${only ? ` (only ${only})` : ''}`,
      startedAt: new Date(startedAt).toISOString(),
      durationSeconds: Math.round(seconds),
      machine: {
        cpus: cpus().length,
        node: process.version,
        chromium: chromiumVersion,
        loadAverage: { start: loadAtStart, end: loadavg()[0] ?? NaN },
      },
      figures: figures.rows.map((row) => ({ ...row, met: met(row) })),
      errors: figures.errors,
      pageProblems: problems,
      details: figures.details,
    });
    console.log(`written: ${RESULTS_FILE}`);
    process.exit(figures.errors.length > 0 ? 1 : 0);
  })();
  return finishing;
}

const watchdog = setTimeout(
  () => void finish(`time limit of ${TIME_LIMIT_MS / 1000} s reached`),
  TIME_LIMIT_MS,
);
process.once('SIGINT', () => void finish('interrupted'));
process.once('SIGTERM', () => void finish('terminated'));

/** `--only scale` or `--only servers`: the build and that group, nothing else. */
async function onlyGroup(): Promise<void> {
  const build = await buildApp();
  cleanup.add('build directory', () => build.remove());
  const app = await serveApp(build.html);
  cleanup.add('app server', () => app.close());
  const browser = await launchChromium(cleanup);
  chromiumVersion = browser.version();
  if (only === 'servers') {
    const env = { browser, appUrl: app.url, cleanup, figures: parts.servers, problems };
    await attempt('servers', () => serverFigures(env, smoke ? SERVER_SMOKE_SIZES : SERVER_SIZES));
    return;
  }
  if (profiling) profiler = new Profiler(app.url, build.html.toString('utf8'), build.sourceMap);
  await attempt('page figures (WebSocket)', () =>
    socketPageFigures({
      browser,
      appUrl: app.url,
      cleanup,
      figures: parts.socketPage,
      sizes: smoke ? SOCKET_PAGE_SMOKE_SIZES : SOCKET_PAGE_SIZES,
      problems,
      profile: profiler,
      only: 'scale',
    }),
  );
}

try {
  if (only !== null) {
    await onlyGroup();
    await finish();
  }
  // The parsers first, on a quiet machine (under a second).
  await attempt('parsing', async () => parseFigures(parts.parsing, smoke));
  // The WebSocket-mode figures first, on a quiet machine; a smoke run builds meanwhile.
  const socketStandin = await startSynapStandin({ port: 0 });
  const closeSocketStandin = cleanup.add('stand-in (WebSocket)', () => socketStandin.close());
  const socketRun = attempt('WebSocket figures', () =>
    socketFigures(socketStandin, parts.socket, smoke ? SOCKET_SMOKE_SIZES : SOCKET_SIZES),
  );
  if (!smoke) await socketRun;
  // The app and the bundle references build side by side.
  const building = buildApp();
  const bundles = attempt('bundle sizes', () =>
    bundleFigures(
      building.then((build) => build.html),
      parts.bundle,
    ),
  );
  const build = await building;
  cleanup.add('build directory', () => build.remove());
  parts.appSize.record({
    figure: 'app size (index.html, gzip)',
    value: gzipSync(build.html).length / 1024,
    unit: 'KiB',
    target: 60,
    kind: 'max',
    note: 'What every user downloads: the single-file build, gzipped.',
  });
  await bundles;
  await socketRun;
  await closeSocketStandin();

  const app = await serveApp(build.html);
  cleanup.add('app server', () => app.close());
  const browser = await launchChromium(cleanup);
  chromiumVersion = browser.version();
  const env: PageBench = {
    browser,
    appUrl: app.url,
    cleanup,
    figures: parts.pollingPage,
    sizes: smoke ? PAGE_SMOKE_SIZES : PAGE_SIZES,
    problems,
  };
  if (profiling) profiler = new Profiler(app.url, build.html.toString('utf8'), build.sourceMap);
  const socketPage = () =>
    attempt('page figures (WebSocket)', () =>
      socketPageFigures({
        ...env,
        figures: parts.socketPage,
        sizes: smoke ? SOCKET_PAGE_SMOKE_SIZES : SOCKET_PAGE_SIZES,
        profile: profiler,
      }),
    );
  const pollingLatency = () => attempt('page latency figures', () => latencyFigures(env));
  // The request-rate windows (about 2 minutes of a mostly idle page, counted at a stand-in of
  // their own) run beside the page figures; those run one after the other, each with a
  // stand-in of its own. The rooms on 1 and 3 servers (mostly idle pages too, on stand-ins of
  // their own) run beside both. A smoke run runs everything at once.
  await Promise.all([
    attempt('servers', () =>
      serverFigures({ ...env, figures: parts.servers }, smoke ? SERVER_SMOKE_SIZES : SERVER_SIZES),
    ),
    attempt('page request rates', () => rateFigures({ ...env, figures: parts.rates })).then(() =>
      attempt('tabs', () => tabFigures({ ...env, figures: parts.tabs })),
    ),
    smoke
      ? Promise.all([pollingLatency(), socketPage()])
      : pollingLatency().then(() => socketPage()),
  ]);
} catch (error) {
  figures.errors.push(message(error));
}
await finish();
