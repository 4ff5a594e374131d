// The user's display name for rows deep in the timeline (a mention of it is highlighted),
// without threading it through every list in between. Unset (in a test, say): no name.
import { getContext, setContext } from 'svelte';

const OWN_NAME = Symbol('synap-chat:own-name');

/** Called by the screen that knows the user: `read` is reactive (settings may change). */
export function provideOwnName(read: () => string): void {
  setContext(OWN_NAME, read);
}

/** The user's name, or null where no screen provided it. Call during component init. */
export function ownNameReader(): () => string | null {
  const read = getContext<(() => string) | undefined>(OWN_NAME);
  return () => read?.() ?? null;
}
