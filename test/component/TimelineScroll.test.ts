import { fireEvent, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { TimelineEntry } from '../../src/lib/chat-model';
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
