import { fireEvent, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { TimelineEntry } from '../../src/lib/timeline/entries';
import { message, stubScrollMetrics, systemLine } from './fixtures';
import { renderTimeline, ROW_PX, settle, useVirtualLayout, VIEWPORT_PX } from './timeline-harness';

useVirtualLayout();

/** One day, so the only separator is the first row; alice writes `m{offset}` each second. */
const START_MS = Date.UTC(2025, 0, 2, 12);
function history(count: number, fromOffset = 1_000): TimelineEntry[] {
  return Array.from({ length: count }, (_, i) => {
    const offset = fromOffset + i;
    return message('alice', `m${offset}`, {
      offset,
      key: `o${offset}`,
      sentAtMs: START_MS + offset * 1_000,
    });
  });
}

/**
 * Gives the log the scroll geometry a browser would (jsdom has none): as tall as the
 * virtualizer's rows, VIEWPORT_PX high. `scrollTo` moves it the way a reader does.
 */
function layOut(log: HTMLElement) {
  const rows = () => log.querySelector('.content')?.lastElementChild as HTMLElement | null;
  const metrics = stubScrollMetrics(
    log,
    { scrollHeight: 0, clientHeight: VIEWPORT_PX, scrollTop: 0 },
    () => Math.max(VIEWPORT_PX, Number.parseFloat(rows()?.style.height ?? '') || 0),
  );
  // Browsers tell of every scroll, the page's own too (the virtualizer draws from them).
  const stubbed = Object.getOwnPropertyDescriptor(log, 'scrollTop');
  Object.defineProperty(log, 'scrollTop', {
    configurable: true,
    get: stubbed?.get,
    set(value: number) {
      const before = metrics.scrollTop;
      stubbed?.set?.call(log, value);
      if (metrics.scrollTop !== before) setTimeout(() => void fireEvent.scroll(log));
    },
  });
  const bottom = () => log.scrollHeight - VIEWPORT_PX;
  const scrollTo = async (top: number) => {
    // A reader's scroll comes with a wheel (or touch, keys, scrollbar).
    await fireEvent.wheel(log);
    metrics.scrollTop = top;
    await fireEvent.scroll(log);
    await settle();
  };
  return { metrics, bottom, scrollTo };
}

/** Where the row showing `text` is, relative to the top of the view. */
function viewY(log: HTMLElement, text: string): number {
  const row = screen.getByText(text).closest<HTMLElement>('[style*="top"]');
  return Number.parseFloat(row?.style.top ?? 'NaN') - log.scrollTop;
}

const jumpButton = () => screen.queryByRole('button', { name: /Jump to latest/ });

// Each test waits on several rounds of (fake) layout; a busy machine needs more than 5 s.
describe('Timeline scrolling', { timeout: 20_000 }, () => {
  it('loads older messages when scrolled to the top, once per visit', async () => {
    const onLoadOlder = vi.fn();
    const { log } = await renderTimeline(history(120), { hasOlder: true, onLoadOlder });
    const { bottom, scrollTo } = layOut(log);
    await scrollTo(bottom());
    await scrollTo(0);
    await scrollTo(0);
    expect(onLoadOlder).toHaveBeenCalledTimes(1);
    await scrollTo(800);
    await scrollTo(10);
    expect(onLoadOlder).toHaveBeenCalledTimes(2);
  });

  it('does not ask for older messages when there are none', async () => {
    const onLoadOlder = vi.fn();
    const { log } = await renderTimeline(history(120), { hasOlder: false, onLoadOlder });
    await layOut(log).scrollTo(0);
    expect(onLoadOlder).not.toHaveBeenCalled();
  });

  it('keeps the rows in view still when older entries are prepended', async () => {
    const first = history(120);
    const { log, rerender } = await renderTimeline(first, { hasOlder: true });
    const { metrics, bottom, scrollTo } = layOut(log);
    await scrollTo(bottom());
    await scrollTo(400);
    const before = viewY(log, 'm1012');
    await rerender({ entries: [...history(50, 950), ...first] });
    await settle();
    expect(metrics.scrollTop).toBe(400 + 50 * ROW_PX);
    expect(viewY(log, 'm1012')).toBe(before);
    expect(jumpButton()).toBeInTheDocument();
  });

  it('follows new messages while at the bottom', async () => {
    const first = history(100);
    const { log, rerender } = await renderTimeline(first);
    const { metrics, bottom, scrollTo } = layOut(log);
    await scrollTo(bottom());
    await rerender({ entries: [...first, message('bob', 'news')] });
    await settle();
    expect(metrics.scrollTop).toBe(bottom());
    expect(screen.getByText('news')).toBeInTheDocument();
    expect(jumpButton()).toBeNull();
  });

  it('offers "Jump to latest (N new)" instead of scrolling when the user reads older messages', async () => {
    const user = userEvent.setup();
    const first = history(100);
    const { log, rerender } = await renderTimeline(first);
    const { metrics, bottom, scrollTo } = layOut(log);
    await scrollTo(bottom());
    await scrollTo(bottom() - 400);
    expect(screen.getByRole('button', { name: 'Jump to latest' })).toBeInTheDocument();

    const reading = metrics.scrollTop;
    const more = [...first, message('bob', 'y'), systemLine('carol', 'joined')];
    await rerender({ entries: more });
    await settle();
    expect(metrics.scrollTop).toBe(reading);
    await rerender({ entries: [...more, message('carol', 'z')] });
    await settle();
    // Two messages arrived; the join line is not counted as news.
    const jump = screen.getByRole('button', { name: 'Jump to latest (2 new)' });

    await user.click(jump);
    await settle();
    expect(metrics.scrollTop).toBe(bottom());
    expect(screen.getByText('z')).toBeInTheDocument();
    expect(jumpButton()).toBeNull();
    expect(log).toHaveFocus();
  });

  it('always scrolls to the bottom for own messages', async () => {
    const first = history(100);
    const { log, rerender } = await renderTimeline(first);
    const { metrics, bottom, scrollTo } = layOut(log);
    await scrollTo(bottom());
    await scrollTo(0);
    await rerender({
      entries: [...first, message('me', 'mine', { offset: null, status: 'pending' })],
    });
    await settle();
    expect(metrics.scrollTop).toBe(bottom());
    expect(screen.getByText('mine')).toBeInTheDocument();
    expect(jumpButton()).toBeNull();
  });

  it('clears the count when the user scrolls back down', async () => {
    const first = history(100);
    const { log, rerender } = await renderTimeline(first);
    const { bottom, scrollTo } = layOut(log);
    await scrollTo(bottom());
    await scrollTo(0);
    await rerender({ entries: [...first, message('bob', 'y')] });
    expect(screen.getByRole('button', { name: 'Jump to latest (1 new)' })).toBeInTheDocument();
    await scrollTo(bottom() - 20);
    expect(jumpButton()).toBeNull();
  });

  it('takes End to the latest message', async () => {
    const user = userEvent.setup();
    const { log } = await renderTimeline(history(100));
    const { metrics, bottom, scrollTo } = layOut(log);
    await scrollTo(bottom());
    await scrollTo(0);
    log.focus();
    await user.keyboard('{End}');
    await settle();
    expect(metrics.scrollTop).toBe(bottom());
    expect(screen.getByText('m1099')).toBeInTheDocument();
    expect(jumpButton()).toBeNull();
  });

  it('keeps the row with the keyboard focus drawn when it scrolls out of view', async () => {
    const failed = message('me', 'lost', {
      offset: null,
      status: 'failed',
      key: 'c-lost',
      clientId: 'c-lost',
      sentAtMs: START_MS + 2_000_000,
    });
    const { log } = await renderTimeline([...history(200), failed]);
    const { bottom, scrollTo } = layOut(log);
    await scrollTo(bottom());
    const retry = screen.getByRole('button', { name: 'Retry' });
    retry.focus();
    await settle();
    await scrollTo(0);
    expect(screen.getByText('m1000')).toBeInTheDocument();
    expect(screen.queryByText('m1150')).toBeNull();
    expect(retry).toBeInTheDocument();
    expect(retry).toHaveFocus();
  });

  it('tells whether the reader follows the newest messages', async () => {
    const user = userEvent.setup();
    const onFollowingChange = vi.fn();
    const { log } = await renderTimeline(history(100), { onFollowingChange });
    expect(onFollowingChange).toHaveBeenLastCalledWith(true);
    const { bottom, scrollTo } = layOut(log);
    await scrollTo(bottom());
    await scrollTo(0);
    expect(onFollowingChange).toHaveBeenLastCalledWith(false);
    await user.click(screen.getByRole('button', { name: 'Jump to latest' }));
    await settle();
    expect(onFollowingChange).toHaveBeenLastCalledWith(true);
  });
});

describe('Timeline opening with unread messages', { timeout: 20_000 }, () => {
  const divider = () => screen.getByRole('separator', { name: 'New messages' });
  /** Where the divider's row is, relative to the top of the view. */
  const dividerY = (log: HTMLElement) => {
    const row = divider().closest<HTMLElement>('[style*="top"]');
    return Number.parseFloat(row?.style.top ?? 'NaN') - log.scrollTop;
  };

  /** A room opening: mounted while its history loads, which then arrives. */
  async function open(props: Record<string, unknown> = {}) {
    const result = await renderTimeline([], props);
    return { ...result, ...layOut(result.log) };
  }

  it('opens at the "New messages" divider, the first unread message in view', async () => {
    const { log, rerender, metrics, bottom } = await open();
    await rerender({ entries: history(200), unreadFromOffset: 1_100 });
    await settle();
    expect(dividerY(log)).toBeGreaterThanOrEqual(0);
    expect(dividerY(log)).toBeLessThan(ROW_PX);
    const firstUnread = viewY(log, 'm1100');
    expect(firstUnread).toBeGreaterThan(0);
    expect(firstUnread).toBeLessThan(VIEWPORT_PX / 4);
    expect(metrics.scrollTop).toBeLessThan(bottom());
    // The rest is below: the way down is offered, counting nothing (nothing arrived since).
    expect(screen.getByRole('button', { name: 'Jump to latest' })).toBeInTheDocument();
  });

  it('opens at the bottom, as always, with nothing unread', async () => {
    const { rerender, metrics, bottom } = await open();
    await rerender({ entries: history(200) });
    await settle();
    expect(metrics.scrollTop).toBe(bottom());
    expect(screen.getByText('m1199')).toBeInTheDocument();
    expect(jumpButton()).toBeNull();
  });

  it('goes to the divider when the missed messages arrive after the history', async () => {
    const { log, rerender, metrics, bottom } = await open();
    const seen = history(100);
    await rerender({ entries: seen });
    await settle();
    expect(metrics.scrollTop).toBe(bottom());
    await rerender({ entries: [...seen, ...history(100, 1_100)], unreadFromOffset: 1_100 });
    await settle();
    expect(dividerY(log)).toBeGreaterThanOrEqual(0);
    expect(dividerY(log)).toBeLessThan(ROW_PX);
    expect(screen.getByText('m1100')).toBeInTheDocument();
  });

  it('holds the divider while more arrives, and counts what arrives below', async () => {
    const { log, rerender } = await open();
    const first = history(200);
    await rerender({ entries: first, unreadFromOffset: 1_100 });
    await settle();
    const at = dividerY(log);
    await rerender({ entries: [...first, message('bob', 'later')] });
    await settle();
    expect(dividerY(log)).toBe(at);
    expect(screen.getByRole('button', { name: 'Jump to latest (1 new)' })).toBeInTheDocument();
  });

  it('opens at the bottom, following, when the unread part fits in the view', async () => {
    const { log, rerender, metrics, bottom } = await open();
    const first = history(200);
    await rerender({ entries: first, unreadFromOffset: 1_190 });
    await settle();
    expect(metrics.scrollTop).toBe(bottom());
    expect(dividerY(log)).toBeGreaterThan(0);
    expect(jumpButton()).toBeNull();
    await rerender({ entries: [...first, message('bob', 'news')] });
    await settle();
    expect(metrics.scrollTop).toBe(bottom());
    expect(screen.getByText('news')).toBeInTheDocument();
  });

  it('leaves the view to the reader once they scroll', async () => {
    const { rerender, metrics, bottom, scrollTo } = await open();
    const seen = history(100);
    await rerender({ entries: seen });
    await settle();
    await scrollTo(bottom() - 200);
    const reading = metrics.scrollTop;
    await rerender({ entries: [...seen, ...history(100, 1_100)], unreadFromOffset: 1_100 });
    await settle();
    expect(metrics.scrollTop).toBe(reading);
  });

  it('jumps to the latest message, and follows from there', async () => {
    const user = userEvent.setup();
    const { rerender, metrics, bottom } = await open();
    const first = history(200);
    await rerender({ entries: first, unreadFromOffset: 1_100 });
    await settle();
    await user.click(screen.getByRole('button', { name: 'Jump to latest' }));
    await settle();
    expect(metrics.scrollTop).toBe(bottom());
    await rerender({ entries: [...first, message('bob', 'news')] });
    await settle();
    expect(metrics.scrollTop).toBe(bottom());
    expect(jumpButton()).toBeNull();
  });

  it('goes to the bottom for an own message sent from the divider', async () => {
    const { rerender, metrics, bottom } = await open();
    const first = history(200);
    await rerender({ entries: first, unreadFromOffset: 1_100 });
    await settle();
    await rerender({
      entries: [...first, message('me', 'mine', { offset: null, status: 'pending' })],
    });
    await settle();
    expect(metrics.scrollTop).toBe(bottom());
    expect(screen.getByText('mine')).toBeInTheDocument();
    expect(jumpButton()).toBeNull();
  });

  it('keeps the rows in view still when older entries are prepended at the divider', async () => {
    const { log, rerender } = await open({ hasOlder: true });
    const first = history(200);
    await rerender({ entries: first, unreadFromOffset: 1_100 });
    await settle();
    const at = dividerY(log);
    const before = viewY(log, 'm1100');
    await rerender({ entries: [...history(50, 950), ...first] });
    await settle();
    expect(dividerY(log)).toBe(at);
    expect(viewY(log, 'm1100')).toBe(before);
  });
});
