import { SYNAP_URL, composer, expect, expectLive, roomsNav, test, timeline } from './fixtures';

test('first run: validates the form, explains an unreachable server, then lands in general', async ({
  users,
}) => {
  const { page } = await users.open('Alice');

  await expect(page.getByRole('heading', { name: 'Welcome to Synap Chat' })).toBeVisible();
  // The build's default server is filled in; the rest has its defaults.
  await expect(page.getByLabel('Server URL')).toHaveValue(SYNAP_URL);
  await expect(page.getByLabel('Display name')).toHaveValue('');
  await expect(page.getByLabel('Room prefix')).toHaveValue('chat-room-');
  await expect(page.getByLabel('API key', { exact: true })).toHaveValue('');
  await expect(page.getByLabel('Remember API key on this device')).not.toBeChecked();

  // An empty display name is refused, with a message, and the field gets the focus.
  const start = page.getByRole('button', { name: 'Start chatting' });
  await start.click();
  const name = page.getByLabel('Display name');
  await expect(page.getByText('Enter a display name.')).toBeVisible();
  await expect(name).toHaveAttribute('aria-invalid', 'true');
  await expect(name).toBeFocused();
  await expect(page.getByRole('log')).toHaveCount(0);

  // Only whitespace is no name either.
  await name.fill('   ');
  await start.click();
  await expect(page.getByText('Enter a display name.')).toBeVisible();

  // A server nobody answers on: a clear error, and the form stays with what was typed.
  await name.fill('Alice');
  await expect(page.getByText('Enter a display name.')).toHaveCount(0);
  await page.getByLabel('Room prefix').fill(users.prefix);
  await page.getByLabel('Server URL').fill('http://127.0.0.1:9');
  await start.click();
  const alert = page.getByRole('alert');
  await expect(alert).toContainText('Cannot reach http://127.0.0.1:9');
  await expect(alert).toContainText('Check the address and that the server is running');
  await expect(start).toBeVisible();
  await expect(name).toHaveValue('Alice');
  await expect(page.getByLabel('Room prefix')).toHaveValue(users.prefix);
  await expect(page.getByRole('log')).toHaveCount(0);

  // Not a URL at all.
  await page.getByLabel('Server URL').fill('localhost 15500');
  await start.click();
  await expect(page.getByText('Enter a full URL starting with http:// or https://.')).toBeVisible();

  // The right server: the chat opens in general, live.
  await page.getByLabel('Server URL').fill(SYNAP_URL);
  await start.click();
  await expect(timeline(page, 'general')).toBeVisible();
  await expectLive(page);
  await expect(page.getByRole('heading', { name: '# general' })).toBeVisible();
  await expect(page.getByText('Signed in as Alice')).toBeVisible();
  await expect(
    roomsNav(page).getByRole('button', { name: 'general', exact: true }),
  ).toHaveAttribute('aria-current', 'page');
  await expect(page).toHaveURL(/#\/room\/general$/);
  await expect(composer(page)).toBeEditable();
  // Joining is announced in the room, to others and to oneself.
  await expect(timeline(page).getByText('Alice joined')).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Online — 1' })).toBeVisible();

  // The room is the stream {prefix}general on the server.
  const list = (await (await fetch(`${SYNAP_URL}/stream/list`)).json()) as { rooms: string[] };
  expect(list.rooms).toContain(`${users.prefix}general`);

  // Settings are remembered: a reload goes straight back to the chat.
  await page.reload();
  await expect(timeline(page, 'general')).toBeVisible();
  await expectLive(page);
  await expect(page.getByRole('button', { name: 'Start chatting' })).toHaveCount(0);
});
