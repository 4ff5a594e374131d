// `npm run bench`: the project's performance figures next to their targets.
//
// - WebSocket mode, in Node: the library (RoomFeed, history, codec) against the in-process
//   stand-in over real sockets.
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
// test-results/bench-smoke.json instead.
import { cpus } from 'node:os';
import { gzipSync } from 'node:zlib';
import { startSynapStandin } from '../test/standin/server';
import { buildApp, serveApp } from './bench/app-build';
import { Cleanup } from './bench/cleanup';
import {
  PAGE_SIZES,
  PAGE_SMOKE_SIZES,
  launchChromium,
  latencyFigures,
  rateFigures,
  type PageBench,
} from './bench/page-figures';
import { Figures, met, table, writeResults } from './bench/report';
import { SOCKET_SIZES, SOCKET_SMOKE_SIZES, socketFigures } from './bench/socket-figures';

const smoke = process.argv.includes('--smoke') || process.env.BENCH_SMOKE === '1';
const RESULTS_FILE = smoke ? 'test-results/bench-smoke.json' : 'bench/results.json';
/** The bench ends by itself whatever hangs (a full run takes about 2.5 minutes). */
const TIME_LIMIT_MS = smoke ? 90_000 : 300_000;

const startedAt = Date.now();
const figures = new Figures();
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
    const seconds = (Date.now() - startedAt) / 1000;
    console.log(`\n${table(figures.rows)}\n`);
    for (const problem of problems) console.log(`page problem: ${problem}`);
    for (const error of figures.errors) console.log(`NOT MEASURED: ${error}`);
    const missed = figures.rows.filter((row) => met(row) === false).length;
    console.log(
      `${smoke ? 'smoke run' : 'bench'}: ${seconds.toFixed(0)} s, ` +
        `${missed ? `${missed} target(s) missed` : 'all targets met'}` +
        `${figures.errors.length ? `, ${figures.errors.length} figure group(s) not measured` : ''}`,
    );
    await writeResults(RESULTS_FILE, {
      mode: smoke ? 'smoke' : 'full',
      startedAt: new Date(startedAt).toISOString(),
      durationSeconds: Math.round(seconds),
      machine: { cpus: cpus().length, node: process.version, chromium: chromiumVersion },
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

try {
  // The WebSocket-mode figures first, on a quiet machine; a smoke run builds meanwhile.
  const socketStandin = await startSynapStandin({ port: 0 });
  const closeSocketStandin = cleanup.add('stand-in (WebSocket)', () => socketStandin.close());
  const socketRun = attempt('WebSocket figures', () =>
    socketFigures(socketStandin, figures, smoke ? SOCKET_SMOKE_SIZES : SOCKET_SIZES),
  );
  if (!smoke) await socketRun;
  const build = await buildApp();
  cleanup.add('build directory', () => build.remove());
  await socketRun;
  await closeSocketStandin();

  figures.record({
    figure: 'app size (index.html, gzip)',
    value: gzipSync(build.html).length / 1024,
    unit: 'KiB',
    target: 60,
    kind: 'max',
    note: 'What every user downloads: the single-file build, gzipped.',
  });

  const app = await serveApp(build.html);
  cleanup.add('app server', () => app.close());
  const browser = await launchChromium(cleanup);
  chromiumVersion = browser.version();
  const env: PageBench = {
    browser,
    appUrl: app.url,
    cleanup,
    figures,
    sizes: smoke ? PAGE_SMOKE_SIZES : PAGE_SIZES,
    problems,
  };
  // Side by side, each with a stand-in of its own: the request-rate windows only count what
  // reaches theirs, and a mostly idle page next to the latency figures barely loads the machine.
  await Promise.all([
    attempt('page latency figures', () => latencyFigures(env)),
    attempt('page request rates', () => rateFigures(env)),
  ]);
} catch (error) {
  figures.errors.push(message(error));
}
await finish();
