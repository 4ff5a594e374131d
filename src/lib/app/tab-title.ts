// The browser tab's title: mentions of the user counted apart from other unread messages,
// so "(@2) (5) Synap Chat" tells at a glance that two of the five name the user.

export const APP_TITLE = 'Synap Chat';

export function tabTitle(unread: number, mentions: number, base = APP_TITLE): string {
  const parts: string[] = [];
  if (mentions > 0) parts.push(`(@${mentions})`);
  if (unread > 0) parts.push(`(${unread})`);
  parts.push(base);
  return parts.join(' ');
}
