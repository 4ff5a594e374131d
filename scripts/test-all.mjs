// Runs every suite (Vitest's projects, Playwright's end-to-end tests, the bench's smoke run) and prints the
// one totals line CI reads: "N passed, N failed". Exits non-zero when anything failed.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';

const OUT_DIR = 'test-results';
/**
 * Runs side by side each set their own E2E_PORT_OFFSET (the end-to-end servers' ports, see
 * test/e2e/ports.ts) and write their results into files and folders of their own.
 */
const RUN_SUFFIX = process.env.E2E_PORT_OFFSET ? `-${process.env.E2E_PORT_OFFSET}` : '';
const VITEST_JSON = `${OUT_DIR}/vitest${RUN_SUFFIX}.json`;
const PLAYWRIGHT_JSON = `${OUT_DIR}/playwright${RUN_SUFFIX}.json`;
/** What the hostile-input end-to-end suites tried (test/e2e/hostile/summary.ts). */
const HOSTILE_DIR = `${OUT_DIR}/hostile${RUN_SUFFIX}`;

mkdirSync(OUT_DIR, { recursive: true });
rmSync(VITEST_JSON, { force: true });
rmSync(PLAYWRIGHT_JSON, { force: true });
rmSync(HOSTILE_DIR, { recursive: true, force: true });

function run(command, args, env = {}) {
  console.log(`\n$ ${command} ${args.join(' ')}`);
  return spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, ...env } }).status;
}

function readJson(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return null;
  }
}

let passed = 0;
let failed = 0;
let skipped = 0;

const vitestStatus = run('npx', [
  'vitest',
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${VITEST_JSON}`,
]);
const vitest = readJson(VITEST_JSON);
if (vitest) {
  passed += vitest.numPassedTests;
  failed += vitest.numFailedTests;
  skipped += vitest.numPendingTests + vitest.numTodoTests;
  // A suite that fails to load counts no test but is still a failure.
  if (vitestStatus !== 0 && vitest.numFailedTests === 0) failed += 1;
} else {
  console.error('Vitest wrote no results: counting the run as one failure.');
  failed += 1;
}

if (existsSync('playwright.config.ts')) {
  const playwrightStatus = run('npx', ['playwright', 'test', '--reporter=list,json'], {
    PLAYWRIGHT_JSON_OUTPUT_NAME: PLAYWRIGHT_JSON,
  });
  const playwright = readJson(PLAYWRIGHT_JSON);
  if (playwright?.stats) {
    passed += playwright.stats.expected + playwright.stats.flaky;
    failed += playwright.stats.unexpected;
    skipped += playwright.stats.skipped;
    if (playwrightStatus !== 0 && playwright.stats.unexpected === 0) failed += 1;
  } else {
    console.error('Playwright wrote no results: counting the run as one failure.');
    failed += 1;
  }
}

// The bench's smoke run: a tiny version of every figure, so the bench cannot rot. Its
// numbers are not checked (targets are measured by `npm run bench`), only that it runs.
if (run('npx', ['tsx', 'scripts/bench.ts', '--smoke']) === 0) passed += 1;
else {
  console.error('The bench smoke run failed.');
  failed += 1;
}

/**
 * One line for the fault-injection suite (test/e2e/faults): its scenarios' tallies, summed from
 * the JSON each run wrote during this `npm test` (older files are left over from other runs).
 */
function faultSummary() {
  const dir = `${OUT_DIR}/faults${RUN_SUFFIX}`;
  const startedAt = Date.now() - process.uptime() * 1000;
  const runs = (existsSync(dir) ? readdirSync(dir) : [])
    .filter((file) => file.endsWith('.json'))
    .map((file) => readJson(`${dir}/${file}`))
    .filter((result) => result && result.writtenAt >= startedAt);
  if (runs.length === 0) return 'faults: no results (the suite did not run)';
  const number = (n) => n.toLocaleString('en-US');
  const sum = (key) => runs.reduce((total, result) => total + (result[key] ?? 0), 0);
  const scenarios = new Set(runs.map((result) => result.scenario)).size;
  const failedRuns = runs.filter((result) => result.status !== 'passed').length;
  return (
    `faults: ${number(scenarios)} scenarios (${number(runs.length)} runs), ` +
    `${number(sum('messagesChecked'))} messages checked, ${number(sum('lost'))} lost, ` +
    `${number(sum('duplicated'))} duplicated${failedRuns ? `, ${failedRuns} runs failed` : ''}`
  );
}

/** One line for the hostile-input suites: XSS vectors tried and run, malformed kinds survived. */
function hostileSummary() {
  const files = existsSync(HOSTILE_DIR) ? readdirSync(HOSTILE_DIR) : [];
  const xss = files.includes('xss.json') ? readJson(`${HOSTILE_DIR}/xss.json`) : null;
  const malformed = files
    .filter((file) => /^malformed-.*\.json$/.test(file))
    .map((file) => readJson(`${HOSTILE_DIR}/${file}`))
    .filter(Boolean);
  if (!xss && malformed.length === 0) return 'hostile input: no results (the suites did not run)';
  const number = (n) => n.toLocaleString('en-US');
  const parts = [];
  if (xss) {
    const placed = Object.values(xss.placements).reduce((sum, n) => sum + n, 0);
    const markup = xss.domDangers + xss.cspViolations + xss.strayRequests;
    parts.push(
      `${number(xss.vectors)} XSS vectors tried (${number(placed)} placements), ` +
        `${number(xss.executed)} executed, ${number(markup)} became markup or loads`,
    );
  } else parts.push('XSS suite did not finish');
  if (malformed.length > 0) {
    const sum = (key) => malformed.reduce((total, result) => total + result[key], 0);
    const kinds = sum('kinds');
    const kept = sum('keptWorking');
    parts.push(
      `${number(kinds)} malformed kinds, app kept working ${kept === kinds ? 'after every one' : `after ${number(kept)}`}, ` +
        `${number(sum('skippedShown'))} skipped and counted`,
    );
  } else parts.push('malformed-input suite did not finish');
  return `hostile input: ${parts.join('; ')}`;
}

// Issue 8's report: one line for the reliability and security suites, before the totals.
console.log(`\nreliability and security: ${faultSummary()}; ${hostileSummary()}`);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 ? 1 : 0);
