// Rough edges a new user hit, each checked where it happened: in the browser.
import {
  DELIVERY_TIMEOUT_MS,
  expect,
  expectLive,
  fillSetup,
  roomsNav,
  sendMessage,
  test,
  timeline,
} from './fixtures';

const delivered = { timeout: DELIVERY_TIMEOUT_MS };

test('leaving every room stays that way after a reload: no room, no "joined" announced @core', async ({
  users,
}) => {
  const alice = await users.start('Alice');
  const bob = await users.start('Bob');
  const bobLog = timeline(bob.page);
  await expect(bobLog.getByText('Alice joined')).toHaveCount(1, delivered);
  await roomsNav(alice.page).getByRole('button', { name: 'Leave general' }).click();
  await expect(bobLog.getByText('Alice left')).toHaveCount(1, delivered);
  await expect(alice.page.getByText('Join a room to start chatting.')).toBeVisible();

  await alice.page.reload();
  await expect(alice.page.getByText('Join a room to start chatting.')).toBeVisible();
  await expect(timeline(alice.page)).toHaveCount(0);
  await sendMessage(bob.page, 'anyone here?');
  await expect(bobLog.getByText('anyone here?')).toBeVisible();
  await expect(bobLog.getByText('Alice joined')).toHaveCount(1);
});

test('an address that starts right but cannot be one says what is wrong with it', async ({
  users,
}) => {
  const { page } = await users.open('Alice');
  await fillSetup(page, { name: 'Alice', prefix: users.prefix, serverUrl: 'http://256.1.1.1:1' });
  await page.getByRole('button', { name: 'Start chatting' }).click();
  await expect(page.getByText(/not a valid address.*0 to 255/)).toBeVisible();
  await expect(page.getByText(/start with http/)).toHaveCount(0);
});

test('a link to a room name that cannot be opened says so, and the chat goes on', async ({
  users,
}) => {
  const alice = await users.start('Alice');
  await alice.page.evaluate(() => (location.hash = '#/room/a%2Fb'));
  await expect(alice.page.getByText(/room link cannot be opened/)).toBeVisible();
  await expect(timeline(alice.page)).toBeVisible();
  await expectLive(alice.page);
});
