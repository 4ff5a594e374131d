// Scripts the bench runs inside the app's page. They are plain JavaScript source (not
// functions handed to Playwright), so that no transpiler helper can leak into the page.
//
// Every "seen" time is `Date.now()` read in a requestAnimationFrame callback queued by the
// MutationObserver that saw the change: the start of the frame that paints it. The bench
// compares it with `Date.now()` in Node, the same system clock on the same machine (the bench
// checks the offset between the two, see clockOffset in page-figures.ts).

/**
 * Init script: `window.__benchLiveAt` becomes the time the connection status first reads
 * "Live · polling" (`polling`), or plain "Live" (over the WebSocket); 0 while that frame is
 * pending, undefined before.
 */
export function watchLive(polling: boolean): string {
  const pattern = polling ? '/Live\\s*·\\s*polling/' : '/^\\s*Live\\s*$/';
  return `(() => {
  const live = () =>
    Array.from(document.querySelectorAll('[role="status"]')).some((el) =>
      ${pattern}.test(el.textContent || ''),
    );
  const observer = new MutationObserver(() => {
    if (window.__benchLiveAt !== undefined || !live()) return;
    window.__benchLiveAt = 0;
    observer.disconnect();
    requestAnimationFrame(() => {
      window.__benchLiveAt = Date.now();
    });
  });
  observer.observe(document, { childList: true, subtree: true, characterData: true });
})()`;
}

/**
 * `window.__benchPaint[n]`: when a message whose text contains `paint-<n>` first appeared in
 * the timeline of `room`; `window.__benchPaintPhases[n]`: [performance.now() when the
 * MutationObserver saw it, performance.now() in that frame], to set against the resource
 * timing of the consume answers (see CONSUME_TIMINGS).
 */
export function watchPaint(room: string): string {
  return `(() => {
  const log = document.querySelector(${JSON.stringify(`[role="log"][aria-label="Messages in ${room}"]`)});
  if (!log) throw new Error('no timeline for ${room}');
  performance.setResourceTimingBufferSize(10000);
  performance.clearResourceTimings();
  const seen = (window.__benchPaint = {});
  const phases = (window.__benchPaintPhases = {});
  const pattern = /\\bpaint-(\\d+)\\b/g;
  const pending = new Set();
  const scan = (node) => {
    const text = node.textContent;
    if (!text) return;
    for (const match of text.matchAll(pattern)) if (!(match[1] in seen)) pending.add(match[1]);
  };
  new MutationObserver((records) => {
    for (const record of records) {
      if (record.type === 'characterData') scan(record.target);
      else for (const node of record.addedNodes) scan(node);
    }
    if (pending.size === 0) return;
    const batch = [...pending];
    pending.clear();
    const observedAt = performance.now();
    for (const id of batch) seen[id] = 0;
    requestAnimationFrame(() => {
      const now = Date.now();
      const frameAt = performance.now();
      for (const id of batch) {
        seen[id] = now;
        phases[id] = [observedAt, frameAt];
      }
    });
  }).observe(log, { childList: true, subtree: true, characterData: true });
})()`;
}

/** [startTime, responseEnd] of every consume request the page made, in performance.now() time. */
export const CONSUME_TIMINGS = `performance
  .getEntriesByType('resource')
  .filter((entry) => entry.name.includes('/consume/'))
  .map((entry) => [entry.startTime, entry.responseEnd])`;

/**
 * `window.__benchUnread = { count, at }`: the unread count the room list shows for `room`
 * (its button's accessible name "room, N unread"), and `at[n]` when it first showed n.
 */
export function watchUnread(room: string): string {
  return `(() => {
  const nav = document.querySelector('nav[aria-label="Rooms"]');
  if (!nav) throw new Error('no room list');
  const prefix = ${JSON.stringify(`${room}, `)};
  const state = (window.__benchUnread = { count: 0, at: {} });
  const read = () => {
    for (const button of nav.querySelectorAll('button[aria-label]')) {
      const label = button.getAttribute('aria-label') || '';
      if (!label.startsWith(prefix)) continue;
      const match = /^(\\d+) unread$/.exec(label.slice(prefix.length));
      if (match) return Number(match[1]);
    }
    return 0;
  };
  new MutationObserver(() => {
    const count = read();
    if (count <= state.count) return;
    const fresh = [];
    for (let n = state.count + 1; n <= count; n += 1) fresh.push(n);
    state.count = count;
    for (const n of fresh) state.at[n] = 0;
    requestAnimationFrame(() => {
      const now = Date.now();
      for (const n of fresh) state.at[n] = now;
    });
  }).observe(nav, { childList: true, subtree: true, characterData: true, attributes: true });
})()`;
}

/**
 * Headless Chromium keeps every page visible (minimising the window or opening another tab
 * changes nothing), so "hidden" is what the app's visibilitychange handler reads:
 * document.visibilityState overridden, then the event. Timers are not throttled by this;
 * a really hidden tab may be throttled further by the browser, never polled more.
 */
export function setHidden(hidden: boolean): string {
  return hidden
    ? `(() => {
  Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
  Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
  document.dispatchEvent(new Event('visibilitychange'));
  return document.visibilityState;
})()`
    : `(() => {
  delete document.visibilityState;
  delete document.hidden;
  document.dispatchEvent(new Event('visibilitychange'));
  return document.visibilityState;
})()`;
}
