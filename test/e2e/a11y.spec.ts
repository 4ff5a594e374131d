// axe-core on the screens people use, in both themes: the first-run form, a busy room (several
// authors, typing, presence, a room on the server to join), Settings, and the phone layout.
// Any serious or critical violation fails; the full results go with the test's report.
import { AxeBuilder } from '@axe-core/playwright';
import type { Page, TestInfo } from '@playwright/test';
import { hueForName } from '../../src/components/avatar';
import {
  DELIVERY_TIMEOUT_MS,
  DESKTOP,
  PHONE,
  composer,
  ensureStream,
  expect,
  onlineList,
  publishViaRest,
  roomsNav,
  test,
  timeline,
} from './fixtures';

const delivered = { timeout: DELIVERY_TIMEOUT_MS };

/**
 * Authors whose colours fell below 4.5:1 on a light page at the old fixed lightness (yellows,
 * greens and cyans: hues 40 to 200), so the check covers the colours that were wrong.
 */
function hardToReadNames(count: number): string[] {
  const names: string[] = [];
  for (let i = 0; names.length < count; i += 1) {
    const name = `${['Ana', 'Bo', 'Chen', 'Dana', 'Eli', 'Femi'][i % 6]}${i}`;
    const hue = hueForName(name);
    if (hue >= 40 && hue <= 200) names.push(name);
  }
  return names;
}

async function expectNoSeriousViolations(page: Page, screen: string, info: TestInfo) {
  const results = await new AxeBuilder({ page })
    // Experimental in axe-core, so off by default; on here, as a label that does not start with
    // what the control shows (WCAG 2.5.3) fails voice control users ("click Join").
    .options({ rules: { 'label-content-name-mismatch': { enabled: true } } })
    .analyze();
  await info.attach(`axe ${screen}`, {
    body: JSON.stringify(results.violations, null, 2),
    contentType: 'application/json',
  });
  const serious = results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => ({
      rule: violation.id,
      impact: violation.impact,
      help: violation.help,
      where: violation.nodes.slice(0, 5).map((node) => ({
        target: node.target.join(' '),
        summary: node.failureSummary,
      })),
    }));
  expect.soft(serious, `${screen}: serious or critical axe violations`).toEqual([]);
}

/** A room on the server the user has not joined, offered under "On this server" (Join). */
async function offerARoom(page: Page, stream: string, synapUrl: string): Promise<void> {
  await ensureStream(stream, synapUrl);
  const nav = roomsNav(page);
  await nav.getByRole('button', { name: 'Refresh room list' }).click();
  await expect(nav.getByRole('button', { name: 'Join random' })).toBeVisible(delivered);
}

/** Others talking in general: messages from several authors, one typing, all present. */
async function makeItBusy(stream: string, synapUrl: string): Promise<string[]> {
  const others = hardToReadNames(4);
  for (const name of others) {
    await publishViaRest(
      stream,
      'user_joined',
      JSON.stringify({ user_id: name, timestamp: Date.now() }),
      synapUrl,
    );
  }
  const lines = [
    'Morning! Did the deploy go out?',
    'Yes, at 9: https://example.com/releases/2.0',
    'Nice. The reconnect fix alone is worth it.',
    'Agreed, and the room list is much faster.',
  ];
  for (const [i, name] of others.entries()) {
    await publishViaRest(
      stream,
      'message',
      JSON.stringify({ user_id: name, message: lines[i], timestamp: Date.now() }),
      synapUrl,
    );
  }
  await publishViaRest(
    stream,
    'typing',
    JSON.stringify({ user_id: others[0], is_typing: true, timestamp: Date.now() }),
    synapUrl,
  );
  return others;
}

for (const theme of ['light', 'dark'] as const) {
  test.describe(`${theme} theme`, () => {
    test(`axe: first-run form, busy room and Settings (${theme}) @core`, async ({
      users,
      synapUrl,
    }, info) => {
      const visitor = await users.open('Visitor', { ...DESKTOP, colorScheme: theme });
      await expect(visitor.page.getByRole('button', { name: 'Start chatting' })).toBeVisible();
      await expectNoSeriousViolations(visitor.page, 'first-run form', info);
      // With a server error showing, too.
      await visitor.page.getByLabel('Display name').fill('Visitor');
      await visitor.page.getByLabel('Server URL').fill('http://127.0.0.1:9');
      await visitor.page.getByRole('button', { name: 'Start chatting' }).click();
      await expect(visitor.page.getByRole('alert')).toBeVisible();
      await expectNoSeriousViolations(visitor.page, 'first-run form with an error', info);

      const { page } = await users.start('Alice', {
        context: { ...DESKTOP, colorScheme: theme },
      });
      await composer(page).fill('Hello all');
      await composer(page).press('Enter');
      const others = await makeItBusy(`${users.prefix}general`, synapUrl);
      const log = timeline(page);
      await expect(log.getByText('room list is much faster')).toBeVisible(delivered);
      await expect(page.getByText(`${others[0]} is typing`)).toBeVisible(delivered);
      await expect(onlineList(page).getByRole('listitem')).toHaveCount(others.length + 1);
      await offerARoom(page, `${users.prefix}random`, synapUrl);
      await expectNoSeriousViolations(page, 'busy room, with a room to join', info);

      await page.getByRole('button', { name: 'Settings', exact: true }).click();
      await expect(page.getByRole('heading', { name: 'Settings' })).toBeVisible();
      await expectNoSeriousViolations(page, 'Settings', info);
      await page.getByRole('button', { name: 'Forget this device…' }).click();
      await expectNoSeriousViolations(page, 'Settings, asking to forget the device', info);
    });

    test(`axe: phone layout, a busy room and its panels (${theme})`, async ({
      users,
      synapUrl,
    }, info) => {
      const { page } = await users.start('Alice', { context: { ...PHONE, colorScheme: theme } });
      await makeItBusy(`${users.prefix}general`, synapUrl);
      await expect(timeline(page).getByText('room list is much faster')).toBeVisible(delivered);
      await expectNoSeriousViolations(page, 'phone: busy room', info);

      await page.getByRole('button', { name: /^Rooms/ }).click();
      await expect(page.getByRole('navigation', { name: 'Rooms' })).toBeVisible();
      await offerARoom(page, `${users.prefix}random`, synapUrl);
      await expectNoSeriousViolations(page, 'phone: rooms panel, with a room to join', info);
      await page.keyboard.press('Escape');

      await page.getByRole('button', { name: 'Settings', exact: true }).click();
      await expect(page.getByRole('heading', { name: 'Settings' })).toBeVisible();
      await expectNoSeriousViolations(page, 'phone: Settings', info);
    });
  });
}
