// Install and offline: a built copy served over http(s) registers public/sw.js, which keeps
// the app shell so the app opens without a network. From file:// (or where the browser has no
// service workers, or in the dev server) nothing is registered and the app works as before.

/** The service worker, beside index.html (vite copies public/ there). */
export const SERVICE_WORKER_URL = './sw.js';
/**
 * The page requires Trusted Types for script URLs (see vite.config.ts), and a service worker's
 * URL is one: this policy, named in the CSP, vouches for that one URL and nothing else.
 */
export const SERVICE_WORKER_POLICY = 'synap-chat-sw';

export interface TrustedTypesLike {
  createPolicy(
    name: string,
    rules: { createScriptURL: (url: string) => string },
  ): { createScriptURL(url: string): unknown };
}

export interface ServiceWorkerHost {
  protocol: string;
  serviceWorker?: { register(url: string): Promise<unknown> } | undefined;
  trustedTypes?: TrustedTypesLike | undefined;
}

/** Registers the service worker where one can run; never throws. Whether it tried. */
export function registerAppShell(host: ServiceWorkerHost): boolean {
  if (host.protocol !== 'http:' && host.protocol !== 'https:') return false;
  const container = host.serviceWorker;
  if (!container) return false;
  try {
    const policy = host.trustedTypes?.createPolicy(SERVICE_WORKER_POLICY, {
      createScriptURL: (url) => {
        if (url !== SERVICE_WORKER_URL) throw new TypeError(`not the service worker: ${url}`);
        return url;
      },
    });
    // A TrustedScriptURL where the browser has Trusted Types; register() takes either.
    const url = (policy?.createScriptURL(SERVICE_WORKER_URL) ?? SERVICE_WORKER_URL) as string;
    // A refused registration (a private window, a blocked origin) leaves the app as it is.
    container.register(url).catch(() => undefined);
  } catch {
    return false;
  }
  return true;
}
