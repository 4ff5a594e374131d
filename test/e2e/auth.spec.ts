import { startSynapStandin, type SynapStandin } from '../standin/server.ts';
import {
  DELIVERY_TIMEOUT_MS,
  composer,
  connectionStatus,
  expect,
  expectLive,
  fillSetup,
  sendMessage,
  test,
  timeline,
} from './fixtures';

const ADMIN_KEY = 'e2e-admin-key';
const READER_KEY = 'e2e-reader-key';

// The app is served from another origin than Synap, as in real hosting: the key must travel
// in a way the browser's CORS rules let through.
let secured: SynapStandin;
test.beforeAll(async () => {
  secured = await startSynapStandin({
    host: '127.0.0.1',
    port: 0,
    apiKeys: [ADMIN_KEY],
    readOnlyKeys: [READER_KEY],
  });
});
test.afterAll(async () => {
  await secured.close();
});

test('API keys: refused keys are explained, a good one works cross-origin, an unremembered one is asked for again', async ({
  users,
}) => {
  const alice = await users.open('Alice');
  const { page } = alice;
  await fillSetup(page, { name: 'Alice', prefix: users.prefix, serverUrl: secured.url });
  const start = page.getByRole('button', { name: 'Start chatting' });
  await start.click();
  // No key typed: the server needs one (nothing was refused).
  await expect(page.getByText(/needs an API key \(401 Unauthorized\)/)).toBeVisible();

  await page.getByLabel('API key', { exact: true }).fill('not-a-key');
  await start.click();
  await expect(page.getByText(/refused the API key \(401 Unauthorized\)/)).toBeVisible();

  await page.getByLabel('API key', { exact: true }).fill(ADMIN_KEY);
  // Not ticked unless the user asks.
  await expect(page.getByLabel('Remember API key on this device')).not.toBeChecked();
  await start.click();
  await expect(timeline(page)).toBeVisible();
  await expectLive(page);
  await sendMessage(page, 'behind a key');
  await expect(timeline(page).getByText('behind a key')).toBeVisible();
  await expect(timeline(page).getByText('Sending…')).toHaveCount(0, {
    timeout: DELIVERY_TIMEOUT_MS,
  });

  // Not remembered: after a reload the server refuses, and the way to fix it is right there.
  await page.reload();
  await expect(connectionStatus(page)).toContainText(
    'Unauthorized — this server needs an API key',
    { timeout: DELIVERY_TIMEOUT_MS },
  );
  await connectionStatus(page).getByRole('button', { name: 'Settings' }).click();
  await expect(page.getByLabel('API key', { exact: true })).toHaveValue('');
  await page.getByLabel('API key', { exact: true }).fill(ADMIN_KEY);
  await page.getByRole('button', { name: 'Save' }).click();
  await expectLive(page);
  await expect(timeline(page).getByText('behind a key')).toBeVisible();
});

test('a read-only key follows the room but cannot send, and says why', async ({ users }) => {
  const writer = await users.open('Writer');
  await fillSetup(writer.page, { name: 'Writer', prefix: users.prefix, serverUrl: secured.url });
  await writer.page.getByLabel('API key', { exact: true }).fill(ADMIN_KEY);
  await writer.page.getByRole('button', { name: 'Start chatting' }).click();
  await expectLive(writer.page);

  const reader = await users.open('Reader');
  await fillSetup(reader.page, { name: 'Reader', prefix: users.prefix, serverUrl: secured.url });
  await reader.page.getByLabel('API key', { exact: true }).fill(READER_KEY);
  await reader.page.getByLabel('Remember API key on this device').check();
  await reader.page.getByRole('button', { name: 'Start chatting' }).click();
  await expectLive(reader.page);

  await sendMessage(writer.page, 'for your eyes only');
  await expect(timeline(reader.page).getByText('for your eyes only')).toBeVisible({
    timeout: DELIVERY_TIMEOUT_MS,
  });
  await composer(reader.page).fill('let me in');
  await composer(reader.page).press('Enter');
  await expect(timeline(reader.page).getByText(/Not sent: .*(Forbidden|403)/)).toBeVisible({
    timeout: DELIVERY_TIMEOUT_MS,
  });
  await expect(timeline(writer.page).getByText('let me in')).toHaveCount(0);

  // After a reload the refusal is still what it says, not "not confirmed before the page closed".
  await reader.page.reload();
  await expectLive(reader.page);
  await expect(timeline(reader.page).getByText(/Not sent: .*(Forbidden|403)/)).toBeVisible({
    timeout: DELIVERY_TIMEOUT_MS,
  });
  await expect(timeline(reader.page).getByText(/not confirmed before the page closed/)).toHaveCount(
    0,
  );
});
