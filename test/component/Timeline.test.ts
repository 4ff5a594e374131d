import { fireEvent, render, screen, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { tick } from 'svelte';
import { describe, expect, it, vi } from 'vitest';
import Timeline from '../../src/components/Timeline.svelte';
import type { TimelineEntry } from '../../src/lib/chat-model';
import { message, stubScrollMetrics, systemLine } from './fixtures';

const DAY_MS = 86_400_000;

function renderTimeline(entries: TimelineEntry[], props: Record<string, unknown> = {}) {
  const result = render(Timeline, {
    roomLabel: 'general',
    entries,
    hasOlder: false,
    locale: 'en-US',
    ...props,
  });
  const log = screen.getByRole('log', { name: 'Messages in general' });
  return { ...result, log };
}

describe('Timeline', () => {
  it('is a log labelled with the room', () => {
    const { log } = renderTimeline([message('alice', 'hello')]);
    expect(log).toHaveTextContent('hello');
  });

  it('renders markup in messages as literal text', () => {
    const hostile = '<img src=x onerror=alert(1)> <script>alert(2)</script> <b>bold</b>';
    const { log } = renderTimeline([message('<i>alice</i>', hostile)]);
    expect(within(log).getByText(hostile)).toBeInTheDocument();
    expect(within(log).getByText('<i>alice</i>')).toBeInTheDocument();
    expect(log.querySelector('img, script, b, i')).toBeNull();
  });

  it('keeps the exact text, newlines and spaces included', () => {
    const text = 'line one\n  indented line\n\nlast';
    const { log } = renderTimeline([message('alice', text)]);
    const paragraph = within(log).getByText(
      (_, element) => element?.tagName === 'P' && element.textContent === text,
    );
    expect(paragraph).toBeInTheDocument();
  });

  it('makes safe links and leaves javascript: as text', () => {
    const { log } = renderTimeline([
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

  it('shows the author and time once per group', () => {
    const start = Date.now() - 10 * 60_000;
    const { log } = renderTimeline([
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

  it('labels own messages "You"', () => {
    const { log } = renderTimeline([message('me', 'mine')]);
    expect(within(log).getByText('You')).toBeInTheDocument();
    expect(within(log).queryByText('me')).toBeNull();
  });

  it('gives times a machine-readable date and a full-date title', () => {
    const at = Date.UTC(2025, 0, 2, 15, 4);
    const { log } = renderTimeline([message('alice', 'hi', { sentAtMs: at })], {
      timeZone: 'UTC',
    });
    const time = log.querySelector('time');
    expect(time).toHaveAttribute('datetime', '2025-01-02T15:04:00.000Z');
    expect(time).toHaveTextContent('3:04 PM');
    expect(time?.getAttribute('title')).toMatch(/Thursday, January 2, 2025/);
  });

  it('separates days', () => {
    const { log } = renderTimeline([
      message('alice', 'old', { sentAtMs: Date.now() - 3 * DAY_MS }),
      message('alice', 'new'),
    ]);
    const separators = within(log).getAllByRole('separator');
    expect(separators.map((s) => s.getAttribute('aria-label'))).toEqual([
      expect.stringMatching(/^\w+day, \w+ \d+/),
      'Today',
    ]);
  });

  it('places the "New messages" divider before the first unread message', () => {
    const { log } = renderTimeline(
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

  it('shows joins and leaves as quiet lines', () => {
    const { log } = renderTimeline([systemLine('alice', 'joined'), systemLine('bob', 'left')]);
    expect(within(log).getByText('alice joined')).toBeInTheDocument();
    expect(within(log).getByText('bob left')).toBeInTheDocument();
  });

  it('marks pending messages as sending', () => {
    const { log } = renderTimeline([
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
    const { log } = renderTimeline([message('me', 'fine'), failed], { onRetry, onDiscard });
    expect(within(log).getByText('Not sent: HTTP 500')).toBeInTheDocument();
    await user.click(within(log).getByRole('button', { name: 'Retry' }));
    expect(onRetry).toHaveBeenCalledWith('c-failed');
    await user.click(within(log).getByRole('button', { name: 'Discard' }));
    expect(onDiscard).toHaveBeenCalledWith('c-failed');
    expect(within(log).getAllByRole('button', { name: 'Retry' })).toHaveLength(1);
  });

  it('says where the room begins, or why older messages are missing', async () => {
    const { rerender } = renderTimeline([message('a', 'x')]);
    expect(screen.getByText('Beginning of the room')).toBeInTheDocument();
    await rerender({ olderUnavailable: '1,204 older messages are no longer available' });
    expect(screen.getByText('1,204 older messages are no longer available')).toBeInTheDocument();
    expect(screen.queryByText('Beginning of the room')).toBeNull();
  });

  it('loads older messages with the button', async () => {
    const user = userEvent.setup();
    const onLoadOlder = vi.fn();
    const { rerender } = renderTimeline([message('a', 'x')], { hasOlder: true, onLoadOlder });
    await user.click(screen.getByRole('button', { name: 'Load earlier messages' }));
    expect(onLoadOlder).toHaveBeenCalledTimes(1);
    await rerender({ loadingOlder: true });
    const busy = screen.getByRole('button', { name: 'Loading earlier messages…' });
    expect(busy).toHaveAttribute('aria-disabled', 'true');
    await user.click(busy);
    expect(onLoadOlder).toHaveBeenCalledTimes(1);
  });

  it('loads older messages when scrolled to the top, once per visit', async () => {
    const onLoadOlder = vi.fn();
    const { log } = renderTimeline([message('a', 'x')], { hasOlder: true, onLoadOlder });
    const metrics = stubScrollMetrics(log, {
      scrollHeight: 2_000,
      clientHeight: 500,
      scrollTop: 1_500,
    });
    metrics.scrollTop = 0;
    await fireEvent.scroll(log);
    await fireEvent.scroll(log);
    expect(onLoadOlder).toHaveBeenCalledTimes(1);
    metrics.scrollTop = 800;
    await fireEvent.scroll(log);
    metrics.scrollTop = 10;
    await fireEvent.scroll(log);
    expect(onLoadOlder).toHaveBeenCalledTimes(2);
  });

  it('does not ask for older messages when there are none', async () => {
    const onLoadOlder = vi.fn();
    const { log } = renderTimeline([message('a', 'x')], { hasOlder: false, onLoadOlder });
    stubScrollMetrics(log, { scrollHeight: 2_000, clientHeight: 500, scrollTop: 0 });
    await fireEvent.scroll(log);
    expect(onLoadOlder).not.toHaveBeenCalled();
  });

  it('keeps the view steady when older entries are prepended', async () => {
    const first = [message('a', 'x'), message('a', 'y')];
    const { log, rerender } = renderTimeline(first, { hasOlder: true });
    // Each message paragraph is 100 px tall in this pretend layout.
    const metrics = stubScrollMetrics(
      log,
      { scrollHeight: 0, clientHeight: 500, scrollTop: 0 },
      () => 500 + 100 * log.querySelectorAll('p').length,
    );
    metrics.scrollTop = 40;
    await fireEvent.scroll(log);
    await rerender({
      entries: [
        message('a', 'older 1', { offset: 1 }),
        message('a', 'older 2', { offset: 2 }),
        ...first,
      ],
    });
    await tick();
    expect(metrics.scrollTop).toBe(240);
  });

  it('follows new messages while at the bottom', async () => {
    const first = [message('alice', 'x')];
    const { log, rerender } = renderTimeline(first);
    const metrics = stubScrollMetrics(log, {
      scrollHeight: 1_000,
      clientHeight: 500,
      scrollTop: 500,
    });
    await fireEvent.scroll(log);
    metrics.scrollHeight = 1_200;
    await rerender({ entries: [...first, message('alice', 'y')] });
    await tick();
    expect(metrics.scrollTop).toBe(700);
    expect(screen.queryByRole('button', { name: /Jump to latest/ })).toBeNull();
  });

  it('offers "Jump to latest (N new)" instead of scrolling when the user reads older messages', async () => {
    const user = userEvent.setup();
    const first = [message('alice', 'x')];
    const { log, rerender } = renderTimeline(first);
    const metrics = stubScrollMetrics(log, {
      scrollHeight: 1_000,
      clientHeight: 500,
      scrollTop: 500,
    });
    metrics.scrollTop = 100;
    await fireEvent.scroll(log);
    expect(screen.getByRole('button', { name: 'Jump to latest' })).toBeInTheDocument();

    metrics.scrollHeight = 1_300;
    const more = [...first, message('alice', 'y'), systemLine('bob', 'joined')];
    await rerender({ entries: more });
    await tick();
    expect(metrics.scrollTop).toBe(100);
    await rerender({ entries: [...more, message('carol', 'z')] });
    await tick();
    // Two messages arrived; the join line is not counted as news.
    const jump = screen.getByRole('button', { name: 'Jump to latest (2 new)' });

    await user.click(jump);
    expect(metrics.scrollTop).toBe(800);
    expect(screen.queryByRole('button', { name: /Jump to latest/ })).toBeNull();
    expect(log).toHaveFocus();
  });

  it('always scrolls to the bottom for own messages', async () => {
    const first = [message('alice', 'x')];
    const { log, rerender } = renderTimeline(first);
    const metrics = stubScrollMetrics(log, {
      scrollHeight: 1_000,
      clientHeight: 500,
      scrollTop: 500,
    });
    metrics.scrollTop = 0;
    await fireEvent.scroll(log);
    metrics.scrollHeight = 1_100;
    await rerender({
      entries: [...first, message('me', 'mine', { offset: null, status: 'pending' })],
    });
    await tick();
    expect(metrics.scrollTop).toBe(600);
    expect(screen.queryByRole('button', { name: /Jump to latest/ })).toBeNull();
  });

  it('clears the count when the user scrolls back down', async () => {
    const first = [message('alice', 'x')];
    const { log, rerender } = renderTimeline(first);
    const metrics = stubScrollMetrics(log, {
      scrollHeight: 1_000,
      clientHeight: 500,
      scrollTop: 0,
    });
    await fireEvent.scroll(log);
    await rerender({ entries: [...first, message('alice', 'y')] });
    expect(screen.getByRole('button', { name: 'Jump to latest (1 new)' })).toBeInTheDocument();
    metrics.scrollTop = 480;
    await fireEvent.scroll(log);
    expect(screen.queryByRole('button', { name: /Jump to latest/ })).toBeNull();
  });

  it('invites a first message in an empty room', () => {
    renderTimeline([]);
    expect(screen.getByText('No messages yet. Say hello!')).toBeInTheDocument();
  });
});
