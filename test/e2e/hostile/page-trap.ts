// In-page traps for the hostile-input suites, installed before the app's own script runs
// (an init script): anything that runs code, breaks the Content-Security-Policy or puts
// active markup into the page is written down where the test can read it.
import { expect, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { expectLive, fillSetup, timeline, type SynapMode } from '../fixtures';

/**
 * Plain JavaScript source (not a function handed to Playwright), so no transpiler helper can
 * leak into the page.
 *
 * - `window.__xss`: calls of `__xssHit(id)` (what the corpus's vectors call) and of alert,
 *   confirm, prompt, print and open (what classic vectors call).
 * - `window.__cspViolations`: every `securitypolicyviolation` event.
 * - `window.__domDangers`: elements put into <body> that should never be there (script,
 *   iframe, object, svg…), event-handler attributes, and links or sources whose scheme is not
 *   http, https or mailto; seen by a MutationObserver as they come, so rows the virtualised
 *   timeline drops again still count. `window.__scanDom()` checks the whole body at once.
 */
export const PAGE_TRAP = `(() => {
  const hits = [];
  const record = (what) => function (...args) {
    hits.push(what + '(' + args.map((arg) => String(arg)).join(', ').slice(0, 200) + ')');
  };
  Object.defineProperty(window, '__xss', { value: hits });
  Object.defineProperty(window, '__xssHit', { value: record('__xssHit') });
  for (const name of ['alert', 'confirm', 'prompt', 'print', 'open']) {
    Object.defineProperty(window, name, { value: record(name), configurable: false });
  }

  const violations = [];
  Object.defineProperty(window, '__cspViolations', { value: violations });
  document.addEventListener('securitypolicyviolation', (event) => {
    violations.push({
      directive: event.effectiveDirective,
      blocked: event.blockedURI,
      sample: event.sample,
      source: event.sourceFile + ':' + event.lineNumber,
    });
  });

  const BAD_TAGS = new Set([
    'script', 'iframe', 'frame', 'frameset', 'object', 'embed', 'applet', 'base', 'meta',
    'link', 'style', 'svg', 'math', 'img', 'image', 'video', 'audio', 'source', 'track',
    'template', 'portal', 'marquee', 'isindex', 'xmp', 'noscript', 'noembed', 'plaintext',
    'listing', 'keygen', 'animate', 'set', 'foreignobject', 'use', 'details', 'x',
  ]);
  const URL_ATTRIBUTES = new Set([
    'href', 'src', 'action', 'formaction', 'data', 'background', 'poster', 'xlink:href',
    'srcdoc', 'srcset', 'ping', 'codebase', 'cite', 'longdesc', 'lowsrc', 'dynsrc',
  ]);
  const SAFE_URL = /^(https?:|mailto:)/i;
  const dangers = [];
  Object.defineProperty(window, '__domDangers', { value: dangers });
  const inBody = (element) => document.body !== null && document.body.contains(element);
  const describe = (element) => element.outerHTML.slice(0, 200);
  function scanElement(element, out) {
    if (BAD_TAGS.has(element.localName.toLowerCase())) out.push('element <' + element.localName + '>: ' + describe(element));
    for (const attribute of element.attributes) {
      const name = attribute.name.toLowerCase();
      if (name.startsWith('on')) out.push('handler ' + name + ': ' + describe(element));
      else if (URL_ATTRIBUTES.has(name)) {
        const value = attribute.value.replace(/[\\u0000-\\u0020\\u007f-\\u00a0]/g, '');
        if (!SAFE_URL.test(value)) out.push('url ' + name + '=' + JSON.stringify(attribute.value).slice(0, 120));
      } else if (name === 'style' && /url\\(|expression|binding|behavior/i.test(attribute.value)) {
        out.push('style ' + JSON.stringify(attribute.value).slice(0, 120));
      }
    }
  }
  function scanTree(root, out) {
    if (root.nodeType !== 1) return;
    scanElement(root, out);
    for (const element of root.querySelectorAll('*')) scanElement(element, out);
  }
  Object.defineProperty(window, '__scanDom', {
    value: () => {
      const out = [];
      if (document.body) scanTree(document.body, out);
      return out;
    },
  });
  new MutationObserver((records) => {
    for (const record of records) {
      if (record.type === 'attributes') {
        if (inBody(record.target)) scanElement(record.target, dangers);
      } else {
        for (const node of record.addedNodes) if (node.nodeType === 1 && inBody(node)) scanTree(node, dangers);
      }
    }
  }).observe(document, { childList: true, subtree: true, attributes: true });
})();`;

export interface TrapReport {
  executed: string[];
  cspViolations: Array<{ directive: string; blocked: string; sample: string; source: string }>;
  domDangers: string[];
}

/** What the traps of `page` caught, plus a fresh scan of the whole body. */
export async function trapReport(page: Page): Promise<TrapReport> {
  return page.evaluate(() => {
    const w = window as unknown as {
      __xss: string[];
      __cspViolations: TrapReport['cspViolations'];
      __domDangers: string[];
      __scanDom: () => string[];
    };
    return {
      executed: [...w.__xss],
      cspViolations: [...w.__cspViolations],
      domDangers: [...w.__domDangers, ...w.__scanDom()],
    };
  });
}

/**
 * Proves the traps are armed, then clears them: an <img> from a source the CSP refuses, added
 * by script, must be seen as markup that does not belong and reported as a CSP violation,
 * and a direct call of the trap must be recorded. (An onerror attribute cannot even be set
 * from script under the policy's Trusted Types.)
 */
export async function checkTrapsArmed(page: Page): Promise<void> {
  await page.evaluate(() => {
    const image = document.createElement('img');
    image.src = 'http://127.0.0.1:9/control.png';
    document.body.append(image);
    (window as unknown as { __xssHit: (id: string) => void }).__xssHit('direct control');
  });
  await expect
    .poll(async () => {
      const report = await trapReport(page);
      return {
        executed: report.executed,
        imageSeen: report.domDangers.some((danger) => danger.startsWith('element <img>')),
        imageRefused: report.cspViolations.some((v) => v.directive === 'img-src'),
      };
    })
    .toEqual({ executed: ['__xssHit(direct control)'], imageSeen: true, imageRefused: true });
  await page.evaluate(() => {
    document.querySelectorAll('body > img').forEach((image) => image.remove());
    const w = window as unknown as Record<'__xss' | '__cspViolations' | '__domDangers', unknown[]>;
    w.__xss.splice(0);
    w.__cspViolations.splice(0);
    w.__domDangers.splice(0);
  });
}

export interface TrappedUser {
  context: BrowserContext;
  page: Page;
  /** Uncaught exceptions and dialogs. */
  problems: string[];
  /** Requests to hosts no vector may reach (xss.invalid). */
  strayRequests: string[];
}

/** A browser context whose pages carry the traps, and note errors, dialogs and stray loads. */
export async function trappedContext(
  browser: Browser,
  options: Parameters<Browser['newContext']>[0] = {},
): Promise<TrappedUser> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...options });
  await context.addInitScript(PAGE_TRAP);
  const page = await context.newPage();
  const user: TrappedUser = { context, page, problems: [], strayRequests: [] };
  const watch = (watched: Page) => {
    watched.on('pageerror', (error) => user.problems.push(`pageerror: ${error.message}`));
    watched.on('dialog', (dialog) => {
      user.problems.push(`dialog: ${dialog.message()}`);
      void dialog.dismiss();
    });
    watched.on('request', (request) => {
      if (/xss\.invalid/i.test(request.url())) user.strayRequests.push(request.url());
    });
  };
  context.on('page', watch);
  watch(page);
  return user;
}

/** Through the first-run form into `general` (or `room`), live. */
export async function startChatting(
  user: TrappedUser,
  values: { name: string; prefix: string; serverUrl: string; mode: SynapMode; url?: string },
): Promise<void> {
  const { page } = user;
  await page.goto(values.url ?? './');
  await fillSetup(page, values);
  await page.getByRole('button', { name: 'Start chatting' }).click();
  await expect(timeline(page)).toBeVisible();
  await expectLive(page, { mode: values.mode });
}
