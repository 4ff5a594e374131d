// Rooms over several Synap servers (docs/multi-server.md): one user with 6 joined rooms, all
// on one stand-in, then the same 6 room ids over 3 stand-ins, 2 on each (ids chosen with the
// app's own placeRoom). Publish → paint in the room on screen (polling and WebSocket mode),
// requests per second counted at the stand-ins (polling, tab visible, quiet) and the
// WebSockets the page holds open (WebSocket mode).
import type { Page } from 'playwright-core';
import { placeRoom } from '../../src/lib/servers/placement';
import { startSynapStandin, type SynapStandin } from '../../test/standin/server';
import { watchPaint } from './in-page';
import {
  firstRun,
  joinRoom,
  publish,
  seedMessage,
  sleep,
  waitForTruthy,
  type PageBench,
  type PageMode,
} from './page-figures';
import { percentile } from './report';

export interface ServerSizes {
  /** Messages published into the room on screen, one every paintGapMs (seeded, in range). */
  paintMessages: number;
  paintGapMs: readonly [number, number];
  /** The polling request-rate window. */
  rateWindowMs: number;
  /** From the last room joined to the measurements. */
  settleMs: number;
  /** A smoke run: 3 servers only, both modes at once (to stay short). */
  smoke: boolean;
}

export const SERVER_SIZES: ServerSizes = {
  paintMessages: 60,
  paintGapMs: [150, 350],
  rateWindowMs: 30_000,
  settleMs: 2_000,
  smoke: false,
};

export const SERVER_SMOKE_SIZES: ServerSizes = {
  paintMessages: 5,
  paintGapMs: [150, 350],
  rateWindowMs: 2_000,
  settleMs: 500,
  smoke: true,
};

type ServerBench = Omit<PageBench, 'sizes'>;

const ROOMS = 6;
const SERVERS = 3;
const ON_SCREEN = 'general';

/** Init script: `window.__benchSockets`, how many of the page's WebSockets are open now. */
const COUNT_SOCKETS = `(() => {
  const Native = window.WebSocket;
  if (!Native || window.__benchSockets !== undefined) return;
  window.__benchSockets = 0;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      let open = false;
      this.addEventListener('open', () => {
        open = true;
        window.__benchSockets += 1;
      });
      this.addEventListener('close', () => {
        if (open) window.__benchSockets -= 1;
        open = false;
      });
    }
  };
})()`;

/** "general" (the first run's room), then the first roomN ids that give each server its share. */
function chooseRooms(prefix: string, urls: readonly string[]): string[] {
  const share = ROOMS / urls.length;
  const owned = new Map(urls.map((url) => [url, 0]));
  const rooms: string[] = [];
  for (let n = 0; rooms.length < ROOMS; n += 1) {
    const room = n === 0 ? ON_SCREEN : `room${n}`;
    const server = placeRoom(`${prefix}${room}`, urls);
    const count = owned.get(server) ?? share;
    if (count >= share) continue;
    owned.set(server, count + 1);
    rooms.push(room);
  }
  return rooms;
}

async function selectRoom(page: Page, room: string): Promise<void> {
  await page
    .getByRole('navigation', { name: 'Rooms' })
    .getByRole('button', { name: room, exact: true })
    .click();
  await page.getByRole('log', { name: `Messages in ${room}` }).waitFor({ timeout: 10_000 });
}

/** The same pauses on every run (a small LCG), so 1 and 3 servers get the same schedule. */
function gaps(sizes: ServerSizes): number[] {
  const [min, max] = sizes.paintGapMs;
  let seed = 12;
  return Array.from({ length: sizes.paintMessages }, () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return min + (seed / 2 ** 31) * (max - min);
  });
}

interface Run {
  mode: PageMode;
  servers: number;
  rooms: string[];
  /** Where each room lives, by the placement. */
  placement: Record<string, string>;
  paintMs: number[];
  publishedPerSecond: number;
  requestsPerSecond?: number;
  requestsByServer?: Record<string, unknown>;
  socketsOpen?: number;
  upgradesByServer?: Record<string, number>;
}

/** One user, live on `standins`, with the 6 rooms joined and "general" on screen. */
async function measure(
  env: ServerBench,
  sizes: ServerSizes,
  mode: PageMode,
  standins: readonly SynapStandin[],
  roomIds: string[] | null,
): Promise<Run> {
  const urls = standins.map((standin) => standin.url);
  for (const standin of standins) standin.resetRequestCounts();
  const user = await firstRun(env, { url: urls.join(', ') }, 'servers', mode, [COUNT_SOCKETS]);
  const { page, prefix } = user;
  const rooms = roomIds ?? chooseRooms(prefix, urls);
  for (const room of rooms) if (room !== ON_SCREEN) await joinRoom(page, room, mode);
  await selectRoom(page, ON_SCREEN);
  await sleep(sizes.settleMs);
  const run: Run = {
    mode,
    servers: urls.length,
    rooms,
    placement: Object.fromEntries(rooms.map((room) => [room, placeRoom(`${prefix}${room}`, urls)])),
    paintMs: [],
    publishedPerSecond: NaN,
  };

  if (mode === 'socket') {
    run.socketsOpen = await page.evaluate<number>('window.__benchSockets');
    run.upgradesByServer = Object.fromEntries(
      standins.map((standin) => [standin.url, standin.requestCounts().upgrades]),
    );
  } else {
    for (const standin of standins) standin.resetRequestCounts();
    const started = Date.now();
    await sleep(sizes.rateWindowMs);
    const counts = standins.map((standin) => standin.requestCounts());
    const seconds = (Date.now() - started) / 1000;
    run.requestsPerSecond = counts.reduce((sum, count) => sum + count.total, 0) / seconds;
    run.requestsByServer = Object.fromEntries(counts.map((count, i) => [urls[i], count]));
  }

  // Publish → paint: REST publishes to the owner of the room on screen.
  const stream = `${prefix}${ON_SCREEN}`;
  const owner = placeRoom(stream, urls);
  await page.evaluate(watchPaint(ON_SCREEN));
  const sentAt: number[] = [];
  let next = Date.now() + 100;
  for (const [i, gap] of gaps(sizes).entries()) {
    await sleep(next - Date.now());
    sentAt.push(Date.now());
    await publish(owner, stream, 'message', seedMessage('bench-peer', `paint-${i}`));
    next += gap;
  }
  run.publishedPerSecond = (sentAt.length - 1) / ((Date.now() - (sentAt[0] ?? 0)) / 1000);
  const count = sentAt.length;
  await waitForTruthy(
    page,
    `Object.values(window.__benchPaint).filter((t) => t > 0).length >= ${count}`,
    { timeout: 10_000, polling: 100 },
  ).catch(() => {});
  const painted = await page.evaluate<Record<string, number>>('window.__benchPaint');
  run.paintMs = sentAt.map((sent, i) => (painted[String(i)] ?? 0) - sent).filter((ms) => ms > 0);
  await user.close();
  const missing = count - run.paintMs.length;
  if (missing > 0)
    throw new Error(
      `${mode}, ${urls.length} server(s): ${missing} of ${count} messages never painted`,
    );
  return run;
}

export async function serverFigures(env: ServerBench, sizes: ServerSizes): Promise<void> {
  const { figures } = env;
  // Per mode, 3 stand-ins; 3 servers first: that user's placement picks the room ids, which
  // the user on 1 server (the first stand-in) then joins too.
  const byMode = async (mode: PageMode): Promise<Run[]> => {
    const standins: SynapStandin[] = [];
    for (let i = 0; i < SERVERS; i += 1) {
      const websocket = mode === 'polling' ? 'broken' : 'working';
      const standin = await startSynapStandin({ port: 0, websocket });
      env.cleanup.add(`stand-in (servers, ${mode} ${i + 1})`, () => standin.close());
      standins.push(standin);
    }
    const spread = await measure(env, sizes, mode, standins, null);
    if (sizes.smoke) return [spread];
    return [await measure(env, sizes, mode, standins.slice(0, 1), spread.rooms), spread];
  };
  const runs = sizes.smoke
    ? (await Promise.all([byMode('polling'), byMode('socket')])).flat()
    : [...(await byMode('polling')), ...(await byMode('socket'))];
  figures.detail('servers', runs);

  const on = (run: Run) => `${ROOMS} rooms on ${run.servers} server${run.servers > 1 ? 's' : ''}`;
  for (const run of runs) {
    for (const p of [50, 95]) {
      figures.record({
        figure: `servers: publish → paint, room on screen, p${p}, ${run.mode === 'socket' ? 'WebSocket' : 'polling'} (${on(run)}, ${run.paintMs.length} messages, ${run.publishedPerSecond.toFixed(1)}/s)`,
        value: percentile(run.paintMs, p),
        unit: 'ms',
        target: null,
        kind: 'max',
        note:
          'REST publishes (seed format, the same seeded gaps every run) to the server that owns ' +
          'the room on screen; the page notes the frame after a MutationObserver sees the text.',
      });
    }
  }
  const seconds = Math.round(sizes.rateWindowMs / 1000);
  for (const run of runs.filter((run) => run.requestsPerSecond !== undefined)) {
    figures.record({
      figure: `servers: requests/s per client, polling, tab visible, all servers (${on(run)}, ${seconds} s, quiet)`,
      value: run.requestsPerSecond ?? NaN,
      unit: 'req/s',
      target: null,
      kind: 'max',
      note: 'Every HTTP request one page made, summed over stand-ins only it uses; nobody chats.',
    });
  }
  for (const run of runs.filter((run) => run.socketsOpen !== undefined)) {
    figures.record({
      figure: `servers: WebSockets open per client (${on(run)})`,
      value: run.socketsOpen ?? NaN,
      unit: '',
      target: ROOMS,
      kind: 'max',
      note: "The page's open WebSockets, all rooms live and settled: one per room is expected.",
    });
  }
}
