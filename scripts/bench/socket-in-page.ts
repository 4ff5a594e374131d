// Scripts the socket-mode page figures run inside the app's page (plain JavaScript source,
// like in-page.ts, so no transpiler helper can leak into the page).
//
// PAGE_PROBES is an init script: it runs in every document of a context before the app, and
// keeps everything in `window.__bench`:
//
// - frames: the app's WebSockets are wrapped so that a listener added before the app's own
//   `onmessage` notes `performance.now()` for every frame, and for each mark it carries.
// - marks: message texts such as "paint-12" (`<kind>-<n>`) as they first appear in a timeline
//   (`[role="log"]`), seen by a MutationObserver, with the time the frame that shows them was
//   painted (see below).
// - longTasks: every PerformanceObserver 'longtask' entry (over 50 ms), [start, duration].
//
// "Painted" is the end of the main thread's work on the frame that shows a change: the app
// changes the timeline inside a requestAnimationFrame callback (one render per frame), and a
// change made there is painted by that same frame, while one made in an ordinary task waits
// for the next frame. So the probes wrap requestAnimationFrame: the first callback of a frame
// posts a task, which runs once that frame's style, layout and paint are done. A change seen
// while a frame is open is timed by that task; one seen outside a frame by the task of the
// next frame (requested with the browser's own requestAnimationFrame). All times are
// performance.now() in the page, except `epoch`, Date.now() read at the same moment (to set
// against Date.now() in Node, the same clock).

export const PAGE_PROBES = `(() => {
  if (window.__bench) return;
  const bench = (window.__bench = {
    frames: { count: 0, firstAt: 0, lastAt: 0, at: {} },
    marks: {},
    longTasks: [],
  });
  const MARK = /\\b((?:paint|burst|backlog|before|scale)-\\d+)\\b/g;

  // 1. WebSocket frames.
  const NativeWebSocket = window.WebSocket;
  if (NativeWebSocket) {
    window.WebSocket = class extends NativeWebSocket {
      constructor(...args) {
        super(...args);
        this.addEventListener('message', (event) => {
          const at = performance.now();
          const frames = bench.frames;
          frames.count += 1;
          if (!frames.firstAt) frames.firstAt = at;
          frames.lastAt = at;
          if (typeof event.data !== 'string') return;
          for (const match of event.data.matchAll(MARK)) {
            if (!(match[1] in frames.at)) frames.at[match[1]] = at;
          }
        });
      }
    };
  }

  // 2. Frames: when the frame that shows a change is painted.
  const nativeRaf = window.requestAnimationFrame.bind(window);
  bench.nativeRaf = nativeRaf;
  let frameOpen = false;
  let waiting = [];
  const channel = new MessageChannel();
  channel.port1.onmessage = () => {
    frameOpen = false;
    const now = performance.now();
    const epoch = Date.now();
    const done = waiting;
    waiting = [];
    for (const callback of done) callback(now, epoch);
  };
  const openFrame = () => {
    if (frameOpen) return;
    frameOpen = true;
    channel.port2.postMessage(0);
  };
  window.requestAnimationFrame = (callback) =>
    nativeRaf((time) => {
      openFrame();
      callback(time);
    });
  const afterPaint = (callback) => {
    if (frameOpen) waiting.push(callback);
    else
      nativeRaf(() => {
        openFrame();
        waiting.push(callback);
      });
  };
  bench.afterPaint = afterPaint;

  // 3. Marks in a timeline.
  const marks = bench.marks;
  const pending = new Set();
  const scanText = (text) => {
    if (!text) return;
    for (const match of text.matchAll(MARK)) if (!(match[1] in marks)) pending.add(match[1]);
  };
  const inLog = (node) => {
    const element = node.nodeType === 1 ? node : node.parentElement;
    return !!(element && element.closest('[role="log"]'));
  };
  const scanNode = (node) => {
    if (inLog(node)) scanText(node.textContent);
    else if (node.nodeType === 1) {
      for (const log of node.querySelectorAll('[role="log"]')) scanText(log.textContent);
    }
  };
  new MutationObserver((records) => {
    for (const record of records) {
      if (record.type === 'characterData') {
        if (inLog(record.target)) scanText(record.target.data);
      } else for (const node of record.addedNodes) scanNode(node);
    }
    if (pending.size === 0) return;
    const keys = [...pending];
    pending.clear();
    const observedAt = performance.now();
    for (const key of keys) marks[key] = [observedAt, 0, 0];
    afterPaint((paintedAt, epoch) => {
      for (const key of keys) {
        marks[key][1] = paintedAt;
        marks[key][2] = epoch;
      }
    });
  }).observe(document, { childList: true, subtree: true, characterData: true });

  // 4. Long tasks.
  try {
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) bench.longTasks.push([entry.startTime, entry.duration]);
    }).observe({ type: 'longtask', buffered: true });
  } catch {
    bench.longTasks = null;
  }
})()`;

/** `{ at, epoch }` (performance.now(), Date.now()) once mark `key` is painted, or null. */
export function markPainted(key: string): string {
  return `(() => {
  const mark = window.__bench.marks[${JSON.stringify(key)}];
  return mark && mark[1] > 0 ? { at: mark[1], epoch: mark[2] } : null;
})()`;
}

/**
 * Starts a measuring window: a requestAnimationFrame loop (the browser's own) notes every
 * frame interval until stopWindow(). performance.now() at its start.
 */
export const START_WINDOW = `(() => {
  const bench = window.__bench;
  const window_ = (bench.window = {
    startedAt: performance.now(),
    frames: bench.frames.count,
    intervals: [],
    stopped: false,
  });
  let last = 0;
  const loop = (time) => {
    if (window_.stopped) return;
    if (last) window_.intervals.push(time - last);
    last = time;
    bench.nativeRaf(loop);
  };
  bench.nativeRaf(loop);
  return window_.startedAt;
})()`;

export interface WindowResult {
  startedAt: number;
  endedAt: number;
  /** Every requestAnimationFrame interval in the window, ms. */
  intervals: number[];
  /** [start, duration] of every long task that started in the window. */
  longTasks: Array<[number, number]> | null;
  /** WebSocket frames received in the window, and when the first and last came. */
  frames: number;
  firstFrameAt: number;
  lastFrameAt: number;
}

export const STOP_WINDOW = `(() => {
  const bench = window.__bench;
  const window_ = bench.window;
  window_.stopped = true;
  const endedAt = performance.now();
  return {
    startedAt: window_.startedAt,
    endedAt,
    intervals: window_.intervals,
    longTasks: bench.longTasks
      ? bench.longTasks.filter(([start]) => start >= window_.startedAt && start <= endedAt)
      : null,
    frames: bench.frames.count - window_.frames,
    firstFrameAt: bench.frames.firstAt,
    lastFrameAt: bench.frames.lastAt,
  };
})()`;

/**
 * null while the timeline follows the newest messages; otherwise the count on its
 * "Jump to latest (N new)" button and the newest burst message drawn.
 */
export const JUMP_TO_LATEST = `(() => {
  const jump = Array.from(document.querySelectorAll('button')).find((button) =>
    /Jump to latest/.test(button.textContent || ''),
  );
  if (!jump) return null;
  const count = /\\(([\\d,.\\s]+) new\\)/.exec(jump.textContent || '');
  const newest = Object.keys(window.__bench.marks)
    .filter((key) => key.startsWith('burst-'))
    .map((key) => Number(key.slice(6)))
    .sort((a, b) => b - a)[0];
  return {
    unseen: count ? Number(count[1].replace(/[^\\d]/g, '')) : -1,
    newestPainted: newest ?? -1,
  };
})()`;

/** [start, duration] of the long tasks that started between `from` and `to` (performance.now()). */
export function longTasksBetween(from: number, to: number): string {
  return `(window.__bench.longTasks || []).filter(([start]) => start >= ${from} && start <= ${to})`;
}

/**
 * Resolves once mark `key` is painted, and then the composer is in the page, enabled: the time
 * (performance.now(), from navigation start) at which a task posted from the painted frame
 * got to run, i.e. the main thread was free to take a key press. Rejects after `timeoutMs`.
 */
export function interactiveAfter(key: string, timeoutMs: number): string {
  return `new Promise((resolve, reject) => {
  const bench = window.__bench;
  const started = performance.now();
  const check = () => {
    const mark = bench.marks[${JSON.stringify(key)}];
    const composer = document.querySelector('textarea');
    if (mark && mark[1] > 0 && composer && !composer.disabled) {
      const channel = new MessageChannel();
      channel.port1.onmessage = () =>
        resolve({ paintedAt: mark[1], interactiveAt: performance.now() });
      channel.port2.postMessage(0);
      return;
    }
    if (performance.now() - started > ${timeoutMs}) {
      reject(new Error('mark ${key} not painted within ${timeoutMs} ms'));
      return;
    }
    bench.nativeRaf(check);
  };
  check();
})`;
}

/** The `nextOffset` of the cursor the app keeps in localStorage for `stream` (-1: none). */
export function storedCursor(stream: string): string {
  return `(() => {
  for (let i = 0; i < localStorage.length; i += 1) {
    const key = localStorage.key(i) || '';
    if (!key.startsWith('synap-chat:cursor:') || !key.includes(${JSON.stringify(JSON.stringify(stream))})) continue;
    try {
      return JSON.parse(localStorage.getItem(key)).nextOffset ?? -1;
    } catch {
      return -1;
    }
  }
  return -1;
})()`;
}

/** Descendants of the timeline (`[role="log"]`) of `room`: what the virtualiser keeps drawn. */
export function timelineNodes(room: string): string {
  return `document.querySelector(${JSON.stringify(`[role="log"][aria-label="Messages in ${room}"]`)})?.querySelectorAll('*').length ?? -1`;
}

export interface PagingResult {
  pages: number;
  ms: number;
  reachedTop: boolean;
  maxNodes: number;
  nodesAtTop: number;
  /** Pages that never showed "loading" within 5 s (the bench nudged the scroll instead). */
  stalls: number;
  /** [ms since start, timeline DOM nodes] after every 25th page. */
  samples: Array<[number, number]>;
  /**
   * Per page: animation frames from the scroll to the top until the frame after the page
   * was loaded (3 at best: the scroll's, the one that sees it loaded, the next), and the ms.
   */
  pageFrames: number[];
  pageMs: number[];
}

/**
 * Pages the timeline of `room` back to its first message the way a reader does: scroll to
 * the top, wait for the earlier page to load (the log goes aria-busy and back) and be drawn,
 * again, until "Beginning of the room" shows or `limitMs` is up.
 */
export function pageToTop(room: string, limitMs: number): string {
  return `(async () => {
  const bench = window.__bench;
  const log = document.querySelector(${JSON.stringify(`[role="log"][aria-label="Messages in ${room}"]`)});
  if (!log) throw new Error('no timeline for ${room}');
  const frame = () => new Promise((resolve) => bench.nativeRaf(resolve));
  const nodes = () => log.querySelectorAll('*').length;
  const atTop = () => (log.textContent || '').includes('Beginning of the room');
  const started = performance.now();
  let pages = 0;
  let stalls = 0;
  let maxNodes = nodes();
  const samples = [];
  const pageFrames = [];
  const pageMs = [];
  while (!atTop() && performance.now() - started < ${limitMs}) {
    const pageStarted = performance.now();
    let frames = 0;
    log.scrollTop = 0;
    let sawBusy = false;
    let waitedFrom = performance.now();
    for (;;) {
      await frame();
      frames += 1;
      if (atTop()) break;
      const busy = log.getAttribute('aria-busy') === 'true';
      if (busy) sawBusy = true;
      else if (sawBusy) break;
      if (!sawBusy && performance.now() - waitedFrom > 5000) {
        // No load started: scroll away and back, as a reader would.
        stalls += 1;
        log.scrollTop = 400;
        await frame();
        frames += 1;
        log.scrollTop = 0;
        waitedFrom = performance.now();
      }
      if (performance.now() - started > ${limitMs}) break;
    }
    pages += 1;
    await frame();
    pageFrames.push(frames + 1);
    pageMs.push(Math.round((performance.now() - pageStarted) * 10) / 10);
    maxNodes = Math.max(maxNodes, nodes());
    if (pages % 25 === 0) samples.push([Math.round(performance.now() - started), nodes()]);
  }
  await frame();
  await frame();
  const reachedTop = atTop();
  return {
    pages,
    ms: performance.now() - started,
    reachedTop,
    maxNodes: Math.max(maxNodes, nodes()),
    nodesAtTop: nodes(),
    stalls,
    samples,
    pageFrames,
    pageMs,
  };
})()`;
}
