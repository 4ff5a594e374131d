// jsdom has <dialog> but not showModal()/close(): just enough of them for component tests
// (open state, the close event, Esc as the browser's cancel). Real focus trapping and the
// backdrop are checked in Chromium by the end-to-end tests.
export function polyfillDialog(): void {
  const proto = HTMLDialogElement.prototype as HTMLDialogElement & { polyfilled?: boolean };
  if (typeof proto.showModal === 'function') return;
  proto.showModal = function showModal(this: HTMLDialogElement) {
    this.setAttribute('open', '');
    const first =
      this.querySelector<HTMLElement>('[autofocus]') ??
      this.querySelector<HTMLElement>('input, button, [tabindex]');
    first?.focus();
    this.addEventListener('keydown', (event) => {
      if (event.key !== 'Escape' || !this.open) return;
      // The browser's default action: after the event has gone through every listener.
      setTimeout(() => {
        if (event.defaultPrevented || !this.open) return;
        if (this.dispatchEvent(new Event('cancel', { cancelable: true }))) this.close();
      });
    });
  };
  proto.close = function close(this: HTMLDialogElement) {
    if (!this.hasAttribute('open')) return;
    this.removeAttribute('open');
    this.dispatchEvent(new Event('close'));
  };
}
