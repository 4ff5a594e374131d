// Hostile input, part 4: browser storage that is full, blocked or corrupted. The app must
// still chat, and say what it cannot remember (src/lib/device/safe-storage.ts).
import {
  expect,
  publishViaRest,
  sendMessage,
  test,
  timeline,
  DELIVERY_TIMEOUT_MS,
  type SynapMode,
} from '../fixtures';
import { startChatting, trapReport, trappedContext, type TrappedUser } from './page-trap';

const delivered = { timeout: DELIVERY_TIMEOUT_MS };

/** Every write to localStorage fails as a full disk does. */
const STORAGE_FULL = `(() => {
  Storage.prototype.setItem = function () {
    throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
  };
})();`;

/** localStorage itself throws, as in a sandboxed frame or with site data blocked. */
const STORAGE_BLOCKED = `(() => {
  Object.defineProperty(window, 'localStorage', {
    configurable: true,
    get() {
      throw new DOMException('Access is denied for this document.', 'SecurityError');
    },
  });
})();`;

async function chats(user: TrappedUser, prefix: string, synapUrl: string, text: string) {
  const log = timeline(user.page);
  await sendMessage(user.page, text);
  await expect(log.getByText(text, { exact: true })).toBeVisible();
  await publishViaRest(
    `${prefix}general`,
    'message',
    JSON.stringify({ user_id: 'Bob', message: `${text}, answered` }),
    synapUrl,
  );
  await expect(log.getByText(`${text}, answered`, { exact: true })).toBeVisible(delivered);
}

async function expectClean(user: TrappedUser): Promise<void> {
  const report = await trapReport(user.page);
  expect(report.executed).toEqual([]);
  expect(report.domDangers).toEqual([]);
  expect(report.cspViolations).toEqual([]);
  expect(user.problems).toEqual([]);
}

for (const [label, script, notice] of [
  ['full', STORAGE_FULL, /Browser storage is full/],
  ['blocked', STORAGE_BLOCKED, /Storage is not available/],
] as const) {
  test(`storage ${label}: the app chats and says settings will not survive a reload @core`, async ({
    browser,
    synapUrl,
    synapMode,
    users,
  }) => {
    const user = await trappedContext(browser);
    await user.context.addInitScript(script);
    try {
      await startChatting(user, {
        name: 'Forgetful',
        prefix: users.prefix,
        serverUrl: synapUrl,
        mode: synapMode,
      });
      await expect(user.page.getByRole('alert').filter({ hasText: notice })).toBeVisible();
      await expect(user.page.getByRole('alert').filter({ hasText: notice })).toContainText(
        /until the page closes/,
      );
      await chats(user, users.prefix, synapUrl, `chatting with storage ${label}`);
      await expectClean(user);
    } finally {
      await user.context.close();
    }
  });
}

/** Garbage for every key the app keeps, round-robin. */
const GARBAGE = [
  '{',
  'null',
  '[]',
  '"a string"',
  '42',
  '{"generation":"x","nextOffset":-1}',
  '{"userId":{"x":1},"serverUrl":["javascript:alert(1)"],"roomPrefix":null}',
  '<img src=x onerror=__xssHit("storage")>',
  '\u0000\uffff',
  `[${'['.repeat(5000)}${']'.repeat(5000)}]`,
];

test('storage corrupted: every stored value garbage, the app starts afresh and chats', async ({
  browser,
  synapUrl,
  users,
}) => {
  const user = await trappedContext(browser);
  const mode: SynapMode = 'socket';
  try {
    await startChatting(user, { name: 'Alice', prefix: users.prefix, serverUrl: synapUrl, mode });
    await chats(user, users.prefix, synapUrl, 'before the corruption');
    const keys = await user.page.evaluate((garbage) => {
      const found = Object.keys(localStorage).filter((key) => key.startsWith('synap-chat:'));
      found.forEach((key, index) =>
        localStorage.setItem(key, garbage[index % garbage.length] ?? ''),
      );
      return found;
    }, GARBAGE);
    expect(keys.length).toBeGreaterThan(3);
    await user.page.reload();
    // The settings are unreadable: the first-run form again, nothing thrown.
    await expect(user.page.getByRole('button', { name: 'Start chatting' })).toBeVisible();
    await startChatting(user, { name: 'Alice', prefix: users.prefix, serverUrl: synapUrl, mode });
    await chats(user, users.prefix, synapUrl, 'after the corruption');
    await expectClean(user);
  } finally {
    await user.context.close();
  }
});

test('storage tampered: a stored timeline tail with markup paints as text', async ({
  browser,
  synapUrl,
  users,
}) => {
  const user = await trappedContext(browser);
  const mode: SynapMode = 'socket';
  try {
    await startChatting(user, { name: 'Alice', prefix: users.prefix, serverUrl: synapUrl, mode });
    await chats(user, users.prefix, synapUrl, 'a message to keep');
    // The tail the app keeps for an instant reload, rewritten with hostile entries.
    await expect
      .poll(() =>
        user.page.evaluate(() =>
          Object.keys(localStorage).some((key) => key.startsWith('synap-chat:tail:')),
        ),
      )
      .toBe(true);
    const hostile = '<img src=x onerror=__xssHit("tail")>';
    await user.page.evaluate((text) => {
      const key = Object.keys(localStorage).find((k) => k.startsWith('synap-chat:tail:')) ?? '';
      const tail = JSON.parse(localStorage.getItem(key) ?? '{}') as {
        entries: Array<Record<string, unknown>>;
      };
      tail.entries = tail.entries.map((entry) =>
        entry.type === 'message' ? { ...entry, text, userId: '<svg onload=__xssHit(1)>' } : entry,
      );
      localStorage.setItem(key, JSON.stringify(tail));
      // Close the page's own writes: a reload would otherwise save the real tail over it.
      Storage.prototype.setItem = () => {};
    }, hostile);
    await user.page.reload();
    await expect(timeline(user.page).getByText(hostile, { exact: true }).first()).toBeVisible();
    await expectClean(user);
  } finally {
    await user.context.close();
  }
});
