// A small copy of a room's newest entries kept in storage, so a reload paints the room at
// once, before the network answers. The feed then resumes from its cursor; entries it brings
// again are recognised by offset and shown once.
import { readEmoji } from '../room/chat-events';
import type { ChatMessage, Reaction, SystemLine, TimelineEntry } from './entries';

/** Entries kept per room. */
export const TAIL_ENTRIES = 50;
/** Bytes of JSON kept per room at most: long messages mean fewer entries, never a full disk. */
export const TAIL_MAX_BYTES = 32_768;

export interface TimelineTail {
  generation: number;
  entries: TimelineEntry[];
}

type Stored = (ChatMessage | SystemLine) & { offset: number };

/** Where a room's cached tail is kept, per server, room and name. */
export function tailKey(serverUrl: string, stream: string, userId: string): string {
  return `synap-chat:tail:${JSON.stringify([serverUrl, stream, userId])}`;
}

/** The newest stored entries of `entries`, bounded in count and bytes. */
export function tailOf(generation: number, entries: readonly TimelineEntry[]): TimelineTail {
  const kept: Stored[] = [];
  let bytes = 0;
  for (let i = entries.length - 1; i >= 0 && kept.length < TAIL_ENTRIES; i -= 1) {
    const entry = entries[i];
    if (!entry || entry.offset === null) continue;
    if (entry.type === 'message' && entry.status !== 'confirmed') continue;
    bytes += JSON.stringify(entry).length;
    if (bytes > TAIL_MAX_BYTES) break;
    kept.push(entry as Stored);
  }
  return { generation, entries: kept.reverse() };
}

function isString(value: unknown): value is string {
  return typeof value === 'string';
}

function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** A stored message's reply, edit, delete and reactions, each dropped if malformed. */
type Folded = Partial<Pick<ChatMessage, 'replyTo' | 'edited' | 'deleted' | 'reactions' | 'text'>>;

function readFolded(entry: Record<string, unknown>): Folded {
  const folded: Folded = {};
  const { replyTo, edited, deleted, reactions } = entry as Record<string, Record<string, unknown>>;
  if (replyTo && isNumber(replyTo.offset)) {
    // How the quote stands is worked out again when shown.
    folded.replyTo = { offset: replyTo.offset, state: 'unloaded' };
  }
  if (edited && isString(edited.originalText) && isNumber(edited.atMs)) {
    folded.edited = { originalText: edited.originalText, atMs: edited.atMs };
  }
  if (deleted && isNumber(deleted.atMs)) {
    folded.deleted = { atMs: deleted.atMs };
    folded.text = '';
  }
  if (Array.isArray(reactions)) {
    const read: Reaction[] = [];
    for (const raw of reactions as unknown[]) {
      const { emoji, users } = (raw ?? {}) as Record<string, unknown>;
      const shown = readEmoji(emoji);
      if (shown === null || !Array.isArray(users) || !users.every(isString)) continue;
      if (users.length > 0) read.push({ emoji: shown, users, mine: false });
    }
    if (read.length > 0) folded.reactions = read;
  }
  return folded;
}

/** Reads a stored tail back; anything that is not exactly what tailOf wrote is dropped. */
export function readTail(value: unknown): TimelineTail | null {
  if (typeof value !== 'object' || value === null) return null;
  const { generation, entries } = value as Record<string, unknown>;
  if (!isNumber(generation) || !Array.isArray(entries)) return null;
  const read = entries.flatMap((raw: unknown): Stored[] => {
    if (typeof raw !== 'object' || raw === null) return [];
    const entry = raw as Record<string, unknown>;
    if (!isString(entry.key) || !isNumber(entry.offset) || !isString(entry.userId)) return [];
    if (entry.type === 'message') {
      if (!isString(entry.text) || !isNumber(entry.sentAtMs)) return [];
      return [
        {
          type: 'message',
          key: entry.key,
          offset: entry.offset,
          userId: entry.userId,
          text: entry.text,
          sentAtMs: entry.sentAtMs,
          own: entry.own === true,
          status: 'confirmed',
          ...(entry.lookalike === true ? { lookalike: true } : {}),
          ...(isString(entry.clientId) ? { clientId: entry.clientId } : {}),
          ...readFolded(entry),
        },
      ];
    }
    if (entry.type === 'system' && (entry.kind === 'joined' || entry.kind === 'left')) {
      if (!isNumber(entry.atMs)) return [];
      return [
        {
          type: 'system',
          key: entry.key,
          offset: entry.offset,
          kind: entry.kind,
          userId: entry.userId,
          atMs: entry.atMs,
        },
      ];
    }
    return [];
  });
  return { generation, entries: read };
}
