import { render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import ReactionChips from '../../src/components/ReactionChips.svelte';
import type { Reaction } from '../../src/lib/timeline/entries';

const strip = (text: string | null) => (text ?? '').replace(/[\u2068\u2069]/g, '');

const reactions: Reaction[] = [
  { emoji: '👍', users: ['alice', 'me'], mine: true },
  { emoji: '🎉', users: ['bob'], mine: false },
];

describe('ReactionChips', () => {
  it('shows each emoji with its count, pressed where the user reacted', () => {
    render(ReactionChips, { reactions, ownName: 'me', onToggle: () => {} });
    const [thumbs, party] = screen.getAllByRole('button');
    expect(thumbs).toHaveTextContent('👍 2');
    expect(thumbs).toHaveAttribute('aria-pressed', 'true');
    expect(party).toHaveTextContent('🎉 1');
    expect(party).toHaveAttribute('aria-pressed', 'false');
  });

  it('says who reacted and what a click does', () => {
    render(ReactionChips, { reactions, ownName: 'me', onToggle: () => {} });
    const [thumbs, party] = screen.getAllByRole('button');
    expect(strip(thumbs!.getAttribute('aria-label'))).toBe(
      '👍 reacted by alice, you — click to remove yours',
    );
    expect(strip(thumbs!.getAttribute('title'))).toBe('alice, you');
    expect(strip(party!.getAttribute('aria-label'))).toBe('🎉 reacted by bob — click to add yours');
  });

  it('names ten who reacted and counts the rest', () => {
    const users = Array.from({ length: 13 }, (_, index) => `user${index + 1}`);
    render(ReactionChips, { reactions: [{ emoji: '🔥', users, mine: false }] });
    const chip = screen.getByRole('button');
    expect(chip).toHaveTextContent('🔥 13');
    expect(strip(chip.getAttribute('title'))).toBe(
      'user1, user2, user3, user4, user5, user6, user7, user8, user9, user10 and 3 more',
    );
  });

  it('toggles: a click on a chip of the user asks to take it back, on another to add', async () => {
    const user = userEvent.setup();
    const onToggle = vi.fn();
    render(ReactionChips, { reactions, onToggle });
    await user.click(screen.getByRole('button', { name: /^👍/ }));
    await user.click(screen.getByRole('button', { name: /^🎉/ }));
    expect(onToggle.mock.calls.map(([reaction]) => [reaction.emoji, reaction.mine])).toEqual([
      ['👍', true],
      ['🎉', false],
    ]);
  });

  it('offers "Add reaction", which opens the picker from itself', async () => {
    const user = userEvent.setup();
    const onAdd = vi.fn();
    render(ReactionChips, { reactions, onToggle: () => {}, onAdd });
    const add = screen.getByRole('button', { name: 'Add reaction' });
    expect(add).toHaveAttribute('aria-expanded', 'false');
    await user.click(add);
    expect(onAdd).toHaveBeenCalledWith(add);
  });

  it('shows the chips without buttons to press where nothing handles a reaction', () => {
    render(ReactionChips, { reactions });
    expect(screen.getAllByRole('button').every((chip) => chip.hasAttribute('disabled'))).toBe(true);
    expect(screen.queryByRole('button', { name: 'Add reaction' })).toBeNull();
  });
});
