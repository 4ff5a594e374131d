import { render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import ReplyQuote from '../../src/components/ReplyQuote.svelte';

describe('ReplyQuote', () => {
  it("shows the answered message's author and first line, and jumps to it when clicked", async () => {
    const user = userEvent.setup();
    const onJump = vi.fn();
    render(ReplyQuote, {
      quote: { offset: 7, state: 'shown', userId: 'alice', text: '\n first line \nsecond line' },
      onJump,
    });
    const quote = screen.getByRole('button', {
      name: /Go to the message from .*alice.*: first line/,
    });
    expect(quote).toHaveTextContent('alice: first line');
    expect(quote).not.toHaveTextContent('second line');
    expect(quote.querySelector('bdi')?.textContent).toBe('alice');
    await user.click(quote);
    expect(onJump).toHaveBeenCalledWith(7);
  });

  it('quotes the text without direction overrides, in its line and its name', () => {
    render(ReplyQuote, {
      quote: { offset: 7, state: 'shown', userId: 'alice', text: '\u202Egnp.exe\u202C' },
      onJump: () => {},
    });
    const quote = screen.getByRole('button', { name: /: gnp\.exe$/ });
    expect(quote.querySelector('.text')?.textContent).toBe('gnp.exe');
  });

  it('jumps with the keyboard too', async () => {
    const user = userEvent.setup();
    const onJump = vi.fn();
    render(ReplyQuote, { quote: { offset: 3, state: 'shown', userId: 'bob', text: 'hi' }, onJump });
    await user.tab();
    expect(screen.getByRole('button')).toHaveFocus();
    await user.keyboard('{Enter}');
    expect(onJump).toHaveBeenCalledWith(3);
  });

  it('says "You" for an answered message of the user', () => {
    render(ReplyQuote, {
      quote: { offset: 3, state: 'shown', userId: 'me', own: true, text: 'mine' },
      onJump: () => {},
    });
    expect(
      screen.getByRole('button', { name: 'Go to the message from you: mine' }),
    ).toHaveTextContent('You: mine');
  });

  it('says a deleted answered message was deleted, in italics, still jumping to it', async () => {
    const user = userEvent.setup();
    const onJump = vi.fn();
    render(ReplyQuote, { quote: { offset: 9, state: 'deleted', userId: 'alice' }, onJump });
    const quote = screen.getByRole('button', { name: /deleted message from .*alice/ });
    expect(quote).toHaveTextContent('alice: message deleted');
    expect(screen.getByText('message deleted')).toHaveClass('gone');
    await user.click(quote);
    expect(onJump).toHaveBeenCalledWith(9);
  });

  it('names an unloaded message "an earlier message" and still jumps (history loads back)', async () => {
    const user = userEvent.setup();
    const onJump = vi.fn();
    render(ReplyQuote, { quote: { offset: 2, state: 'unloaded' }, onJump });
    const quote = screen.getByRole('button', { name: /earlier message/ });
    expect(quote).toHaveTextContent('an earlier message');
    await user.click(quote);
    expect(onJump).toHaveBeenCalledWith(2);
  });

  it('shows a lost message as no longer available, with nothing to click', () => {
    const onJump = vi.fn();
    const { container } = render(ReplyQuote, { quote: { offset: 1, state: 'lost' }, onJump });
    expect(screen.queryByRole('button')).toBeNull();
    expect(container).toHaveTextContent('In reply to a message no longer available');
  });
});
