// The built page's Content-Security-Policy (vite.config.ts puts it in a <meta>): strict, true
// to the inline script and style it allows, enforced, and never in the way of a normal chat,
// whether the build is served or opened from disk (file://).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  expect,
  publishViaRest,
  sendMessage,
  test,
  timeline,
  DELIVERY_TIMEOUT_MS,
} from '../fixtures';
import { checkTrapsArmed, startChatting, trapReport, trappedContext } from './page-trap';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
/** The build playwright.config.ts made and serves (a folder of its own per E2E_PORT_OFFSET). */
const RUN_SUFFIX = process.env.E2E_PORT_OFFSET ? `-${process.env.E2E_PORT_OFFSET}` : '';
const BUILT_INDEX = path.join(ROOT, `test-results/e2e-app${RUN_SUFFIX}`, 'index.html');
const delivered = { timeout: DELIVERY_TIMEOUT_MS };

function policyOf(html: string): Map<string, string[]> {
  const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]*)"/.exec(html);
  if (!meta?.[1]) throw new Error('the built page has no Content-Security-Policy meta');
  return new Map(
    meta[1]
      .split(';')
      .map((directive) => directive.trim().split(/\s+/))
      .filter((words) => words[0])
      .map(([name = '', ...sources]) => [name, sources]),
  );
}

function inlineHashes(html: string, tag: 'script' | 'style'): string[] {
  return [...html.matchAll(new RegExp(`<${tag}\\b[^>]*>([\\s\\S]*?)</${tag}>`, 'g'))].map(
    (match) =>
      `'sha256-${createHash('sha256')
        .update(match[1] ?? '')
        .digest('base64')}'`,
  );
}

test('the built page has a strict CSP that allows exactly its inline script and style', async ({
  request,
}) => {
  const html = readFileSync(BUILT_INDEX, 'utf8');
  // What is served is what was built.
  expect(await (await request.get('./')).text()).toBe(html);
  const policy = policyOf(html);
  const scripts = inlineHashes(html, 'script');
  const styles = inlineHashes(html, 'style');
  expect(scripts).toHaveLength(1);
  expect(policy.get('default-src')).toEqual(["'none'"]);
  expect(policy.get('script-src')).toEqual(scripts);
  expect(policy.get('style-src')).toEqual(styles);
  // The favicon is inline; the install icons the manifest names sit beside the page.
  expect(policy.get('img-src')).toEqual(['data:', "'self'"]);
  expect(policy.get('manifest-src')).toEqual(["'self'"]);
  expect(policy.get('worker-src')).toEqual(["'self'"]);
  expect(policy.get('connect-src')).toEqual(['http:', 'https:', 'ws:', 'wss:']);
  expect(policy.get('object-src')).toEqual(["'none'"]);
  expect(policy.get('base-uri')).toEqual(["'none'"]);
  expect(policy.get('form-action')).toEqual(["'none'"]);
  expect(policy.get('require-trusted-types-for')).toEqual(["'script'"]);
  // Svelte's templates, and the service worker's one script URL (src/lib/device/app-shell.ts).
  expect(policy.get('trusted-types')).toEqual(['svelte-trusted-html', 'synap-chat-sw']);
  for (const [directive, sources] of policy) {
    expect(sources, directive).not.toContain("'unsafe-inline'");
    expect(sources, directive).not.toContain("'unsafe-eval'");
    expect(sources, directive).not.toContain("'unsafe-hashes'");
    expect(sources, directive).not.toContain('*');
  }
  // The policy comes before everything it governs.
  const metaAt = html.indexOf('http-equiv="Content-Security-Policy"');
  for (const tag of ['<script', '<style', '<link']) {
    expect(html.indexOf(tag), tag).toBeGreaterThan(metaAt);
  }
  // Nothing else inline that the policy would refuse.
  expect(html).not.toMatch(/\son[a-z]+\s*=/i);
  expect(html).not.toMatch(/\sstyle\s*=/i);
});

test('served build: a whole chat under the CSP, no violation, raw HTML refused @core', async ({
  browser,
  synapUrl,
  synapMode,
  users,
}) => {
  const user = await trappedContext(browser);
  const { page } = user;
  try {
    await startChatting(user, {
      name: 'Alice',
      prefix: users.prefix,
      serverUrl: synapUrl,
      mode: synapMode,
    });
    await checkTrapsArmed(page);
    // The policy is in force: HTML strings cannot reach the DOM (Trusted Types). Refused eval
    // cannot be shown from here: code Playwright evaluates is exempt, like DevTools' console;
    // the first test checks that no 'unsafe-eval' is allowed.
    expect(
      await page.evaluate(() => {
        try {
          document.createElement('div').innerHTML = '<b>raw html</b>';
          return 'innerHTML ran';
        } catch (error) {
          return (error as Error).name;
        }
      }),
    ).toBe('TypeError');
    await page.evaluate(() =>
      (window as unknown as { __cspViolations: unknown[] }).__cspViolations.splice(0),
    );

    const log = timeline(page);
    await sendMessage(page, 'hello under a strict CSP');
    await expect(log.getByText('hello under a strict CSP', { exact: true })).toBeVisible();
    await publishViaRest(
      `${users.prefix}general`,
      'message',
      JSON.stringify({ user_id: 'Bob', message: 'a link https://example.com/x and text' }),
      synapUrl,
    );
    await expect(log.getByRole('link', { name: 'https://example.com/x' })).toBeVisible(delivered);
    await publishViaRest(
      `${users.prefix}general`,
      'typing',
      JSON.stringify({ user_id: 'Bob', is_typing: true, timestamp: Date.now() }),
      synapUrl,
    );
    await expect(page.getByText(/Bob is typing/)).toBeVisible(delivered);
    // Another room, the settings, a reload.
    await page.getByRole('navigation', { name: 'Rooms' }).getByLabel('Room name').fill('second');
    await page.getByRole('navigation', { name: 'Rooms' }).getByLabel('Room name').press('Enter');
    await expect(timeline(page, 'second')).toBeVisible();
    await sendMessage(page, 'in the second room');
    await expect(timeline(page, 'second').getByText('in the second room')).toBeVisible();
    await page.getByRole('button', { name: 'Settings', exact: true }).click();
    await expect(page.getByLabel('Display name')).toBeVisible();
    await page.reload();
    await expect(page.getByRole('log')).toBeVisible(delivered);
    await expect(
      page.getByText('in the second room').or(page.getByText('hello under a strict CSP')),
    ).toBeVisible(delivered);

    const report = await trapReport(page);
    expect(report.cspViolations, 'Content-Security-Policy violations').toEqual([]);
    expect(report.executed).toEqual([]);
    expect(user.problems).toEqual([]);
  } finally {
    await user.context.close();
  }
});

test('file:// build: opened from disk it reaches the setup form and chats, no CSP violation', async ({
  browser,
  synapUrl,
  users,
}) => {
  const user = await trappedContext(browser);
  const { page } = user;
  try {
    const url = pathToFileURL(BUILT_INDEX).href;
    await page.goto(url);
    await expect(page.getByRole('button', { name: 'Start chatting' })).toBeVisible();
    expect(await page.evaluate(() => location.protocol)).toBe('file:');
    await startChatting(user, {
      name: 'Disk',
      prefix: users.prefix,
      serverUrl: synapUrl,
      mode: 'socket',
      url,
    });
    await sendMessage(page, 'hello from file://');
    await expect(timeline(page).getByText('hello from file://', { exact: true })).toBeVisible();
    await publishViaRest(
      `${users.prefix}general`,
      'message',
      JSON.stringify({ user_id: 'Bob', message: 'hello, disk' }),
      synapUrl,
    );
    await expect(timeline(page).getByText('hello, disk', { exact: true })).toBeVisible(delivered);
    // The policy holds from disk too.
    expect(
      await page.evaluate(
        () => document.querySelector('meta[http-equiv="Content-Security-Policy"]') !== null,
      ),
    ).toBe(true);
    const report = await trapReport(page);
    expect(report.cspViolations, 'Content-Security-Policy violations').toEqual([]);
    expect(user.problems).toEqual([]);
  } finally {
    await user.context.close();
  }
});
