import { render, screen, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import MessageActions from '../../src/components/MessageActions.svelte';
import MessageRow from '../../src/components/MessageRow.svelte';
import { message } from './fixtures';

/** Every row's ⋯ button: "Actions for Bob's message of 3:41 PM". */
const ACTIONS = /^Actions for /;
const FSI = '\u2068';
const PDI = '\u2069';

const handlers = () => ({
  onPickReaction: vi.fn(),
  onReply: vi.fn(),
  onEdit: vi.fn(),
  onDelete: vi.fn(),
});

function itemNames(): string[] {
  return within(screen.getByRole('menu'))
    .getAllByRole('menuitem')
    .map((item) => item.textContent ?? '');
}

async function openMenu(user: ReturnType<typeof userEvent.setup>) {
  const trigger = screen.getByRole('button', { name: ACTIONS });
  await user.click(trigger);
  return trigger;
}

describe('MessageActions', () => {
  it('is a menu button, closed until pressed', async () => {
    const user = userEvent.setup();
    render(MessageActions, { message: message('alice', 'hi'), ...handlers() });
    const trigger = screen.getByRole('button', { name: ACTIONS });
    expect(trigger).toHaveAttribute('aria-haspopup', 'menu');
    expect(trigger).toHaveAttribute('aria-expanded', 'false');
    expect(screen.queryByRole('menu')).toBeNull();
    await user.click(trigger);
    expect(trigger).toHaveAttribute('aria-expanded', 'true');
    expect(screen.getAllByRole('menuitem')[0]).toHaveFocus();
  });

  it("is named for the message's author and time, so each row's button is told apart", () => {
    render(MessageActions, { message: message('bob', 'hi'), when: '3:41 PM', ...handlers() });
    render(MessageActions, {
      message: message('me', 'hello', { own: true }),
      when: '3:42 PM',
      ...handlers(),
    });
    expect(
      screen.getAllByRole('button', { name: ACTIONS }).map((button) => button.ariaLabel),
    ).toEqual([
      `Actions for ${FSI}bob${PDI}'s message of 3:41 PM`,
      'Actions for your message of 3:42 PM',
    ]);
  });

  it("offers no Edit or Delete on someone else's message", async () => {
    const user = userEvent.setup();
    render(MessageActions, { message: message('alice', 'hi'), ...handlers() });
    await openMenu(user);
    expect(itemNames()).toEqual(['React…', 'Reply', 'Copy text']);
  });

  it("offers Edit and Delete on the user's own stored message", async () => {
    const user = userEvent.setup();
    render(MessageActions, { message: message('me', 'mine'), ...handlers() });
    await openMenu(user);
    expect(itemNames()).toEqual(['React…', 'Reply', 'Copy text', 'Edit', 'Delete']);
  });

  it('offers no Edit or Delete on an own message the server has not stored', async () => {
    const user = userEvent.setup();
    render(MessageActions, {
      message: message('me', 'mine', { offset: null, status: 'pending' }),
      ...handlers(),
    });
    await openMenu(user);
    expect(itemNames()).not.toContain('Edit');
    expect(itemNames()).not.toContain('Delete');
  });

  it('calls onReply with the message, closes and gives the focus back to its button', async () => {
    const user = userEvent.setup();
    const on = handlers();
    const msg = message('alice', 'hi');
    render(MessageActions, { message: msg, ...on });
    const trigger = await openMenu(user);
    await user.click(screen.getByRole('menuitem', { name: 'Reply' }));
    expect(on.onReply).toHaveBeenCalledWith(msg);
    expect(screen.queryByRole('menu')).toBeNull();
    expect(trigger).toHaveFocus();
  });

  it('calls onEdit for Edit', async () => {
    const user = userEvent.setup();
    const on = handlers();
    const msg = message('me', 'mine');
    render(MessageActions, { message: msg, ...on });
    await openMenu(user);
    await user.click(screen.getByRole('menuitem', { name: 'Edit' }));
    expect(on.onEdit).toHaveBeenCalledWith(msg);
  });

  it('deletes only on a second, confirming click', async () => {
    const user = userEvent.setup();
    const on = handlers();
    const msg = message('me', 'mine');
    render(MessageActions, { message: msg, ...on });
    await openMenu(user);
    await user.click(screen.getByRole('menuitem', { name: 'Delete' }));
    expect(on.onDelete).not.toHaveBeenCalled();
    const sure = screen.getByRole('menuitem', { name: 'Delete — sure?' });
    expect(sure).toHaveFocus();
    await user.click(sure);
    expect(on.onDelete).toHaveBeenCalledWith(msg);
    expect(screen.queryByRole('menu')).toBeNull();
  });

  it('forgets a started delete when the menu closes', async () => {
    const user = userEvent.setup();
    const on = handlers();
    render(MessageActions, { message: message('me', 'mine'), ...on });
    await openMenu(user);
    await user.click(screen.getByRole('menuitem', { name: 'Delete' }));
    await user.keyboard('{Escape}');
    await openMenu(user);
    expect(itemNames()).toContain('Delete');
    expect(itemNames()).not.toContain('Delete — sure?');
    expect(on.onDelete).not.toHaveBeenCalled();
  });

  it('moves with the arrow keys (wrapping), Home and End, and closes on Escape', async () => {
    const user = userEvent.setup();
    render(MessageActions, { message: message('me', 'mine'), ...handlers() });
    const trigger = screen.getByRole('button', { name: ACTIONS });
    trigger.focus();
    await user.keyboard('{ArrowDown}');
    const items = screen.getAllByRole('menuitem');
    expect(items[0]).toHaveFocus();
    await user.keyboard('{ArrowDown}');
    expect(items[1]).toHaveFocus();
    await user.keyboard('{ArrowUp}{ArrowUp}');
    expect(items.at(-1)).toHaveFocus();
    await user.keyboard('{Home}');
    expect(items[0]).toHaveFocus();
    await user.keyboard('{End}');
    expect(items.at(-1)).toHaveFocus();
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('menu')).toBeNull();
    expect(trigger).toHaveFocus();
  });

  it('opens on the last item with ArrowUp, and acts with Enter', async () => {
    const user = userEvent.setup();
    const on = handlers();
    const msg = message('alice', 'hi');
    render(MessageActions, { message: msg, ...on });
    screen.getByRole('button', { name: ACTIONS }).focus();
    await user.keyboard('{ArrowUp}');
    expect(screen.getByRole('menuitem', { name: 'Copy text' })).toHaveFocus();
    await user.keyboard('{ArrowUp}{Enter}');
    expect(on.onReply).toHaveBeenCalledWith(msg);
  });

  it('copies the text where the browser allows it', async () => {
    const user = userEvent.setup();
    const writeText = vi.fn(() => Promise.resolve());
    Object.defineProperty(navigator, 'clipboard', { configurable: true, value: { writeText } });
    render(MessageActions, { message: message('alice', 'copy me'), ...handlers() });
    await openMenu(user);
    await user.click(screen.getByRole('menuitem', { name: 'Copy text' }));
    expect(writeText).toHaveBeenCalledWith('copy me');
    expect(screen.queryByRole('menu')).toBeNull();
  });

  it('copies nothing, and throws nothing, where the browser has no clipboard', async () => {
    const user = userEvent.setup();
    Object.defineProperty(navigator, 'clipboard', { configurable: true, value: undefined });
    render(MessageActions, { message: message('alice', 'copy me'), ...handlers() });
    const trigger = await openMenu(user);
    await user.click(screen.getByRole('menuitem', { name: 'Copy text' }));
    expect(screen.queryByRole('menu')).toBeNull();
    expect(trigger).toHaveFocus();
  });

  it('opens the emoji picker from its button for React…', async () => {
    const user = userEvent.setup();
    const on = handlers();
    render(MessageActions, { message: message('alice', 'hi'), ...on });
    const trigger = await openMenu(user);
    await user.click(screen.getByRole('menuitem', { name: 'React…' }));
    expect(on.onPickReaction).toHaveBeenCalledWith(trigger);
    expect(screen.queryByRole('menu')).toBeNull();
  });

  it('closes on a click outside', async () => {
    const user = userEvent.setup();
    render(MessageActions, { message: message('alice', 'hi'), ...handlers() });
    await openMenu(user);
    await user.click(document.body);
    expect(screen.queryByRole('menu')).toBeNull();
  });
});

describe('MessageActions in a message row', () => {
  it('offers React… in the row, which opens the picker', async () => {
    const user = userEvent.setup();
    const onReact = vi.fn();
    const msg = message('alice', 'hi');
    render(MessageRow, { message: msg, onReact });
    await openMenu(user);
    await user.click(screen.getByRole('menuitem', { name: 'React…' }));
    await user.click(screen.getByRole('button', { name: 'party popper' }));
    expect(onReact).toHaveBeenCalledWith(msg, '🎉', true);
    expect(screen.getByRole('button', { name: ACTIONS })).toHaveFocus();
  });

  it('names the button with the time the row shows', () => {
    const sentAtMs = Date.UTC(2024, 2, 5, 15, 41);
    render(MessageRow, {
      message: message('bob', 'hi', { sentAtMs }),
      locale: 'en-US',
      timeZone: 'UTC',
    });
    expect(
      screen.getByRole('button', { name: `Actions for ${FSI}bob${PDI}'s message of 3:41 PM` }),
    ).toBeInTheDocument();
  });

  it('has no actions for pending, failed or deleted messages', () => {
    render(MessageRow, { message: message('me', 'a', { offset: null, status: 'pending' }) });
    render(MessageRow, { message: message('me', 'b', { offset: null, status: 'failed' }) });
    render(MessageRow, { message: message('me', '', { deleted: { atMs: 1 } }) });
    expect(screen.queryByRole('button', { name: ACTIONS })).toBeNull();
  });
});
