// Tabs of one browser: what the server sees from one user with 1 and with 3 tabs open (the
// tabs share one connection per room through a leader tab), and how long the room is
// without a connection when the leader tab closes.
import type { Page } from 'playwright-core';
import { startSynapStandin, type SynapStandin } from '../../test/standin/server';
import {
  firstRun,
  publish,
  seedMessage,
  sleep,
  waitForTruthy,
  type PageBench,
  type PageMode,
} from './page-figures';

const LIVE_TIMEOUT_MS = 20_000;

async function waitLive(page: Page, mode: PageMode): Promise<void> {
  await page
    .getByRole('status')
    .filter({ hasText: mode === 'polling' ? /Live\s*·\s*polling/ : /^\s*Live\s*$/ })
    .first()
    .waitFor({ timeout: LIVE_TIMEOUT_MS });
}

interface Browserful {
  standin: SynapStandin;
  pages: Page[];
  prefix: string;
  close(): Promise<void>;
}

/** One user with `tabs` tabs of the app open on a stand-in of their own, all live. */
async function openTabs(env: PageBench, mode: PageMode, tabs: number): Promise<Browserful> {
  const standin = await startSynapStandin({
    port: 0,
    websocket: mode === 'polling' ? 'broken' : 'working',
  });
  const closeStandin = env.cleanup.add(`stand-in (${tabs} tabs)`, () => standin.close());
  const user = await firstRun(env, standin, 'tabs', mode);
  const pages = [user.page];
  for (let i = 1; i < tabs; i += 1) {
    const page = await user.context.newPage();
    page.on('pageerror', (error) => env.problems.push(`tabs: ${error.message}`));
    await page.goto(env.appUrl);
    await waitLive(page, mode);
    pages.push(page);
  }
  return {
    standin,
    pages,
    prefix: user.prefix,
    close: async () => {
      await user.close();
      await closeStandin();
    },
  };
}

export async function tabFigures(env: PageBench): Promise<void> {
  const { figures, sizes } = env;
  const seconds = Math.round(sizes.rateWindowMs / 1000);
  for (const tabs of [1, 3]) {
    // Sockets: every accepted upgrade since the first tab opened, all tabs live and settled.
    const socket = await openTabs(env, 'socket', tabs);
    await sleep(2_000);
    figures.record({
      figure: `tabs: WebSockets per browser, 1 room, ${tabs} tab${tabs > 1 ? 's' : ''} open`,
      value: socket.standin.requestCounts().upgrades,
      unit: '',
      target: tabs === 1 ? null : 1,
      kind: 'max',
      note: 'Accepted upgrades at a stand-in only this browser uses, from the first tab opened.',
    });
    if (tabs === 3) await handoverFigure(env, socket);
    await socket.close();

    // Requests per second with polling, all tabs visible, nobody chatting.
    const polling = await openTabs(env, 'polling', tabs);
    await sleep(1_000);
    polling.standin.resetRequestCounts();
    const started = Date.now();
    await sleep(sizes.rateWindowMs);
    const perSecond = polling.standin.requestCounts().total / ((Date.now() - started) / 1000);
    figures.record({
      figure: `tabs: requests/s per browser, polling, 1 room, ${tabs} tab${tabs > 1 ? 's' : ''} visible (${seconds} s, quiet)`,
      value: perSecond,
      unit: 'req/s',
      target: null,
      kind: 'max',
      note: 'Every HTTP request one browser made to a stand-in with a broken WebSocket.',
    });
    await polling.close();
  }
}

/** The leader (the first tab) closes; a message published at once shows in another tab. */
async function handoverFigure(env: PageBench, browser: Browserful): Promise<void> {
  const [leader, follower] = browser.pages;
  if (!leader || !follower) return;
  const text = `after the handover ${Date.now()}`;
  const closedAt = Date.now();
  await leader.close({ runBeforeUnload: true });
  await publish(
    browser.standin.url,
    `${browser.prefix}general`,
    'message',
    seedMessage('bob', text),
  );
  await waitForTruthy(follower, `document.body.innerText.includes(${JSON.stringify(text)})`, {
    timeout: LIVE_TIMEOUT_MS,
    polling: 10,
  });
  env.figures.record({
    figure: 'tabs: leader tab closed → a new message painted in another tab (3 tabs, WebSocket)',
    value: Date.now() - closedAt,
    unit: 'ms',
    target: 2_000,
    kind: 'max',
    note: 'From closing the tab that holds the socket to a message published right then painted.',
  });
}
