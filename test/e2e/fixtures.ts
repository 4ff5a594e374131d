// Helpers for the end-to-end tests: users in their own browser contexts, the chat's main
// landmarks found by role and label, and direct REST access to the Synap stand-in.
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  test as base,
  expect,
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  type Locator,
  type Page,
} from '@playwright/test';
import { startSynapStandin, type SynapStandin } from '../standin/server';
import { E2E_SYNAP_URL, E2E_SYNAP_URLS, type SynapMode, type SynapModeOptions } from './servers';

export { expect };
export type { SynapMode };

/**
 * The shared socket-mode stand-in started by playwright.config.ts: the built app's default
 * server. Tests that run in both modes use the `synapUrl` fixture instead.
 */
export const SYNAP_URL = E2E_SYNAP_URL;

/** Cross-user delivery goes browser → server → (100 ms poll) → browser on a busy machine. */
export const DELIVERY_TIMEOUT_MS = 20_000;

export const DESKTOP: BrowserContextOptions = { viewport: { width: 1280, height: 800 } };
export const PHONE: BrowserContextOptions = {
  viewport: { width: 390, height: 844 },
  isMobile: true,
  hasTouch: true,
  deviceScaleFactor: 2,
};

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const SCREENSHOT_DIR = path.resolve(HERE, '../../test-results/screenshots');

/** A room prefix no other test uses, so `general` is a fresh stream for this test. */
export function uniquePrefix(label = 'e2e'): string {
  return `${label}-${randomBytes(4).toString('hex')}-`;
}

export function screenshotPath(name: string): string {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  return path.join(SCREENSHOT_DIR, `${name}.png`);
}

// --- locators ----------------------------------------------------------------------------

export const timeline = (page: Page, room = 'general'): Locator =>
  page.getByRole('log', { name: `Messages in ${room}` });

export const composer = (page: Page): Locator =>
  page.getByRole('textbox', { name: 'Message', exact: true });

export const sendButton = (page: Page): Locator =>
  page.getByRole('button', { name: 'Send', exact: true });

export const connectionStatus = (page: Page): Locator => page.getByRole('status');

export const roomsNav = (page: Page): Locator => page.getByRole('navigation', { name: 'Rooms' });

export const onlineList = (page: Page): Locator => page.getByRole('list', { name: 'Online' });

/** The "Room info" panel as term → value, e.g. { 'Events stored': '5', Subscribers: '2', … }. */
export async function roomInfoValues(page: Page): Promise<Record<string, string>> {
  const info = page.getByRole('region', { name: 'Room info' });
  const terms = await info.getByRole('term').allTextContents();
  const values = await info.getByRole('definition').allTextContents();
  return Object.fromEntries(terms.map((term, i) => [term.trim(), (values[i] ?? '').trim()]));
}

/** Waits until Room info shows the event count (message_count) the server has for the stream. */
export async function expectRoomInfoInStep(page: Page, stream: string, server: string) {
  await expect
    .poll(
      async () => {
        const [shown, stats] = await Promise.all([
          roomInfoValues(page),
          streamStats(stream, server),
        ]);
        const count = String(stats.message_count);
        const stored = shown['Events stored'];
        return stored === count ? 'in step' : `shows ${stored}, server has ${count}`;
      },
      { timeout: DELIVERY_TIMEOUT_MS },
    )
    .toBe('in step');
}

/** The paragraphs of message text in a timeline (plus system lines and the history edge). */
export async function paragraphTexts(log: Locator): Promise<string[]> {
  return log.getByRole('paragraph').allTextContents();
}

/** Message texts in timeline order that start with `marker` (other lines filtered out). */
export async function markedTexts(log: Locator, marker: string): Promise<string[]> {
  return (await paragraphTexts(log)).map((text) => text.trim()).filter((t) => t.startsWith(marker));
}

// --- users -------------------------------------------------------------------------------

export interface ChatUser {
  name: string;
  context: BrowserContext;
  page: Page;
  /** Uncaught exceptions and alert()s seen in this user's pages. */
  problems: string[];
}

export interface SetupValues {
  name: string;
  prefix: string;
  serverUrl?: string;
}

export interface StartOptions {
  /** Another server than the shared stand-in (e.g. a private one). */
  serverUrl?: string;
  /** Opens `#/room/{room}` instead of the default room. */
  room?: string;
  context?: BrowserContextOptions;
}

export async function fillSetup(page: Page, values: SetupValues): Promise<void> {
  await page.getByLabel('Display name').fill(values.name);
  if (values.serverUrl !== undefined) await page.getByLabel('Server URL').fill(values.serverUrl);
  await page.getByLabel('Room prefix').fill(values.prefix);
}

/** The mode of the test this worker runs (one at a time), set by the `synapModeOfTest` fixture. */
let modeOfRunningTest: SynapMode | null = null;

export interface ExpectLiveOptions {
  timeout?: number;
  /** How the page's server follows rooms; the running test's mode by default. */
  mode?: SynapMode;
}

/**
 * Waits until the room on screen is live: "Live" on a socket; "Live · polling" where the
 * server's WebSocket is broken, with a "Why?" that tells it is about the WebSocket.
 */
export async function expectLive(page: Page, options: ExpectLiveOptions = {}): Promise<void> {
  const mode = options.mode ?? modeOfRunningTest;
  if (!mode) throw new Error('expectLive outside a test: pass the mode');
  const timeout = options.timeout ?? DELIVERY_TIMEOUT_MS;
  const status = connectionStatus(page);
  if (mode === 'socket') {
    await expect(status).toHaveText('Live', { timeout });
    return;
  }
  await expect(status).toHaveText(/^\s*Live · polling\s*Why\?\s*$/, { timeout });
  // The reason, opened and closed again; the focus goes back where it was (the composer).
  const why = status.getByRole('button', { name: 'Why?' });
  const focused = await page.evaluateHandle(() => document.activeElement);
  await why.click();
  await expect(why).toHaveAttribute('aria-expanded', 'true');
  const reasonId = await why.getAttribute('aria-controls');
  await expect(page.locator(`[id="${reasonId}"]`)).toContainText('WebSocket');
  await why.click();
  await expect(why).toHaveAttribute('aria-expanded', 'false');
  await focused.evaluate((element) => {
    if (element instanceof HTMLElement) element.focus();
  });
  await focused.dispose();
}

/** A touch screen's page: Enter in the composer is a new line there, and Send sends. */
export async function isTouchScreen(page: Page): Promise<boolean> {
  return page.evaluate(() => matchMedia('(pointer: coarse)').matches);
}

/**
 * Types into the composer and sends, with Enter (or on a touch screen, where Enter is a new
 * line, the Send button); waits until the composer is empty again.
 */
export async function sendMessage(page: Page, text: string): Promise<void> {
  const box = composer(page);
  await box.fill(text);
  if (await isTouchScreen(page)) await sendButton(page).click();
  else await box.press('Enter');
  await expect(box).toHaveValue('');
}

export interface Users {
  /** This test's room prefix. */
  readonly prefix: string;
  /** A new browser context on the app's first page, nothing filled in. */
  open(name: string, context?: BrowserContextOptions): Promise<ChatUser>;
  /** A new user through the first-run form, waiting until the room is live. */
  start(name: string, options?: StartOptions): Promise<ChatUser>;
}

function watch(user: ChatUser, page: Page): void {
  page.on('pageerror', (error) => user.problems.push(`pageerror: ${error.message}`));
  page.on('dialog', (dialog) => {
    user.problems.push(`dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
}

async function openUser(
  browser: Browser,
  name: string,
  contextOptions: BrowserContextOptions = DESKTOP,
  hash = '',
): Promise<ChatUser> {
  const context = await browser.newContext(contextOptions);
  const page = await context.newPage();
  const user: ChatUser = { name, context, page, problems: [] };
  context.on('page', (other) => watch(user, other));
  watch(user, page);
  await page.goto(`./${hash}`);
  return user;
}

export interface PrivateSynap {
  url: string;
  control(name: 'wipe' | 'drop-sockets' | 'compact'): Promise<void>;
  stall(on: boolean): Promise<void>;
  /** Stops the server (every connection refused from now on). */
  stop(): Promise<void>;
  /** Starts it again on the same port, empty, as a real restart leaves it. */
  restart(): Promise<void>;
}

interface Fixtures {
  /** The shared stand-in of this test's mode: where `users.start` signs in by default. */
  synapUrl: string;
  users: Users;
  privateSynap: PrivateSynap;
  /** Lets expectLive know the running test's mode. */
  synapModeOfTest: void;
}

/**
 * The test fixtures, in the mode the project sets (`synapMode`, see playwright.config.ts):
 * the same test code runs against a server with a working WebSocket and one without.
 */
export const test = base.extend<Fixtures & SynapModeOptions>({
  synapMode: ['socket', { option: true }],

  synapModeOfTest: [
    async ({ synapMode }, use) => {
      modeOfRunningTest = synapMode;
      await use();
      modeOfRunningTest = null;
    },
    { auto: true },
  ],

  synapUrl: async ({ synapMode }, use) => {
    await use(E2E_SYNAP_URLS[synapMode]);
  },

  users: async ({ browser, synapUrl }, use) => {
    const created: ChatUser[] = [];
    const prefix = uniquePrefix();
    const users: Users = {
      prefix,
      async open(name, context) {
        const user = await openUser(browser, name, context);
        created.push(user);
        return user;
      },
      async start(name, options = {}) {
        const hash = options.room ? `#/room/${encodeURIComponent(options.room)}` : '';
        const user = await openUser(browser, name, options.context, hash);
        created.push(user);
        const { page } = user;
        await fillSetup(page, { name, prefix, serverUrl: options.serverUrl ?? synapUrl });
        await page.getByRole('button', { name: 'Start chatting' }).click();
        await expect(timeline(page, options.room ?? 'general')).toBeVisible();
        await expectLive(page);
        return user;
      },
    };
    await use(users);
    const problems = created.flatMap((user) => user.problems.map((p) => `${user.name}: ${p}`));
    await Promise.all(created.map((user) => user.context.close()));
    expect(problems, 'uncaught errors or dialogs in the pages').toEqual([]);
  },

  // Wiping, dropping every socket or stopping the shared stand-in would disturb the tests
  // running next to this one, so the tests that do it get a stand-in of their own, with its
  // WebSocket broken in polling mode.
  privateSynap: async ({ synapMode }, use) => {
    const { synap, close } = await startPrivateSynap(synapMode);
    await use(synap);
    await close();
  },
});

// --- the server, over REST ------------------------------------------------------------------
// Each helper takes the server: the test's `synapUrl` (which depends on its mode), or a
// private stand-in's URL.

/** One stored event as REST consume returns it: `data` is the bytes of the JSON text. */
export interface RestEvent {
  offset: number;
  event: string;
  data: number[];
  timestamp: number;
}

async function rest(method: string, url: string, json?: unknown): Promise<unknown> {
  const response = await fetch(url, {
    method,
    headers: json === undefined ? {} : { 'Content-Type': 'application/json' },
    body: json === undefined ? undefined : JSON.stringify(json),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${url}: ${response.status} ${text}`);
  return text ? (JSON.parse(text) as unknown) : null;
}

const streamUrl = (stream: string, server: string) =>
  `${server}/stream/${encodeURIComponent(stream)}`;

/** Get-or-create (publishing never creates a room). */
export async function ensureStream(stream: string, server: string): Promise<void> {
  await rest('PUT', streamUrl(stream, server));
}

/** Publishes one event the way the seed's publishers do: `data` as it is given. */
export async function publishViaRest(
  stream: string,
  event: string,
  data: unknown,
  server: string,
): Promise<number> {
  const answer = (await rest('POST', `${streamUrl(stream, server)}/publish`, { event, data })) as {
    offset: number;
  };
  return answer.offset;
}

/**
 * Publishes many events at once, in order, each as `publishViaRest` would (a stand-in test
 * control: fills a big room in one request); returns their offsets.
 */
export async function publishManyViaControl(
  stream: string,
  events: readonly { event: string; data: unknown }[],
  server: string,
): Promise<number[]> {
  const url = `${server}/__standin/publish-many?room=${encodeURIComponent(stream)}`;
  const answer = (await rest('POST', url, events)) as { offsets: number[] };
  return answer.offsets;
}

/** A chat message as the app (and the seed's JavaScript) writes it: data = a JSON string. */
export function messageData(userId: string, message: string, timestamp = Date.now()): string {
  return JSON.stringify({ user_id: userId, message, timestamp });
}

export async function consumeAll(
  stream: string,
  server: string,
  subscriber = 'e2e-reader',
): Promise<RestEvent[]> {
  const answer = (await rest(
    'GET',
    `${streamUrl(stream, server)}/consume/${subscriber}?from_offset=0&limit=100000`,
  )) as { events: RestEvent[] };
  return answer.events;
}

/**
 * The seed's way of reading a REST event: the bytes are the JSON text of what was published
 * (a JSON string, for the seed's publishers), and the seed's readers JSON.parse that string.
 */
export function seedDecodeRestEvent(event: RestEvent): Record<string, unknown> {
  const published = JSON.parse(new TextDecoder().decode(Uint8Array.from(event.data))) as unknown;
  const payload = typeof published === 'string' ? (JSON.parse(published) as unknown) : published;
  return payload as Record<string, unknown>;
}

export async function streamStats(
  stream: string,
  server: string,
): Promise<{ message_count: number; subscriber_count: number; total_published: number }> {
  return (await rest('GET', `${streamUrl(stream, server)}/stats`)) as {
    message_count: number;
    subscriber_count: number;
    total_published: number;
  };
}

/** The `message` events of a stream, decoded the seed's way. */
export async function publishedMessages(
  stream: string,
  server: string,
): Promise<Array<{ user_id: unknown; message: unknown }>> {
  const events = await consumeAll(stream, server);
  return events
    .filter((event) => event.event === 'message')
    .map((event) => seedDecodeRestEvent(event) as { user_id: unknown; message: unknown });
}

// --- several private stand-ins ----------------------------------------------------------------
// For the tests of rooms spread over several servers (servers.spec.ts): each stand-in can be
// stopped and restarted (empty) on its own, like `privateSynap`.

export interface PrivateSynaps {
  /** Starts `count` private stand-ins of this test's mode, all stopped after the test. */
  start(count: number): Promise<PrivateSynap[]>;
}

/** One private stand-in, as the `privateSynap` fixture gives it, plus a way to end it. */
async function startPrivateSynap(
  mode: SynapMode,
): Promise<{ synap: PrivateSynap; close: () => Promise<void> }> {
  const options = {
    host: '127.0.0.1',
    testControls: true,
    websocket: mode === 'polling' ? ('broken' as const) : ('working' as const),
  };
  let standin: SynapStandin | null = await startSynapStandin({ ...options, port: 0 });
  const { url, port } = standin;
  const post = async (name: string, body?: unknown) => {
    const response = await fetch(`${url}/__standin/${name}`, {
      method: 'POST',
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`/__standin/${name}: ${response.status}`);
  };
  const synap: PrivateSynap = {
    url,
    control: (name) => post(name),
    stall: (on) => post('stall', { on }),
    async stop() {
      await standin?.close();
      standin = null;
    },
    async restart() {
      await standin?.close();
      standin = await startSynapStandin({ ...options, port });
    },
  };
  const close = async () => {
    await standin?.close();
    standin = null;
  };
  return { synap, close };
}

/** `test` plus `privateSynaps`: any number of private stand-ins of the test's mode. */
export const multiServerTest = test.extend<{ privateSynaps: PrivateSynaps }>({
  privateSynaps: async ({ synapMode }, use) => {
    const closers: Array<() => Promise<void>> = [];
    await use({
      async start(count) {
        const started = await Promise.all(
          Array.from({ length: count }, () => startPrivateSynap(synapMode)),
        );
        closers.push(...started.map((one) => one.close));
        return started.map((one) => one.synap);
      },
    });
    await Promise.all(closers.map((close) => close()));
  },
});

/** The streams a server lists (GET /stream/list). */
export async function listStreams(server: string): Promise<string[]> {
  const answer = (await rest('GET', `${server}/stream/list`)) as { rooms: string[] };
  return answer.rooms;
}
