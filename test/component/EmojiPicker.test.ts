import { fireEvent, render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import EmojiPicker, { pickerEmoji } from '../../src/components/EmojiPicker.svelte';
import MessageRow from '../../src/components/MessageRow.svelte';
import { message } from './fixtures';

function opener(): HTMLButtonElement {
  const button = document.createElement('button');
  button.textContent = 'open';
  document.body.append(button);
  return button;
}

function emojiButtons(): HTMLElement[] {
  return screen.getAllByRole('button').filter((button) => button.hasAttribute('data-emoji'));
}

describe('EmojiPicker', () => {
  it("puts the user's frequent emoji first, each emoji once", () => {
    const list = pickerEmoji(['🦄', '👍', '❤', '🦄']);
    expect(list.slice(0, 3)).toEqual(['🦄', '👍', '❤']);
    expect(list.filter((emoji) => emoji.replace('\uFE0F', '') === '❤')).toHaveLength(1);
    expect(list).toHaveLength(new Set(list).size);
    expect(list.length).toBe(25);
  });

  it('offers about two dozen emoji, named for screen readers, the frequent ones first', () => {
    render(EmojiPicker, {
      opener: opener(),
      frequent: ['🦄'],
      onPick: () => {},
      onClose: () => {},
    });
    const buttons = emojiButtons();
    expect(buttons).toHaveLength(25);
    expect(buttons[0]).toHaveAccessibleName('🦄');
    expect(buttons[1]).toHaveAccessibleName('thumbs up');
    expect(screen.getByRole('dialog', { name: 'Add a reaction' })).toBeInTheDocument();
  });

  it('focuses the first emoji and moves with the arrow keys across and down the grid', async () => {
    const user = userEvent.setup();
    render(EmojiPicker, { opener: opener(), onPick: () => {}, onClose: () => {} });
    const buttons = emojiButtons();
    expect(buttons[0]).toHaveFocus();
    await user.keyboard('{ArrowRight}');
    expect(buttons[1]).toHaveFocus();
    await user.keyboard('{ArrowDown}');
    expect(buttons[7]).toHaveFocus();
    await user.keyboard('{ArrowLeft}');
    expect(buttons[6]).toHaveFocus();
    await user.keyboard('{ArrowUp}');
    expect(buttons[0]).toHaveFocus();
    await user.keyboard('{ArrowLeft}');
    expect(buttons[buttons.length - 1]).toHaveFocus();
    // One tab stop: only the focused emoji is in the tab order.
    expect(buttons.filter((button) => button.tabIndex === 0)).toEqual([buttons.at(-1)]);
  });

  it('picks the focused emoji with Enter or Space', async () => {
    const user = userEvent.setup();
    const onPick = vi.fn();
    render(EmojiPicker, { opener: opener(), onPick, onClose: () => {} });
    await user.keyboard('{ArrowRight}{Enter}');
    await user.keyboard('{ArrowRight} ');
    expect(onPick.mock.calls).toEqual([['❤️'], ['😂']]);
  });

  it('marks the emoji the user already reacted with as pressed', () => {
    render(EmojiPicker, {
      opener: opener(),
      mine: new Set(['❤']),
      onPick: () => {},
      onClose: () => {},
    });
    expect(screen.getByRole('button', { name: 'red heart' })).toHaveAttribute(
      'aria-pressed',
      'true',
    );
    expect(screen.getByRole('button', { name: 'thumbs up' })).toHaveAttribute(
      'aria-pressed',
      'false',
    );
  });

  it('closes on Escape (asking for the focus back) and on a click outside (not)', async () => {
    const user = userEvent.setup();
    const onClose = vi.fn();
    render(EmojiPicker, { opener: opener(), onPick: () => {}, onClose });
    await user.keyboard('{Escape}');
    expect(onClose).toHaveBeenLastCalledWith(true);
    await fireEvent.pointerDown(document.body);
    expect(onClose).toHaveBeenLastCalledWith(false);
  });
});

describe('EmojiPicker in a message row', () => {
  const reacted = () =>
    message('alice', 'hi', { reactions: [{ emoji: '👍', users: ['me'], mine: true }] });

  it('opens from "Add reaction", adds the picked emoji and gives the focus back', async () => {
    const user = userEvent.setup();
    const onReact = vi.fn();
    const msg = reacted();
    render(MessageRow, { message: msg, onReact });
    const add = screen.getByRole('button', { name: 'Add reaction' });
    await user.click(add);
    expect(add).toHaveAttribute('aria-expanded', 'true');
    await user.click(screen.getByRole('button', { name: 'fire' }));
    expect(onReact).toHaveBeenCalledWith(msg, '🔥', true);
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(add).toHaveFocus();
  });

  it('takes back a reaction of the user picked again', async () => {
    const user = userEvent.setup();
    const onReact = vi.fn();
    const msg = reacted();
    render(MessageRow, { message: msg, onReact });
    await user.click(screen.getByRole('button', { name: 'Add reaction' }));
    await user.click(screen.getByRole('button', { name: 'thumbs up' }));
    expect(onReact).toHaveBeenCalledWith(msg, '👍', false);
  });

  it('closes on Escape with the focus back on "Add reaction"', async () => {
    const user = userEvent.setup();
    render(MessageRow, { message: reacted(), onReact: () => {} });
    const add = screen.getByRole('button', { name: 'Add reaction' });
    await user.click(add);
    expect(screen.getByRole('button', { name: 'thumbs up' })).toHaveFocus();
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(add).toHaveFocus();
  });

  it('closes on a click elsewhere on the page', async () => {
    const user = userEvent.setup();
    render(MessageRow, { message: reacted(), onReact: () => {} });
    await user.click(screen.getByRole('button', { name: 'Add reaction' }));
    expect(screen.getByRole('dialog')).toBeInTheDocument();
    await user.click(document.body);
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('offers the frequent emoji of the user first', async () => {
    const user = userEvent.setup();
    render(MessageRow, { message: reacted(), onReact: () => {}, frequentEmoji: ['🦄', '🎉'] });
    await user.click(screen.getByRole('button', { name: 'Add reaction' }));
    expect(
      emojiButtons()
        .slice(0, 3)
        .map((button) => button.dataset.emoji),
    ).toEqual(['🦄', '🎉', '👍']);
  });
});
