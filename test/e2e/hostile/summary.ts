// What the hostile-input suites tried, for `npm test`'s summary line (scripts/test-all.mjs
// reads these files after the end-to-end run).
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
/** Like playwright.config.ts: a run with its own E2E_PORT_OFFSET writes a folder of its own. */
const RUN_SUFFIX = process.env.E2E_PORT_OFFSET ? `-${process.env.E2E_PORT_OFFSET}` : '';
export const HOSTILE_SUMMARY_DIR = path.join(ROOT, `test-results/hostile${RUN_SUFFIX}`);

export interface XssSummary {
  vectors: number;
  /** Events published, by where the vector went. */
  placements: Record<string, number>;
  executed: number;
  cspViolations: number;
  domDangers: number;
  strayRequests: number;
}

export interface MalformedSummary {
  kinds: number;
  /** Kinds after which a normal message still showed. */
  keptWorking: number;
  /** The Room info's "Skipped" count at the end. */
  skippedShown: number;
}

/** `xss.json`, or `malformed-*.json` (scripts/test-all.mjs adds those up). */
export function writeHostileSummary(name: 'xss', summary: XssSummary): void;
export function writeHostileSummary(name: `malformed-${string}`, summary: MalformedSummary): void;
export function writeHostileSummary(name: string, summary: object): void {
  mkdirSync(HOSTILE_SUMMARY_DIR, { recursive: true });
  writeFileSync(path.join(HOSTILE_SUMMARY_DIR, `${name}.json`), `${JSON.stringify(summary)}\n`);
}
