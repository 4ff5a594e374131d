// Rendering the Timeline in jsdom, which lays nothing out: the virtualised timeline draws
// only the rows that fit its viewport, which it learns from a ResizeObserver, so these
// stand-ins give it one.

import { render, screen } from '@testing-library/svelte';
import { tick } from 'svelte';
import { afterEach, beforeEach, vi } from 'vitest';
import Timeline from '../../src/components/Timeline.svelte';
import type { TimelineEntry } from '../../src/lib/timeline/entries';

/** The height the log reports. */
export const VIEWPORT_PX = 2_400;
/** The height every row reports: the log has room for 60. */
export const ROW_PX = 40;

/** Sizes as a layout would give them: the log (the scroll container), and rows. */
class FakeResizeObserver {
  readonly #callback: ResizeObserverCallback;
  #observed = new Set<Element>();

  constructor(callback: ResizeObserverCallback) {
    this.#callback = callback;
  }

  observe(target: Element): void {
    this.#observed.add(target);
    // Real observers report asynchronously, once on observe.
    setTimeout(() => {
      if (!this.#observed.has(target)) return;
      const height =
        target.getAttribute('role') === 'log'
          ? VIEWPORT_PX
          : (target as HTMLElement).style.position === 'absolute'
            ? ROW_PX
            : 0;
      const entry = { target, contentRect: { width: 800, height } } as ResizeObserverEntry;
      this.#callback([entry], this as unknown as ResizeObserver);
    });
  }

  unobserve(target: Element): void {
    this.#observed.delete(target);
  }

  disconnect(): void {
    this.#observed.clear();
  }
}

const offsetParent = Object.getOwnPropertyDescriptor(HTMLElement.prototype, 'offsetParent');

/** Installs the stand-ins for each test of the calling file. */
export function useVirtualLayout(): void {
  beforeEach(() => {
    // The virtualizer measures only rows that are laid out, which it tells by offsetParent.
    Object.defineProperty(HTMLElement.prototype, 'offsetParent', {
      configurable: true,
      get(this: HTMLElement) {
        return this.parentElement;
      },
    });
    vi.stubGlobal('ResizeObserver', FakeResizeObserver);
    // The virtualizer scrolls with these; jsdom has only the scrollTop property.
    Object.defineProperty(Element.prototype, 'scrollTo', {
      configurable: true,
      value(this: Element, options: ScrollToOptions) {
        if (options.top !== undefined) this.scrollTop = options.top;
      },
    });
    Object.defineProperty(Element.prototype, 'scrollBy', {
      configurable: true,
      value(this: Element, options: ScrollToOptions) {
        this.scrollTop += options.top ?? 0;
      },
    });
  });
  afterEach(() => {
    vi.unstubAllGlobals();
    if (offsetParent) Object.defineProperty(HTMLElement.prototype, 'offsetParent', offsetParent);
    delete (Element.prototype as Partial<Element>).scrollTo;
    delete (Element.prototype as Partial<Element>).scrollBy;
  });
}

/** Lets the observers report and the rows they allow be drawn. */
export async function settle(): Promise<void> {
  for (let round = 0; round < 3; round += 1) {
    await tick();
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  await tick();
}

/** Renders a Timeline for room "general" and waits until its rows are drawn. */
export async function renderTimeline(
  entries: TimelineEntry[],
  props: Record<string, unknown> = {},
) {
  const result = render(Timeline, {
    roomLabel: 'general',
    entries,
    hasOlder: false,
    locale: 'en-US',
    ...props,
  });
  await settle();
  const log = screen.getByRole('log', { name: 'Messages in general' });
  return { ...result, log };
}
