/** Tells a subscription when the browser believes it lost or regained the network. */
export interface NetworkMonitor {
  readonly online: boolean;
  /** Calls back on every change; returns the function that stops it. */
  subscribe(listener: (online: boolean) => void): () => void;
}

/** The browser's `online`/`offline` events; null where there is no window (Node tests). */
export function browserNetworkMonitor(): NetworkMonitor | null {
  if (typeof window === 'undefined' || typeof navigator === 'undefined') return null;
  return {
    get online() {
      return navigator.onLine !== false;
    },
    subscribe(listener) {
      const online = () => listener(true);
      const offline = () => listener(false);
      window.addEventListener('online', online);
      window.addEventListener('offline', offline);
      return () => {
        window.removeEventListener('online', online);
        window.removeEventListener('offline', offline);
      };
    },
  };
}
