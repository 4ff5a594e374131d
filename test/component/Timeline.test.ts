import { screen, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { message, systemLine } from './fixtures';
import { renderTimeline, settle, useVirtualLayout } from './timeline-harness';

const DAY_MS = 86_400_000;

useVirtualLayout();

describe('Timeline', () => {
  it('marks the message being edited in the message box, and only it', async () => {
    const { log } = await renderTimeline(
      [message('alice', 'first', { offset: 40 }), message('alice', 'being edited', { offset: 41 })],
      { editingOffset: 41 },
    );
    const rows = [...log.querySelectorAll('[data-row]')];
    const edited = rows.filter((row) => row.classList.contains('editing'));
    expect(edited).toHaveLength(1);
    expect(edited[0]).toHaveTextContent('being edited');
  });

  it('is a log labelled with the room', async () => {
    const { log } = await renderTimeline([message('alice', 'hello')]);
    expect(log).toHaveTextContent('hello');
  });

  it('renders markup in messages as literal text', async () => {
    const hostile = '<img src=x onerror=alert(1)> <script>alert(2)</script> <b>bold</b>';
    const { log } = await renderTimeline([message('<i>alice</i>', hostile)]);
    expect(within(log).getByText(hostile)).toBeInTheDocument();
    expect(within(log).getByText('<i>alice</i>')).toBeInTheDocument();
    expect(log.querySelector('img, script, b, i')).toBeNull();
  });

  it('keeps the exact text, newlines and spaces included', async () => {
    const text = 'line one\n  indented line\n\nlast';
    const { log } = await renderTimeline([message('alice', text)]);
    const paragraph = within(log).getByText(
      (_, element) => element?.tagName === 'P' && element.textContent === text,
    );
    expect(paragraph).toBeInTheDocument();
  });

  it('makes safe links and leaves javascript: as text', async () => {
    const { log } = await renderTimeline([
      message('alice', 'docs at https://example.com/docs. or javascript:alert(1)'),
    ]);
    const links = within(log).getAllByRole('link');
    expect(links).toHaveLength(1);
    expect(links[0]).toHaveAttribute('href', 'https://example.com/docs');
    expect(links[0]).toHaveAttribute('target', '_blank');
    expect(links[0]).toHaveAttribute('rel', 'noopener noreferrer nofollow');
    expect(links[0]).toHaveTextContent('https://example.com/docs');
    expect(log).toHaveTextContent('javascript:alert(1)');
  });

  it('shows the author and time once per group', async () => {
    const start = Date.now() - 10 * 60_000;
    const { log } = await renderTimeline([
      message('alice', 'one', { sentAtMs: start }),
      message('alice', 'two', { sentAtMs: start + 60_000 }),
      message('bob', 'three', { sentAtMs: start + 120_000 }),
    ]);
    // Continuations name the author for screen readers only.
    expect(within(log).getAllByText('alice')).toHaveLength(1);
    expect(within(log).getAllByText('alice:')).toHaveLength(1);
    expect(within(log).getByText('alice:')).toHaveClass('visually-hidden');
    expect(within(log).getAllByText('bob')).toHaveLength(1);
  });

  it('labels own messages "You"', async () => {
    const { log } = await renderTimeline([message('me', 'mine')]);
    expect(within(log).getByText('You')).toBeInTheDocument();
    expect(within(log).queryByText('me')).toBeNull();
  });

  it('gives times a machine-readable date and a full-date title', async () => {
    const at = Date.UTC(2025, 0, 2, 15, 4);
    const { log } = await renderTimeline([message('alice', 'hi', { sentAtMs: at })], {
      timeZone: 'UTC',
    });
    const time = log.querySelector('time');
    expect(time).toHaveAttribute('datetime', '2025-01-02T15:04:00.000Z');
    expect(time).toHaveTextContent('3:04 PM');
    expect(time?.getAttribute('title')).toMatch(/Thursday, January 2, 2025/);
  });

  it('separates days', async () => {
    const { log } = await renderTimeline([
      message('alice', 'old', { sentAtMs: Date.now() - 3 * DAY_MS }),
      message('alice', 'new'),
    ]);
    const separators = within(log).getAllByRole('separator');
    expect(separators.map((s) => s.getAttribute('aria-label'))).toEqual([
      expect.stringMatching(/^\w+day, \w+ \d+/),
      'Today',
    ]);
  });

  it('places the "New messages" divider before the first unread message', async () => {
    const { log } = await renderTimeline(
      [
        message('alice', 'read', { offset: 1 }),
        message('alice', 'unread one', { offset: 2 }),
        message('alice', 'unread two', { offset: 3 }),
      ],
      { unreadFromOffset: 2 },
    );
    const divider = within(log).getByRole('separator', { name: 'New messages' });
    const readText = within(log).getByText('read');
    const unreadText = within(log).getByText('unread one');
    expect(
      readText.compareDocumentPosition(divider) & Node.DOCUMENT_POSITION_FOLLOWING,
    ).toBeTruthy();
    expect(
      divider.compareDocumentPosition(unreadText) & Node.DOCUMENT_POSITION_FOLLOWING,
    ).toBeTruthy();
  });

  it('shows joins and leaves as quiet lines', async () => {
    const { log } = await renderTimeline([
      systemLine('alice', 'joined'),
      systemLine('bob', 'left'),
    ]);
    // The name is isolated in a <bdi>: the line's text spans two nodes.
    const lines = [...log.querySelectorAll('p')].map((line) => line.textContent);
    expect(lines).toEqual(expect.arrayContaining([expect.stringMatching(/^alice joined\s/)]));
    expect(lines).toEqual(expect.arrayContaining([expect.stringMatching(/^bob left\s/)]));
  });

  it('marks pending messages as sending', async () => {
    const { log } = await renderTimeline([
      message('me', 'on its way', { offset: null, status: 'pending' }),
    ]);
    expect(within(log).getByText('Sending…')).toBeInTheDocument();
    expect(within(log).queryByRole('button', { name: 'Retry' })).toBeNull();
  });

  it('offers Retry and Discard on a failed message', async () => {
    const user = userEvent.setup();
    const onRetry = vi.fn();
    const onDiscard = vi.fn();
    const failed = message('me', 'lost', {
      offset: null,
      status: 'failed',
      error: 'HTTP 500',
      key: 'row-of-lost',
      clientId: 'c-failed',
    });
    const { log } = await renderTimeline([message('me', 'fine'), failed], { onRetry, onDiscard });
    expect(within(log).getByText('Not sent: HTTP 500')).toBeInTheDocument();
    await user.click(within(log).getByRole('button', { name: 'Retry' }));
    expect(onRetry).toHaveBeenCalledWith('c-failed');
    await user.click(within(log).getByRole('button', { name: 'Discard' }));
    expect(onDiscard).toHaveBeenCalledWith('c-failed');
    expect(within(log).getAllByRole('button', { name: 'Retry' })).toHaveLength(1);
  });

  it('updates a message in place when it is confirmed', async () => {
    const pending = message('me', 'on its way', {
      offset: null,
      status: 'pending',
      key: 'c-1',
      clientId: 'c-1',
    });
    const { log, rerender } = await renderTimeline([message('alice', 'hi'), pending]);
    const row = within(log).getByText('on its way').closest('.message');
    await rerender({
      entries: [message('alice', 'hi'), { ...pending, offset: 7, status: 'confirmed' }],
    });
    await settle();
    expect(within(log).queryByText('Sending…')).toBeNull();
    // Same element: the row was not remounted (no flicker, focus and selection kept).
    expect(within(log).getByText('on its way').closest('.message')).toBe(row);
  });

  it('draws only the rows in view, however long the room', async () => {
    const start = Date.now() - 5_000 * 1_000;
    const entries = Array.from({ length: 5_000 }, (_, i) =>
      message(i % 3 === 0 ? 'bob' : 'alice', `message ${i}`, { sentAtMs: start + i * 1_000 }),
    );
    const { log } = await renderTimeline(entries);
    const drawn = log.querySelectorAll('.message').length;
    expect(drawn).toBeGreaterThan(10);
    expect(drawn).toBeLessThan(100);
    expect(log.querySelectorAll('*').length).toBeLessThan(2_000);
  });

  it('says where the room begins, or why older messages are missing', async () => {
    const { rerender } = await renderTimeline([message('a', 'x')]);
    expect(screen.getByText('Beginning of the room')).toBeInTheDocument();
    await rerender({ olderUnavailable: '1,204 older messages are no longer available' });
    expect(screen.getByText('1,204 older messages are no longer available')).toBeInTheDocument();
    expect(screen.queryByText('Beginning of the room')).toBeNull();
  });

  it('loads older messages with the button', async () => {
    const user = userEvent.setup();
    const onLoadOlder = vi.fn();
    const { rerender } = await renderTimeline([message('a', 'x')], { hasOlder: true, onLoadOlder });
    await user.click(screen.getByRole('button', { name: 'Load earlier messages' }));
    expect(onLoadOlder).toHaveBeenCalledTimes(1);
    await rerender({ loadingOlder: true });
    const busy = screen.getByRole('button', { name: 'Loading earlier messages…' });
    expect(busy).toHaveAttribute('aria-disabled', 'true');
    await user.click(busy);
    expect(onLoadOlder).toHaveBeenCalledTimes(1);
  });

  it('invites a first message in an empty room', async () => {
    await renderTimeline([]);
    expect(screen.getByText('No messages yet. Say hello!')).toBeInTheDocument();
  });
});
