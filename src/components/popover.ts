// A message row's small popovers (its actions menu, the emoji picker): shown in the page's top
// layer, so neither the virtualised row's containment nor the scroller's overflow clips them,
// and placed beside the control that opened them. Their document listeners exist only while
// one is open: hundreds of rows mount as the timeline scrolls.
import type { Attachment } from 'svelte/attachments';

const MARGIN_PX = 8;
const GAP_PX = 4;

export interface PopoverOptions {
  /** Line the popover's start (others' messages) or end (own ones) with the opener's. */
  align: 'start' | 'end';
  /** A pointer pressed outside it (and outside the opener, which toggles it itself). */
  onDismiss: () => void;
}

/** Under the opener (above it when there is no room below), inside the viewport. */
function place(panel: HTMLElement, opener: HTMLElement, align: 'start' | 'end'): void {
  const at = opener.getBoundingClientRect();
  const size = panel.getBoundingClientRect();
  const width = document.documentElement.clientWidth || window.innerWidth;
  const height = window.innerHeight;
  let top = at.bottom + GAP_PX;
  if (top + size.height > height - MARGIN_PX && at.top - GAP_PX - size.height >= MARGIN_PX) {
    top = at.top - GAP_PX - size.height;
  }
  const wanted = align === 'end' ? at.right - size.width : at.left;
  const left = Math.max(MARGIN_PX, Math.min(wanted, width - size.width - MARGIN_PX));
  // CSSOM writes, which the page's Content-Security-Policy allows (style attributes it would not).
  panel.style.top = `${Math.round(top)}px`;
  panel.style.left = `${Math.round(left)}px`;
}

/** Attach to the popover's element (which has `popover="manual"`) while it is open. */
export function popover(opener: HTMLElement, options: PopoverOptions): Attachment<HTMLElement> {
  return (panel) => {
    if (typeof panel.showPopover === 'function' && !panel.matches(':popover-open')) {
      panel.showPopover();
    }
    place(panel, opener, options.align);
    let frame = 0;
    const follow = () => {
      if (frame) return;
      frame = requestAnimationFrame(() => {
        frame = 0;
        if (opener.isConnected) place(panel, opener, options.align);
      });
    };
    const outside = (event: PointerEvent) => {
      const target = event.target;
      if (target instanceof Node && (panel.contains(target) || opener.contains(target))) return;
      options.onDismiss();
    };
    document.addEventListener('pointerdown', outside, true);
    // The timeline scrolls (new messages, history): the popover stays with its message.
    window.addEventListener('scroll', follow, true);
    window.addEventListener('resize', follow);
    return () => {
      document.removeEventListener('pointerdown', outside, true);
      window.removeEventListener('scroll', follow, true);
      window.removeEventListener('resize', follow);
      if (frame) cancelAnimationFrame(frame);
    };
  };
}

/** Keeps focus inside: a focus that leaves for elsewhere on the page closes the popover. */
export function leftFor(event: FocusEvent, panel: HTMLElement, opener: HTMLElement): boolean {
  const next = event.relatedTarget;
  return next instanceof Node && !panel.contains(next) && !opener.contains(next);
}
