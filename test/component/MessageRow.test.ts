import { render, screen, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import MessageRow from '../../src/components/MessageRow.svelte';
import { authorColor } from '../../src/components/avatar';
import MentionHarness from './MentionHarness.svelte';
import { message } from './fixtures';

describe('MessageRow mentions', () => {
  it("highlights mentions of the user in others' messages, not in the user's own", () => {
    const { container } = render(MentionHarness, {
      name: 'me',
      messages: [
        message('alice', 'hey @me, look', { key: 'a' }),
        message('me', 'talking about @me', { key: 'b', own: true }),
      ],
    });
    const marks = container.querySelectorAll('mark');
    expect(marks).toHaveLength(1);
    expect(marks[0]?.textContent).toBe('@me');
    expect(screen.getByText('talking about @me')).toBeInTheDocument();
  });

  it('highlights nothing where no screen gave the user name', () => {
    const { container } = render(MessageRow, { message: message('alice', 'hey @me') });
    expect(container.querySelector('mark')).toBeNull();
  });
});

describe('MessageRow author', () => {
  it("colours the author's name with its readable colour for both themes", () => {
    const { container } = render(MessageRow, { message: message('alice', 'hi') });
    const row = container.querySelector<HTMLElement>('.message');
    expect(row?.style.getPropertyValue('--author-color')).toBe(authorColor('alice'));
    expect(authorColor('alice')).toMatch(/^light-dark\(#[0-9a-f]{6}, #[0-9a-f]{6}\)$/);
  });
});

describe('MessageRow reply quote', () => {
  it('quotes the answered message above the bubble and jumps to it', async () => {
    const user = userEvent.setup();
    const onJump = vi.fn();
    const { container } = render(MessageRow, {
      message: message('bob', 'agreed', {
        replyTo: { offset: 42, state: 'shown', userId: 'alice', text: 'shall we?' },
      }),
      onJump,
    });
    const quote = screen.getByRole('button', { name: /Go to the message from .*alice/ });
    expect(quote.compareDocumentPosition(container.querySelector('.bubble')!)).toBe(
      Node.DOCUMENT_POSITION_FOLLOWING,
    );
    await user.click(quote);
    expect(onJump).toHaveBeenCalledWith(42);
  });
});

describe('MessageRow edited', () => {
  it('marks an edited message and shows the original text on demand', async () => {
    const user = userEvent.setup();
    render(MessageRow, {
      message: message('alice', 'new words', { edited: { originalText: 'old words', atMs: 1 } }),
    });
    const marker = screen.getByRole('button', { name: /^edited/ });
    expect(marker).toHaveAttribute('title', 'Original: old words');
    expect(marker).toHaveAttribute('aria-expanded', 'false');
    expect(screen.queryByText('old words')).toBeNull();
    await user.click(marker);
    expect(marker).toHaveAttribute('aria-expanded', 'true');
    const original = document.getElementById(marker.getAttribute('aria-controls')!);
    expect(original).toHaveTextContent('Original: old words');
    await user.click(marker);
    expect(screen.queryByText('old words')).toBeNull();
  });

  it('shows the original text of an edit without direction overrides', async () => {
    const user = userEvent.setup();
    render(MessageRow, {
      message: message('alice', '\u202Egnp.exe\u202C', {
        edited: { originalText: '\u202Etxt.exe\u202C', atMs: 1 },
      }),
    });
    expect(screen.getByText('gnp.exe')).toBeInTheDocument();
    const marker = screen.getByRole('button', { name: /^edited/ });
    expect(marker).toHaveAttribute('title', 'Original: txt.exe');
    await user.click(marker);
    const original = document.getElementById(marker.getAttribute('aria-controls')!);
    expect(original?.textContent).toBe('Original: txt.exe');
  });

  it('shows no marker on a message never edited', () => {
    render(MessageRow, { message: message('alice', 'hi') });
    expect(screen.queryByRole('button', { name: /edited/ })).toBeNull();
  });
});

describe('MessageRow deleted', () => {
  it('replaces the text with a quiet line and keeps the author, without reactions or actions', () => {
    const { container } = render(MessageRow, {
      message: message('alice', '', {
        deleted: { atMs: 1 },
        edited: { originalText: 'secret', atMs: 1 },
        reactions: [{ emoji: '👍', users: ['bob'], mine: false }],
        replyTo: { offset: 1, state: 'shown', userId: 'bob', text: 'question' },
      }),
      onReact: () => {},
      onReply: () => {},
      onJump: () => {},
    });
    expect(screen.getByText('Message deleted')).toBeInTheDocument();
    expect(screen.getByText('alice')).toBeInTheDocument();
    expect(container.querySelector('.bubble')).toBeNull();
    expect(container).not.toHaveTextContent('secret');
    expect(container).not.toHaveTextContent('question');
    expect(screen.queryAllByRole('button')).toHaveLength(0);
  });
});

describe('MessageRow reactions', () => {
  const reactions = [
    { emoji: '👍', users: ['alice', 'me'], mine: true },
    { emoji: '😂', users: ['bob'], mine: false },
  ];

  it('shows counted chips under the bubble, pressed for the user', () => {
    render(MessageRow, { message: message('alice', 'hi', { reactions }), onReact: () => {} });
    const group = screen.getByRole('group', { name: 'Reactions' });
    const chips = within(group).getAllByRole('button', { pressed: true });
    expect(chips).toHaveLength(1);
    expect(chips[0]).toHaveTextContent('👍 2');
    expect(within(group).getByRole('button', { pressed: false, name: /^😂/ })).toHaveTextContent(
      '😂 1',
    );
  });

  it('takes the user reaction back on its chip and adds to another', async () => {
    const user = userEvent.setup();
    const onReact = vi.fn();
    const msg = message('alice', 'hi', { reactions });
    render(MessageRow, { message: msg, onReact });
    await user.click(screen.getByRole('button', { name: /^👍/ }));
    await user.click(screen.getByRole('button', { name: /^😂/ }));
    expect(onReact.mock.calls).toEqual([
      [msg, '👍', false],
      [msg, '😂', true],
    ]);
  });

  it('names the user "you" among who reacted', () => {
    render(MessageRow, {
      message: message('alice', 'hi', { reactions }),
      ownName: 'me',
      onReact: () => {},
    });
    const chip = screen.getByRole('button', { name: /^👍/ });
    expect(chip.getAttribute('title')).toMatch(/alice.*, you$/);
  });
});

describe('MessageRow pending change', () => {
  it.each([
    ['edit', 'Saving edit…'],
    ['delete', 'Deleting…'],
    ['reaction', 'Saving reaction…'],
  ] as const)('says a pending %s is on its way', (kind, words) => {
    render(MessageRow, {
      message: message('me', 'mine', { change: { clientId: 'c1', status: 'pending', kind } }),
    });
    expect(screen.getByText(words)).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Retry' })).toBeNull();
  });

  it('says a failed change failed and why, with Retry and Discard by its client id', async () => {
    const user = userEvent.setup();
    const onRetry = vi.fn();
    const onDiscard = vi.fn();
    render(MessageRow, {
      message: message('me', 'mine', {
        change: { clientId: 'c9', status: 'failed', kind: 'edit', error: 'server down' },
      }),
      onRetry,
      onDiscard,
    });
    expect(screen.getByText('Edit not saved: server down')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Retry' }));
    await user.click(screen.getByRole('button', { name: 'Discard' }));
    expect(onRetry).toHaveBeenCalledWith('c9');
    expect(onDiscard).toHaveBeenCalledWith('c9');
  });

  it('still says a message of the user is being sent', () => {
    render(MessageRow, { message: message('me', 'mine', { offset: null, status: 'pending' }) });
    expect(screen.getByText('Sending…')).toBeInTheDocument();
  });
});

describe('MessageRow long messages', () => {
  const long = 'word '.repeat(1_000);

  it('folds a message of 5,000 characters behind "Show more", and "Show less" folds it again', async () => {
    const user = userEvent.setup();
    const { container } = render(MessageRow, { message: message('alice', long) });
    const more = screen.getByRole('button', { name: 'Show more' });
    const text = document.getElementById(more.getAttribute('aria-controls')!);
    expect(text).toHaveClass('folded');
    expect(text).toHaveTextContent(long.trim());
    expect(more).toHaveAttribute('aria-expanded', 'false');
    await user.click(more);
    expect(more).toHaveTextContent('Show less');
    expect(more).toHaveAttribute('aria-expanded', 'true');
    expect(text).not.toHaveClass('folded');
    await user.click(more);
    expect(more).toHaveTextContent('Show more');
    expect(container.querySelector('.folded')).toBe(text);
  });

  it('unfolds from the keyboard', async () => {
    const user = userEvent.setup();
    render(MessageRow, { message: message('alice', Array(20).fill('a line').join('\n')) });
    // After the message's ⋯ button, in reading order.
    await user.tab();
    expect(screen.getByRole('button', { name: /^Actions for / })).toHaveFocus();
    await user.tab();
    expect(screen.getByRole('button', { name: 'Show more' })).toHaveFocus();
    await user.keyboard('{Enter}');
    expect(screen.getByRole('button', { name: 'Show less' })).toHaveFocus();
    await user.keyboard(' ');
    expect(screen.getByRole('button', { name: 'Show more' })).toHaveFocus();
  });

  it('does not fold a message of a few lines', () => {
    const { container } = render(MessageRow, { message: message('alice', 'one\ntwo\nthree') });
    expect(screen.queryByRole('button', { name: /Show (more|less)/ })).toBeNull();
    expect(container.querySelector('.folded')).toBeNull();
  });
});
