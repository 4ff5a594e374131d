// The fault suite's tools: a private stand-in behind a fault-injecting proxy (the page is set up
// with the proxy's URL, so its REST and WebSocket traffic both cross it), a publisher that talks
// to the stand-in directly, a recorder of every connection status the page showed, a reader of
// the whole (virtualised) timeline, and the tally that compares it with what the server stored.
// Each test writes its tally to test-results/faults*/ for the one-line summary of `npm test`.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContextOptions, Page, TestInfo } from '@playwright/test';
import { startSynapStandin, type SynapStandin } from '../../standin/server';
import {
  type ChatUser,
  type SynapMode,
  type Users,
  expect,
  fillSetup,
  test as base,
  timeline,
} from '../fixtures';
import { FaultProxy } from './fault-proxy';

export { expect };

const HERE = path.dirname(fileURLToPath(import.meta.url));
const RUN_SUFFIX = process.env.E2E_PORT_OFFSET ? `-${process.env.E2E_PORT_OFFSET}` : '';
/** Where each test leaves its tally; scripts/test-all.mjs sums them (see faultSummary there). */
export const FAULT_RESULTS_DIR = path.resolve(HERE, `../../../test-results/faults${RUN_SUFFIX}`);

/** A tall page: the timeline is virtualised, so fewer scroll steps read it all. */
export const TALL: BrowserContextOptions = { viewport: { width: 1000, height: 1800 } };

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// --- the server and the proxy in front of it ---------------------------------------------

export interface FaultServerOptions {
  maxBuffer?: number;
  maxUnreadBuffer?: number;
  apiKeys?: string[];
}

export interface FaultServer {
  /** The stand-in itself: Node publishes and checks here, around the proxy. */
  readonly directUrl: string;
  /** The proxy: the page's server URL. */
  readonly appUrl: string;
  readonly proxy: FaultProxy;
  readonly standin: SynapStandin;
  readonly mode: SynapMode;
  /** Stops the stand-in and starts an empty one on the same port (a restart wipes every room). */
  restart(options?: FaultServerOptions): Promise<void>;
}

async function startFaultServer(mode: SynapMode, options: FaultServerOptions) {
  const standinOptions = (more: FaultServerOptions) => ({
    host: '127.0.0.1',
    testControls: true,
    websocket: mode === 'polling' ? ('broken' as const) : ('working' as const),
    ...(more.maxBuffer ? { maxBuffer: more.maxBuffer } : {}),
    ...(more.maxUnreadBuffer ? { maxUnreadBuffer: more.maxUnreadBuffer } : {}),
    ...(more.apiKeys ? { apiKeys: more.apiKeys } : {}),
  });
  let standin = await startSynapStandin({ ...standinOptions(options), port: 0 });
  const proxy = await FaultProxy.start(standin.url);
  const server: FaultServer = {
    directUrl: standin.url,
    appUrl: proxy.url,
    proxy,
    mode,
    get standin() {
      return standin;
    },
    async restart(next = options) {
      const { port } = standin;
      await standin.close();
      standin = await startSynapStandin({ ...standinOptions(next), port });
    },
  };
  return { server, close: async () => Promise.all([proxy.close(), standin.close()]) };
}

// --- REST, straight to the stand-in ------------------------------------------------------

export interface PublisherOptions {
  author?: string;
  apiKey?: string;
  /** Re-create a missing room (as the app's publishes do); otherwise wait for someone to. */
  recreate?: boolean;
  /** Give up on one message after this long (the server down, the room missing). */
  patienceMs?: number;
}

const withKey = (url: string, apiKey?: string) => (apiKey ? `${url}?api_key=${apiKey}` : url);

/** Publishes chat messages the app's way (data = a JSON string with a client id) to the stand-in. */
export class Publisher {
  readonly sent: string[] = [];
  readonly #server: FaultServer;
  readonly #stream: string;
  readonly #options: PublisherOptions;
  #count = 0;

  constructor(server: FaultServer, stream: string, options: PublisherOptions = {}) {
    this.#server = server;
    this.#stream = stream;
    this.#options = options;
  }

  get #base(): string {
    return `${this.#server.directUrl}/stream/${encodeURIComponent(this.#stream)}`;
  }

  /** Stores one message, retrying while the server is down or the room missing. */
  async publish(text: string): Promise<number> {
    const { author = 'Carol', apiKey, recreate = true, patienceMs = 30_000 } = this.#options;
    this.#count += 1;
    const data = JSON.stringify({
      user_id: author,
      message: text,
      timestamp: Date.now(),
      client_id: `fault-${this.#count}-${Math.random().toString(36).slice(2)}`,
    });
    const deadline = Date.now() + patienceMs;
    for (;;) {
      let answer: Response | null = null;
      try {
        answer = await fetch(withKey(`${this.#base}/publish`, apiKey), {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ event: 'message', data }),
        });
      } catch {
        answer = null; // down (a restart): try again
      }
      const body = answer ? await answer.text() : '';
      if (answer?.ok) {
        this.sent.push(text);
        return (JSON.parse(body) as { offset: number }).offset;
      }
      if (Date.now() > deadline) {
        throw new Error(
          `publish "${text}": ${answer ? `${answer.status} ${body}` : 'unreachable'}`,
        );
      }
      if (answer && /not found/.test(body) && recreate) {
        await fetch(withKey(this.#base, apiKey), { method: 'PUT' }).catch(() => null);
      } else {
        await sleep(50);
      }
    }
  }

  /**
   * Publishes `${tag} 0001`, `${tag} 0002`… at `perSecond` in the background until `stop()`,
   * which resolves once the last one is stored.
   */
  run(tag: string, perSecond: number): { stop(): Promise<void> } {
    let stopped = false;
    const loop = (async () => {
      const start = Date.now();
      for (let n = 1; !stopped; n += 1) {
        const wait = start + ((n - 1) * 1000) / perSecond - Date.now();
        if (wait > 0) await sleep(wait);
        if (stopped) break;
        await this.publish(`${tag} ${String(n).padStart(4, '0')}`);
      }
    })();
    return {
      stop: async () => {
        stopped = true;
        await loop;
      },
    };
  }

  /** Publishes `texts` one after another, spread evenly over `durationMs`. */
  async steadily(texts: readonly string[], durationMs: number): Promise<void> {
    const start = Date.now();
    const gap = durationMs / Math.max(1, texts.length);
    for (const [index, text] of texts.entries()) {
      const wait = start + index * gap - Date.now();
      if (wait > 0) await sleep(wait);
      await this.publish(text);
    }
  }
}

export function labels(tag: string, count: number, from = 1): string[] {
  return Array.from({ length: count }, (_, i) => `${tag} ${String(from + i).padStart(4, '0')}`);
}

interface RestEvent {
  offset: number;
  event: string;
  data: number[];
}

export interface Stored {
  /** Message texts starting with the marker, in offset order, one per (author, client id). */
  texts: string[];
  /** Extra copies the server holds of one message (a publish the browser sent twice). */
  serverDuplicates: number;
  minOffset: number;
  totalPublished: number;
}

/** What the stand-in holds now: REST consume from its earliest kept offset, decoded. */
export async function storedMessages(
  server: FaultServer,
  stream: string,
  marker: string,
  apiKey?: string,
): Promise<Stored> {
  const base = `${server.directUrl}/stream/${encodeURIComponent(stream)}`;
  const statsAnswer = await fetch(withKey(`${base}/stats`, apiKey));
  if (!statsAnswer.ok) return { texts: [], serverDuplicates: 0, minOffset: 0, totalPublished: 0 };
  const stats = (await statsAnswer.json()) as { min_offset: number; total_published: number };
  const key = apiKey ? `&api_key=${apiKey}` : '';
  const answer = await fetch(
    `${base}/consume/fault-checker?from_offset=${stats.min_offset}&limit=1000000${key}`,
  );
  if (!answer.ok) throw new Error(`consume: ${answer.status} ${await answer.text()}`);
  const { events } = (await answer.json()) as { events: RestEvent[] };
  const seen = new Set<string>();
  const texts: string[] = [];
  let serverDuplicates = 0;
  for (const event of events) {
    if (event.event !== 'message') continue;
    const published = JSON.parse(new TextDecoder().decode(Uint8Array.from(event.data))) as unknown;
    const payload = (typeof published === 'string' ? JSON.parse(published) : published) as {
      user_id?: unknown;
      message?: unknown;
      client_id?: unknown;
    };
    if (typeof payload.message !== 'string' || !payload.message.startsWith(marker)) continue;
    const id = `${String(payload.user_id)}\n${String(payload.client_id ?? event.offset)}`;
    if (seen.has(id)) {
      serverDuplicates += 1;
      continue;
    }
    seen.add(id);
    texts.push(payload.message);
  }
  return {
    texts,
    serverDuplicates,
    minOffset: stats.min_offset,
    totalPublished: stats.total_published,
  };
}

// --- the page ------------------------------------------------------------------------------

/** Records every text the connection status shows, with its time, across reloads of the tab. */
function installStatusRecorder(): void {
  const KEY = '__faultStatus';
  const w = window as unknown as { __faultStatusOn?: boolean };
  if (w.__faultStatusOn) return;
  w.__faultStatusOn = true;
  let last: string | null = null;
  const record = () => {
    const element = document.querySelector('[role="status"]');
    if (!element) return;
    const text = (element.textContent ?? '').replace(/\s+/g, ' ').trim();
    if (text === last) return;
    last = text;
    const list = JSON.parse(sessionStorage.getItem(KEY) ?? '[]') as [number, string][];
    list.push([Date.now(), text]);
    sessionStorage.setItem(KEY, JSON.stringify(list.slice(-400)));
  };
  const start = () =>
    new MutationObserver(record).observe(document, {
      subtree: true,
      childList: true,
      characterData: true,
    });
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
  record();
}

export async function statusLog(page: Page): Promise<[number, string][]> {
  return page.evaluate(
    () => JSON.parse(sessionStorage.getItem('__faultStatus') ?? '[]') as [number, string][],
  );
}

/** Waits until the status has shown something matching `pattern` (at any moment since `since`). */
export async function expectStatusSeen(
  page: Page,
  pattern: RegExp,
  options: { since?: number; timeout?: number } = {},
): Promise<number> {
  let at = 0;
  await expect
    .poll(
      async () => {
        const log = await statusLog(page);
        const hit = log.find(([time, text]) => time >= (options.since ?? 0) && pattern.test(text));
        at = hit?.[0] ?? 0;
        if (hit) return hit[1];
        const recent = log.filter(([time]) => time >= (options.since ?? 0));
        return `(not yet; since then: ${recent.map(([, text]) => text).join(' | ')})`;
      },
      { timeout: options.timeout ?? 30_000, message: `status never matched ${pattern}` },
    )
    .toMatch(pattern);
  return at;
}

/** Live again: "Live" on a socket, "Live · polling" where the WebSocket is broken. */
export async function expectLiveAgain(page: Page, timeout = 45_000): Promise<void> {
  await expect(page.getByRole('status')).toHaveText(/^\s*Live\b/, { timeout });
}

export interface FaultUserOptions {
  apiKey?: string;
  /** Another user's tab in the same browser context (same storage, so already set up). */
  context?: ChatUser;
}

/** A user through the first-run form with the proxy as server, live in `general`. */
export async function startFaultUser(
  users: Users,
  name: string,
  server: FaultServer,
  options: FaultUserOptions = {},
): Promise<ChatUser> {
  const user = await users.open(name, TALL);
  await user.context.addInitScript(installStatusRecorder);
  await user.page.evaluate(installStatusRecorder);
  await fillSetup(user.page, { name, prefix: users.prefix, serverUrl: server.appUrl });
  if (options.apiKey) await user.page.getByLabel('API key', { exact: true }).fill(options.apiKey);
  await user.page.getByRole('button', { name: 'Start chatting' }).click();
  await expect(timeline(user.page)).toBeVisible();
  await expectLiveAgain(user.page, 20_000);
  return user;
}

export interface ShownRow {
  key: string;
  text: string;
  state: 'confirmed' | 'pending' | 'failed';
}

/**
 * Reads the whole timeline of the room on screen: first loads every older page the server
 * still has (optional), then scrolls from the top to the end, half a view at a time, and
 * chains the rows of each view by their keys (the DOM holds the rows in view, in order).
 * `problems` lists anything that broke the chain.
 */
export async function readTimeline(
  page: Page,
  options: { loadOlder?: boolean } = {},
): Promise<{ rows: ShownRow[]; problems: string[] }> {
  return timeline(page).evaluate(async (scroller, loadOlder) => {
    const settle = () =>
      new Promise<void>((resolve) =>
        requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(resolve, 15))),
      );
    const problems: string[] = [];
    if (loadOlder) {
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline) {
        const buttons = [...scroller.querySelectorAll('button')];
        const more = buttons.find((button) =>
          /earlier messages|Try again/.test(button.textContent ?? ''),
        );
        const loading = (scroller.textContent ?? '').includes('Loading messages…');
        if (!more && !loading) break;
        const busy =
          loading ||
          more?.getAttribute('aria-disabled') === 'true' ||
          scroller.getAttribute('aria-busy') === 'true';
        if (more && !busy) more.click();
        await settle();
      }
    }
    type Row = { key: string; text: string | null; state: ShownRow['state'] };
    const order: string[] = [];
    const index = new Map<string, number>();
    const rows = new Map<string, Row>();
    const merge = (view: Row[]) => {
      let anchor = -1;
      let appended = false;
      for (const row of view) {
        const at = index.get(row.key);
        rows.set(row.key, row);
        if (at !== undefined) {
          if (appended) problems.push(`row ${row.key} drawn again after new rows`);
          else if (anchor !== -1 && at !== anchor + 1) problems.push(`rows skipped at ${row.key}`);
          anchor = at;
          continue;
        }
        if (order.length > 0 && anchor === -1) problems.push(`no overlap before ${row.key}`);
        else if (anchor !== -1 && anchor !== order.length - 1) {
          problems.push(`new row ${row.key} amid known ones`);
        }
        index.set(row.key, order.length);
        order.push(row.key);
        anchor = order.length - 1;
        appended = true;
      }
    };
    scroller.scrollTop = 0;
    for (let step = 0; step < 5_000; step += 1) {
      await settle();
      merge(
        [...scroller.querySelectorAll<HTMLElement>('[data-row]')].map((element) => {
          const message = element.querySelector('.message');
          const state = message?.classList.contains('pending')
            ? 'pending'
            : message?.classList.contains('failed')
              ? 'failed'
              : 'confirmed';
          const text = message ? (message.querySelector('p.text')?.textContent ?? '') : null;
          return { key: element.dataset.row ?? '', text, state };
        }),
      );
      const end = scroller.scrollHeight - scroller.clientHeight;
      if (scroller.scrollTop >= end - 1) break;
      scroller.scrollTop = Math.min(end, scroller.scrollTop + scroller.clientHeight / 2);
    }
    // Back to the newest, where a reader following the conversation is.
    scroller.scrollTop = scroller.scrollHeight;
    const shown = order
      .map((key) => rows.get(key))
      .filter((row): row is Row => row !== undefined && row.text !== null);
    return { rows: shown as ShownRow[], problems };
  }, options.loadOlder ?? false);
}

export interface Tally {
  /** Messages the server stored that this page had to show. */
  checked: number;
  /** Stored, not shown (as confirmed). */
  lost: number;
  /** Extra rows for a message already shown (confirmed, pending or failed). */
  duplicated: number;
  /** Shown as confirmed but not stored (e.g. a wiped room's messages). */
  unexpected: number;
  /** Positions where the shown order differs from the offset order. */
  outOfOrder: number;
  /** Stored messages still shown as "Sending…" or "Not sent". */
  unsettled: number;
  /** Messages written on this page that never got stored ("Sending…" or "Not sent" for good). */
  unsent: number;
  problems: string[];
}

export const clean = (t: Tally) =>
  t.lost + t.duplicated + t.unexpected + t.outOfOrder + t.unsettled + t.unsent === 0 &&
  t.problems.length === 0;

export function tally(rows: ShownRow[], expected: readonly string[], marker: string): Tally {
  const mine = rows.filter((row) => row.text.startsWith(marker));
  const copies = new Map<string, number>();
  for (const row of mine) copies.set(row.text, (copies.get(row.text) ?? 0) + 1);
  const expectedSet = new Set(expected);
  const confirmed = mine.filter((row) => row.state === 'confirmed').map((row) => row.text);
  const confirmedSet = new Set(confirmed);
  const shownOrder = [...new Set(confirmed.filter((text) => expectedSet.has(text)))];
  const wantedOrder = expected.filter((text) => confirmedSet.has(text));
  const problems: string[] = [];
  const firstSwap = shownOrder.findIndex((text, i) => text !== wantedOrder[i]);
  if (firstSwap >= 0) {
    problems.push(
      `order: shown "${shownOrder[firstSwap]}" where "${wantedOrder[firstSwap]}" belongs`,
    );
  }
  const lostTexts = expected.filter((text) => !confirmedSet.has(text));
  if (lostTexts.length > 0) problems.push(`lost: ${lostTexts.slice(0, 5).join(', ')}…`);
  const doubled = [...copies].filter(([, n]) => n > 1).map(([text]) => text);
  if (doubled.length > 0) problems.push(`doubled: ${doubled.slice(0, 5).join(', ')}`);
  const unsettled = mine.filter((row) => row.state !== 'confirmed' && expectedSet.has(row.text));
  if (unsettled.length > 0) {
    problems.push(`unsettled: ${unsettled.map((row) => `${row.text} (${row.state})`).join(', ')}`);
  }
  const unsent = mine.filter((row) => row.state !== 'confirmed' && !expectedSet.has(row.text));
  if (unsent.length > 0) {
    problems.push(`never stored: ${unsent.map((row) => `${row.text} (${row.state})`).join(', ')}`);
  }
  return {
    checked: expected.length,
    lost: lostTexts.length,
    duplicated: [...copies.values()].reduce((sum, n) => sum + Math.max(0, n - 1), 0),
    unexpected: [...confirmedSet].filter((text) => !expectedSet.has(text)).length,
    outOfOrder: shownOrder.filter((text, i) => text !== wantedOrder[i]).length,
    unsettled: unsettled.length,
    unsent: unsent.length,
    problems,
  };
}

export interface DeliveryCheck {
  marker: string;
  /** What the page must show; by default every message the stand-in stores now. */
  expected?: () => Promise<readonly string[]>;
  apiKey?: string;
  loadOlder?: boolean;
  timeout?: number;
}

/**
 * Waits (bounded) until the page shows exactly what the server stored, in offset order, and
 * returns the last tally either way: the caller records it, then asserts it is clean.
 */
export async function deliveredTally(
  page: Page,
  server: FaultServer,
  stream: string,
  check: DeliveryCheck,
): Promise<Tally> {
  const deadline = Date.now() + (check.timeout ?? 45_000);
  const expectedNow = async () =>
    check.expected
      ? check.expected()
      : (await storedMessages(server, stream, check.marker, check.apiKey)).texts;
  for (;;) {
    const expected = await expectedNow();
    const last = expected.at(-1);
    // Cheap first: the newest message is drawn at the bottom once it arrived.
    const arrived =
      last === undefined ||
      (await timeline(page)
        .getByText(last, { exact: true })
        .count()
        .catch(() => 0)) > 0;
    if (arrived || Date.now() > deadline) {
      const { rows, problems } = await readTimeline(page, { loadOlder: check.loadOlder ?? false });
      const result = tally(rows, expected, check.marker);
      result.problems.push(...problems);
      if (clean(result) || Date.now() > deadline) return result;
    }
    await sleep(1_000);
  }
}

// --- the report ------------------------------------------------------------------------------

export interface ScenarioReport {
  /** Adds one page's tally. */
  add(tally: Tally): void;
  /** Anything else worth knowing in the report (times, counts of faults). */
  note(key: string, value: unknown): void;
  /** How the scenario ended (when several share a test); the test's status otherwise. */
  finish(status: 'passed' | 'failed', error?: unknown): void;
}

interface Named {
  scenario: string;
  tallies: Tally[];
  notes: Record<string, unknown>;
  status?: string;
  error?: string;
  startedAt: number;
  durationMs?: number;
}

function writeReport(testInfo: TestInfo, named: Named) {
  const { scenario, tallies, notes } = named;
  mkdirSync(FAULT_RESULTS_DIR, { recursive: true });
  const sum = (field: 'checked' | 'lost' | 'duplicated' | 'unexpected' | 'outOfOrder') =>
    tallies.reduce((total, t) => total + t[field], 0);
  const record = {
    scenario,
    mode: testInfo.project.name,
    status: named.status ?? testInfo.status,
    ...(named.error ? { error: named.error } : {}),
    messagesChecked: sum('checked'),
    lost: sum('lost'),
    duplicated: sum('duplicated'),
    unexpected: sum('unexpected'),
    outOfOrder: sum('outOfOrder'),
    unsettled: tallies.reduce((total, t) => total + t.unsettled, 0),
    unsent: tallies.reduce((total, t) => total + t.unsent, 0),
    pages: tallies.length,
    durationMs: named.durationMs ?? Date.now() - named.startedAt,
    writtenAt: Date.now(),
    notes,
  };
  const file = `${testInfo.project.name}--${scenario}.json`;
  writeFileSync(path.join(FAULT_RESULTS_DIR, file), `${JSON.stringify(record, null, 2)}\n`);
}

// --- fixtures --------------------------------------------------------------------------------

export interface FaultLab {
  /** A private stand-in (broken WebSocket in polling mode) behind a fresh proxy. */
  server(options?: FaultServerOptions): Promise<FaultServer>;
  /** Names this test's scenario in the report; its tallies are written when the test ends. */
  report(scenario: string): ScenarioReport;
}

export const test = base.extend<{ lab: FaultLab }>({
  lab: async ({ synapMode }, use, testInfo) => {
    const closers: (() => Promise<unknown>)[] = [];
    const named: Named[] = [];
    await use({
      async server(options = {}) {
        const { server, close } = await startFaultServer(synapMode, options);
        closers.push(close);
        return server;
      },
      report(scenario) {
        const current: Named = { scenario, tallies: [], notes: {}, startedAt: Date.now() };
        named.push(current);
        return {
          add: (t) => current.tallies.push(t),
          note: (key, value) => (current.notes[key] = value),
          finish: (status, error) => {
            current.status = status;
            current.durationMs = Date.now() - current.startedAt;
            if (error !== undefined) {
              const text = error instanceof Error ? error.message : String(error);
              // Without the terminal colours of expect's messages.
              // eslint-disable-next-line no-control-regex
              current.error = text.replace(/\u001b\[[0-9;]*m/g, '').slice(0, 2_000);
            }
          },
        };
      },
    });
    for (const done of named) writeReport(testInfo, done);
    await Promise.all(closers.map((close) => close()));
  },
});

// --- assertions and user actions --------------------------------------------------------------

/** Every count zero, no problem in the chain of rows. */
export function expectClean(result: Tally, who: string): void {
  expect(result.problems, `${who}: ${result.problems.join('; ')}`).toEqual([]);
  const { lost, duplicated, unexpected, outOfOrder, unsettled, unsent } = result;
  expect({ lost, duplicated, unexpected, outOfOrder, unsettled, unsent }, who).toEqual({
    lost: 0,
    duplicated: 0,
    unexpected: 0,
    outOfOrder: 0,
    unsettled: 0,
    unsent: 0,
  });
}
