import type { ChatMessage, SystemLine } from '../../src/lib/timeline/entries';

let nextOffset = 100;

/** A stored message; `own` follows the author being "me" unless given. */
export function message(
  userId: string,
  text: string,
  extra: Partial<ChatMessage> = {},
): ChatMessage {
  const offset = extra.offset === undefined ? nextOffset++ : extra.offset;
  return {
    type: 'message',
    key: offset === null ? `c${nextOffset++}` : `o${offset}`,
    offset,
    userId,
    text,
    sentAtMs: Date.now(),
    own: userId === 'me',
    status: 'confirmed',
    ...extra,
  };
}

export function systemLine(
  userId: string,
  kind: 'joined' | 'left',
  extra: Partial<SystemLine> = {},
): SystemLine {
  const offset = extra.offset ?? nextOffset++;
  return { type: 'system', key: `o${offset}`, offset, kind, userId, atMs: Date.now(), ...extra };
}

/**
 * jsdom has no layout: give an element the scroll geometry a browser would compute.
 * `contentHeight`, when given, derives scrollHeight from the current DOM (like layout would).
 */
export function stubScrollMetrics(
  element: HTMLElement,
  metrics: { scrollHeight: number; clientHeight: number; scrollTop: number },
  contentHeight?: () => number,
) {
  const state = { ...metrics };
  Object.defineProperty(element, 'scrollHeight', {
    configurable: true,
    get: () => (contentHeight ? contentHeight() : state.scrollHeight),
  });
  Object.defineProperty(element, 'clientHeight', {
    configurable: true,
    get: () => state.clientHeight,
  });
  Object.defineProperty(element, 'scrollTop', {
    configurable: true,
    get: () => state.scrollTop,
    set: (value: number) => {
      const scrollHeight = contentHeight ? contentHeight() : state.scrollHeight;
      state.scrollTop = Math.max(0, Math.min(value, scrollHeight - state.clientHeight));
    },
  });
  return state;
}
