// The polling-mode figures, measured on the page: the built app in headless Chromium against
// a stand-in whose WebSocket is broken like Synap 1.3.1's shipped binary (every upgrade
// answered 500), so the app must find out and follow its rooms by REST polling.
import { randomBytes } from 'node:crypto';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, findChromium } from '../../test/e2e/chromium';
import {
  startSynapStandin,
  type RequestCounts,
  type SynapStandin,
} from '../../test/standin/server';
import type { Cleanup } from './cleanup';
import { CONSUME_TIMINGS, setHidden, watchLive, watchPaint, watchUnread } from './in-page';
import { percentile, type Figures } from './report';

export interface PageSizes {
  /** Fresh profiles timed from the first failed upgrade to "Live · polling". */
  firstRuns: number;
  /** Messages published into the room on screen, one every paintGapMs (random in range). */
  paintMessages: number;
  paintGapMs: readonly [number, number];
  /** Messages published into a joined room that is not on screen. */
  backgroundMessages: number;
  /** Each request-rate window. */
  rateWindowMs: number;
  /** Joined rooms in the "many rooms" request-rate windows. */
  manyRooms: number;
}

export const PAGE_SIZES: PageSizes = {
  firstRuns: 5,
  paintMessages: 100,
  paintGapMs: [200, 400],
  backgroundMessages: 5,
  // One presence-heartbeat (and room-list, and hidden-liveness) period: every periodic
  // request of the app falls into each window once.
  rateWindowMs: 30_000,
  manyRooms: 10,
};

export const PAGE_SMOKE_SIZES: PageSizes = {
  firstRuns: 1,
  paintMessages: 10,
  paintGapMs: [200, 400],
  backgroundMessages: 1,
  rateWindowMs: 3_000,
  manyRooms: 3,
};

export interface PageBench {
  browser: Browser;
  appUrl: string;
  cleanup: Cleanup;
  figures: Figures;
  sizes: PageSizes;
  /** Uncaught errors and dialogs seen in the pages. */
  problems: string[];
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
export const DESKTOP = { viewport: { width: 1280, height: 800 } };
const LIVE_TIMEOUT_MS = 20_000;

/**
 * Polls `expression` in the page until it is truthy. (page.waitForFunction evaluates it with
 * eval, which the built app's Content-Security-Policy forbids; page.evaluate goes through
 * the DevTools protocol, which CSP does not govern.)
 */
export async function waitForTruthy(
  page: Page,
  expression: string,
  options: { timeout: number; polling: number },
): Promise<void> {
  const deadline = Date.now() + options.timeout;
  for (;;) {
    if (await page.evaluate(expression)) return;
    if (Date.now() >= deadline) {
      throw new Error(`timed out after ${options.timeout} ms waiting for ${expression}`);
    }
    await sleep(options.polling);
  }
}

/** How a page follows its rooms: the stand-in's WebSocket works, or is broken (REST polling). */
export type PageMode = 'socket' | 'polling';

export async function launchChromium(cleanup: Cleanup): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: findChromium(),
    // Precise memory: performance.memory is otherwise rounded to 10 MB steps.
    args: [...CHROMIUM_ARGS, '--enable-precise-memory-info'],
    timeout: 30_000,
  });
  cleanup.add('Chromium', () => browser.close());
  return browser;
}

// --- the stand-in ------------------------------------------------------------------------

interface PollingServer {
  standin: SynapStandin;
  url: string;
  /** Every refused WebSocket upgrade: when (Date.now(), as the 500 was sent) and its path. */
  failedUpgrades: Array<{ at: number; path: string }>;
}

async function pollingServer(cleanup: Cleanup, name: string): Promise<PollingServer> {
  const failedUpgrades: PollingServer['failedUpgrades'] = [];
  const standin = await startSynapStandin({
    port: 0,
    websocket: 'broken',
    // The stand-in logs each answered request as "METHOD URL STATUS" once it is sent.
    log: (line) => {
      const match = /^GET (\/stream\/[^/?]+\/ws\/\S*) 500$/.exec(line);
      if (match?.[1]) failedUpgrades.push({ at: Date.now(), path: match[1] });
    },
  });
  cleanup.add(`stand-in (${name})`, () => standin.close());
  return { standin, url: standin.url, failedUpgrades };
}

export async function publish(server: string, stream: string, event: string, data: unknown) {
  const response = await fetch(`${server}/stream/${encodeURIComponent(stream)}/publish`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ event, data }),
  });
  if (!response.ok) throw new Error(`publish to ${stream}: ${response.status}`);
}

/** A chat message the way the seed's JavaScript publishers write one: data = a JSON string. */
export function seedMessage(userId: string, message: string): string {
  return JSON.stringify({ user_id: userId, message, timestamp: Date.now() });
}

// --- one user ----------------------------------------------------------------------------

export interface User {
  context: BrowserContext;
  page: Page;
  prefix: string;
  clickedAt: number;
  liveAt: number;
  close(): Promise<void>;
}

/**
 * A fresh profile through the first-run form, until the room on screen is "Live · polling"
 * (or "Live" over the WebSocket, in socket mode). `initScripts` run in every page before the
 * app's own scripts.
 */
export async function firstRun(
  env: Pick<PageBench, 'browser' | 'appUrl' | 'cleanup' | 'problems'>,
  server: { url: string },
  name: string,
  mode: PageMode = 'polling',
  initScripts: readonly string[] = [],
): Promise<User> {
  const prefix = `bench-${randomBytes(3).toString('hex')}-`;
  const context = await env.browser.newContext(DESKTOP);
  const close = env.cleanup.add(`browser context ${prefix}`, () => context.close());
  await context.addInitScript({ content: watchLive(mode === 'polling') });
  for (const content of initScripts) await context.addInitScript({ content });
  const page = await context.newPage();
  page.on('pageerror', (error) => env.problems.push(`${prefix}: ${error.message}`));
  page.on('dialog', (dialog) => {
    env.problems.push(`${prefix}: dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  await page.goto(env.appUrl);
  await page.getByLabel('Display name').fill(name);
  await page.getByLabel('Server URL').fill(server.url);
  await page.getByLabel('Room prefix').fill(prefix);
  const clickedAt = Date.now();
  await page.getByRole('button', { name: 'Start chatting' }).click();
  try {
    await waitForTruthy(page, 'window.__benchLiveAt > 0', {
      timeout: LIVE_TIMEOUT_MS,
      polling: 50,
    });
  } catch {
    const status = await page
      .getByRole('status')
      .allTextContents()
      .catch(() => []);
    throw new Error(
      `the page never went "${mode === 'polling' ? 'Live · polling' : 'Live'}" within ` +
        `${LIVE_TIMEOUT_MS / 1000} s ` +
        `(status: ${JSON.stringify(status)})`,
    );
  }
  const liveAt = await page.evaluate<number>('window.__benchLiveAt');
  return { context, page, prefix, clickedAt, liveAt, close };
}

async function waitLive(page: Page, mode: PageMode): Promise<void> {
  await page
    .getByRole('status')
    .filter({ hasText: mode === 'polling' ? /Live\s*·\s*polling/ : /^\s*Live\s*$/ })
    .first()
    .waitFor({ timeout: LIVE_TIMEOUT_MS });
}

/** Joins (or creates) a room through the room list's form; the app then shows it. */
export async function joinRoom(page: Page, room: string, mode: PageMode = 'polling') {
  const input = page.getByLabel('Room name');
  await input.fill(room);
  await input.press('Enter');
  await page.getByRole('log', { name: `Messages in ${room}` }).waitFor({ timeout: 10_000 });
  await waitLive(page, mode);
}

async function selectRoom(page: Page, room: string): Promise<void> {
  await page
    .getByRole('navigation', { name: 'Rooms' })
    .getByRole('button', { name: room, exact: true })
    .click();
  await page.getByRole('log', { name: `Messages in ${room}` }).waitFor({ timeout: 10_000 });
}

/** Page clock minus Node clock (both Date.now()), from the middle of a round trip. */
export async function clockOffset(page: Page): Promise<{ offsetMs: number; roundTripMs: number }> {
  const samples: Array<{ offsetMs: number; roundTripMs: number }> = [];
  for (let i = 0; i < 5; i += 1) {
    const before = Date.now();
    const pageNow = await page.evaluate<number>('Date.now()');
    const after = Date.now();
    samples.push({ offsetMs: pageNow - (before + after) / 2, roundTripMs: after - before });
  }
  samples.sort((a, b) => a.roundTripMs - b.roundTripMs);
  return samples[0] ?? { offsetMs: NaN, roundTripMs: NaN };
}

// --- the figures -------------------------------------------------------------------------

/**
 * Fresh profiles timed from the first refused upgrade to "Live · polling", then publish →
 * paint in the room on screen, then delivery to a room that is not on screen (figures 4, 1, 2).
 */
export async function latencyFigures(env: PageBench): Promise<void> {
  const { figures, sizes } = env;
  const server = await pollingServer(env.cleanup, 'latency');

  // 4. First run to "Live · polling", each in a fresh browser context (empty localStorage).
  const runs: Array<{ failureToLiveMs: number; clickToLiveMs: number; failedUpgrades: number }> =
    [];
  let user: User | null = null;
  for (let i = 0; i < sizes.firstRuns; i += 1) {
    await user?.close();
    user = await firstRun(env, server, `reader${i + 1}`);
    const path = `/stream/${encodeURIComponent(user.prefix)}`;
    const clickedAt = user.clickedAt;
    const failures = server.failedUpgrades.filter(
      (failure) => failure.path.startsWith(path) && failure.at >= clickedAt,
    );
    const first = failures[0];
    if (!first) throw new Error('live · polling without a failed upgrade first');
    runs.push({
      failureToLiveMs: user.liveAt - first.at,
      clickToLiveMs: user.liveAt - clickedAt,
      failedUpgrades: failures.length,
    });
  }
  if (!user) return;
  figures.detail('firstRun', {
    runs,
    clock: await clockOffset(user.page),
  });
  figures.record({
    figure: `polling: first failed upgrade → "Live · polling", fresh profile (median of ${runs.length})`,
    value: percentile(
      runs.map((run) => run.failureToLiveMs),
      50,
    ),
    unit: 'ms',
    target: 3_000,
    kind: 'max',
    note:
      'From the stand-in sending the 500 for the first WebSocket upgrade to the frame that ' +
      'shows "Live · polling"; the first run also reads the room and its history.',
  });

  // 1. Publish → paint in the room on screen.
  try {
    await paintFigure(env, server, user);
  } catch (error) {
    figures.errors.push(`publish → paint: ${error instanceof Error ? error.message : error}`);
  }
  // 2. Delivery to a joined room that is not on screen.
  try {
    await backgroundFigure(env, server, user);
  } catch (error) {
    figures.errors.push(`background room: ${error instanceof Error ? error.message : error}`);
  }
  await user.close();
}

async function paintFigure(env: PageBench, server: PollingServer, user: User): Promise<void> {
  const { figures, sizes } = env;
  const { page } = user;
  const stream = `${user.prefix}general`;
  await page.evaluate(watchPaint('general'));
  const count = sizes.paintMessages;
  const [minGap, maxGap] = sizes.paintGapMs;
  const sentAt: number[] = [];
  let next = Date.now() + 100;
  for (let i = 0; i < count; i += 1) {
    await sleep(next - Date.now());
    sentAt.push(Date.now());
    await publish(server.url, stream, 'message', seedMessage('bench-peer', `paint-${i}`));
    next += minGap + Math.random() * (maxGap - minGap);
  }
  const publishedFor = Date.now() - (sentAt[0] ?? Date.now());
  await waitForTruthy(
    page,
    `Object.values(window.__benchPaint).filter((t) => t > 0).length >= ${count}`,
    { timeout: 10_000, polling: 100 },
  ).catch(() => {});
  const painted = await page.evaluate<Record<string, number>>('window.__benchPaint');
  const phases = await page.evaluate<Record<string, [number, number]>>('window.__benchPaintPhases');
  const consumes = await page.evaluate<Array<[number, number]>>(CONSUME_TIMINGS);
  const latencies: number[] = [];
  // Where the time goes, per message: the consume answer that brought it → the DOM change
  // (the app's own work), and the DOM change → the frame that paints it.
  const answerToDom: number[] = [];
  const domToFrame: number[] = [];
  let missing = 0;
  sentAt.forEach((sent, i) => {
    const at = painted[String(i)];
    if (!at || at <= 0) {
      missing += 1;
      return;
    }
    latencies.push(at - sent);
    const [observedAt, frameAt] = phases[String(i)] ?? [NaN, NaN];
    const answeredAt = Math.max(
      ...consumes.filter(([, end]) => end <= observedAt).map(([, end]) => end),
    );
    answerToDom.push(observedAt - answeredAt);
    domToFrame.push(frameAt - observedAt);
  });
  const rate = (count - 1) / (publishedFor / 1000);
  const spread = (values: number[]) => ({
    p50: Math.round(percentile(values, 50) * 10) / 10,
    p95: Math.round(percentile(values, 95) * 10) / 10,
  });
  const pollGaps = consumes
    .slice(1)
    .map(([start], i) => start - (consumes[i]?.[1] ?? start))
    .filter((gap) => gap >= 0);
  figures.detail('publishToPaint', {
    messages: count,
    publishedPerSecond: Math.round(rate * 10) / 10,
    missing,
    latenciesMs: latencies.map(Math.round),
    consumeAnswerToDomMs: spread(answerToDom),
    domToFrameMs: spread(domToFrame),
    consumeRequests: consumes.length,
    consumeDurationMs: spread(consumes.map(([start, end]) => end - start)),
    pauseBetweenPollsMs: spread(pollGaps),
  });
  if (missing > 0) throw new Error(`${missing} of ${count} messages never painted`);
  for (const [p, target] of [
    [50, 300],
    [95, 600],
  ] as const) {
    figures.record({
      figure: `polling: publish → paint, room on screen, p${p} (${count} messages, ${rate.toFixed(1)}/s)`,
      value: percentile(latencies, p),
      unit: 'ms',
      target,
      kind: 'max',
      note:
        'Node publishes over REST (seed message format) at a steady rate with random gaps; ' +
        'the page notes the frame after a MutationObserver on the timeline sees the text.',
    });
  }
}

async function backgroundFigure(env: PageBench, server: PollingServer, user: User): Promise<void> {
  const { figures, sizes } = env;
  const { page } = user;
  const room = 'side';
  await joinRoom(page, room);
  await selectRoom(page, 'general');
  await page.evaluate(watchUnread(room));
  await sleep(1_000);
  const delays: number[] = [];
  for (let n = 1; n <= sizes.backgroundMessages; n += 1) {
    // A random pause, so that messages land at random points of the room's poll cycle.
    await sleep(500 + Math.random() * 1_500);
    const sent = Date.now();
    await publish(
      server.url,
      `${user.prefix}${room}`,
      'message',
      seedMessage('bench-peer', `background-${n}`),
    );
    await waitForTruthy(page, `(window.__benchUnread.at[${n}] || 0) > 0`, {
      timeout: 15_000,
      polling: 100,
    });
    const at = await page.evaluate<number>(`window.__benchUnread.at[${n}]`);
    delays.push(at - sent);
  }
  figures.detail('backgroundRoomDelivery', { delaysMs: delays.map(Math.round) });
  const note =
    'A second joined room, not on screen: from the REST publish to the frame whose room ' +
    'list shows the new unread count.';
  figures.record({
    figure: `polling: delivery to a background room, median (${delays.length} message${delays.length === 1 ? '' : 's'})`,
    value: percentile(delays, 50),
    unit: 'ms',
    target: 5_000,
    kind: 'max',
    note,
  });
  figures.record({
    figure: `polling: delivery to a background room, max (${delays.length} message${delays.length === 1 ? '' : 's'})`,
    value: Math.max(...delays),
    unit: 'ms',
    target: 5_000,
    kind: 'max',
    note,
  });
}

interface RateWindow {
  label: string;
  seconds: number;
  perSecond: number;
  counts: RequestCounts;
  /** Requests in each second of the window (total, then consume). */
  totalBySecond: number[];
  consumeBySecond: number[];
}

async function rateWindow(standin: SynapStandin, label: string, ms: number): Promise<RateWindow> {
  standin.resetRequestCounts();
  const started = Date.now();
  const totalBySecond: number[] = [];
  const consumeBySecond: number[] = [];
  let last = standin.requestCounts();
  while (Date.now() - started < ms) {
    await sleep(Math.min(1_000, ms - (Date.now() - started)));
    const now = standin.requestCounts();
    totalBySecond.push(now.total - last.total);
    consumeBySecond.push(now.consume - last.consume);
    last = now;
  }
  const seconds = (Date.now() - started) / 1000;
  return {
    label,
    seconds,
    perSecond: last.total / seconds,
    counts: last,
    totalBySecond,
    consumeBySecond,
  };
}

/** Requests per second one page makes, counted at a stand-in only it uses (figure 3). */
export async function rateFigures(env: PageBench): Promise<void> {
  const { figures, sizes } = env;
  const server = await pollingServer(env.cleanup, 'request rates');
  const user = await firstRun(env, server, 'watcher');
  const { page } = user;
  const windows: RateWindow[] = [];
  const hide = async (hidden: boolean) => {
    const state = await page.evaluate<string>(setHidden(hidden));
    if (state !== (hidden ? 'hidden' : 'visible')) throw new Error(`visibilityState ${state}`);
  };
  const measure = async (label: string) =>
    windows.push(await rateWindow(server.standin, label, sizes.rateWindowMs));

  await sleep(1_000);
  await measure('1 joined room, tab visible');
  await hide(true);
  await sleep(1_500); // the poll already scheduled at the visible pace goes first
  await measure('1 joined room, tab hidden');
  await hide(false);
  for (let i = 2; i <= sizes.manyRooms; i += 1) await joinRoom(page, `room${i}`);
  await selectRoom(page, 'general');
  await sleep(2_000);
  await measure(`${sizes.manyRooms} joined rooms, tab visible`);
  await hide(true);
  await sleep(1_500);
  await measure(`${sizes.manyRooms} joined rooms, tab hidden`);
  await user.close();

  figures.detail('requestRates', windows);
  const seconds = Math.round(sizes.rateWindowMs / 1000);
  for (const window of windows) {
    figures.record({
      figure: `polling: requests/s per client, ${window.label} (${seconds} s, quiet)`,
      value: window.perSecond,
      unit: 'req/s',
      target: null,
      kind: 'max',
      note:
        'Every HTTP request the stand-in received from one page (polls, stats, presence ' +
        'publishes and their CORS preflights, room list) over the window; nobody chats. ' +
        '"general" is on screen and was last active when the window started (going live or ' +
        "being selected); the page's own presence heartbeat every 30 s counts as activity.",
    });
  }
}
