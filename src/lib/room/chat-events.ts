// The seed's chat conventions: event names and payloads, read tolerantly and written
// exactly as the seed's publishers write them (data = a JSON string of the payload).
import { visibleName } from '../text/display-names';
import type { StreamEvent } from '../synap/rest';

export const CHAT_EVENT = {
  message: 'message',
  typing: 'typing',
  joined: 'user_joined',
  left: 'user_left',
  edited: 'message_edited',
  deleted: 'message_deleted',
  reaction: 'reaction',
} as const;

/** A reaction longer than this (UTF-16 units) is not an emoji: the longest flags are 14. */
export const MAX_REACTION_CHARS = 32;
/**
 * Whitespace, controls, letters, direction marks and invisible characters (ZWJ aside, which
 * joins emoji): none belongs in an emoji.
 */
const NOT_IN_EMOJI = /[\s\p{Cc}\p{L}\u200b\u200c\u200e\u200f\u202a-\u202e\u2060-\u2069\ufeff]/u;
/** A pictograph, a flag's letter or a keycap: every emoji has one. */
const EMOJI_CORE = /[\p{Extended_Pictographic}\p{Regional_Indicator}\u20e3]/u;

/** A reaction's emoji as shown, or null when the text cannot be one. */
export function readEmoji(value: unknown): string | null {
  if (typeof value !== 'string' || value === '' || value.length > MAX_REACTION_CHARS) return null;
  return NOT_IN_EMOJI.test(value) || !EMOJI_CORE.test(value) ? null : value;
}

/** Longer user ids are refused as malformed: nobody's display name is that long. */
export const MAX_USER_ID_CHARS = 128;
/** Longer texts are cut for display rather than dropped, so nothing sent is lost outright. */
export const MAX_DISPLAYED_MESSAGE_CHARS = 20_000;
/**
 * A number below this is taken as Unix seconds (Python's time.time()), above it as
 * milliseconds (Date.now()): 1e11 s is the year 5138, 1e11 ms is 1973.
 */
const SECONDS_MS_BOUNDARY = 1e11;

interface EventBase {
  offset: number;
  userId: string;
  /** The name as sent had hidden characters or spaces around it: it was made to look like `userId`. */
  disguised: boolean;
  /** The author's timestamp in epoch ms, or the server's when the author gave none. */
  sentAtMs: number;
  /** When the server stored it, epoch ms. */
  serverAtMs: number;
}

export type ChatEvent =
  | (EventBase & {
      kind: 'message';
      text: string;
      clientId: string | null;
      /** The offset of the message this one answers, when it is a reply. */
      replyTo: number | null;
    })
  /** The author's new text for the message at `target`. */
  | (EventBase & { kind: 'edit'; target: number; text: string; clientId: string | null })
  | (EventBase & { kind: 'delete'; target: number; clientId: string | null })
  | (EventBase & {
      kind: 'reaction';
      target: number;
      emoji: string;
      add: boolean;
      clientId: string | null;
    })
  | (EventBase & { kind: 'typing'; isTyping: boolean })
  /** `heartbeat`: a periodic re-announce that keeps presence fresh, not a new arrival. */
  | (EventBase & { kind: 'joined'; heartbeat: boolean })
  | (EventBase & { kind: 'left' });

/** Reads a timestamp in seconds or milliseconds (number, numeric string or ISO text) as epoch ms. */
export function toEpochMs(value: unknown): number | null {
  let number: number;
  if (typeof value === 'number') number = value;
  else if (typeof value === 'string' && value.trim() !== '') {
    number = Number(value);
    if (!Number.isFinite(number)) {
      const parsed = Date.parse(value);
      return Number.isFinite(parsed) ? parsed : null;
    }
  } else return null;
  if (!Number.isFinite(number) || number <= 0) return null;
  return Math.round(number < SECONDS_MS_BOUNDARY ? number * 1000 : number);
}

/** Server times before this (2001) or more than a day ahead are not believed either. */
const EARLIEST_PLAUSIBLE_MS = Date.UTC(2001, 0, 1);
const SERVER_CLOCK_AHEAD_MS = 24 * 60 * 60_000;

/** The server's stamp, or now when it is missing or absurd (a broken or hostile server). */
function serverTime(timestamp: unknown, nowMs = Date.now()): number {
  const ms = toEpochMs(timestamp);
  if (ms === null || ms < EARLIEST_PLAUSIBLE_MS || ms > nowMs + SERVER_CLOCK_AHEAD_MS) return nowMs;
  return ms;
}

/** An author's clock may be wrong or hostile: a time after the server stored it is not kept. */
const MAX_AUTHOR_CLOCK_AHEAD_MS = 5 * 60_000;

function authorTime(claimedMs: number | null, serverAtMs: number): number {
  if (claimedMs === null || claimedMs > serverAtMs + MAX_AUTHOR_CLOCK_AHEAD_MS) return serverAtMs;
  return claimedMs;
}

/** The payload as an object, whether `data` holds a JSON string (the seed's way) or an object. */
function payloadOf(data: unknown): Record<string, unknown> | null {
  let value = data;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value) as unknown;
    } catch {
      return null;
    }
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
}

function readUserId(
  payload: Record<string, unknown>,
): { userId: string; disguised: boolean } | null {
  const raw = payload.user_id;
  const userId = typeof raw === 'number' ? String(raw) : raw;
  if (typeof userId !== 'string') return null;
  // Shown as it reads: invisible and direction-changing characters go (see display-names.ts).
  const shown = visibleName(userId);
  if (!shown || shown.length > MAX_USER_ID_CHARS) return null;
  return { userId: shown, disguised: shown !== userId };
}

export type DecodeResult =
  | { ok: true; event: ChatEvent }
  /** An event type this app does not show (not an error: other apps share streams). */
  | { ok: false; reason: 'ignored' }
  | { ok: false; reason: 'malformed'; detail: string };

/** Decodes one stream event into a chat event; never throws. */
export function decodeChatEvent(event: StreamEvent): DecodeResult {
  const known = Object.values(CHAT_EVENT) as string[];
  if (!known.includes(event.event)) return { ok: false, reason: 'ignored' };
  const payload = payloadOf(event.data);
  if (!payload) return { ok: false, reason: 'malformed', detail: 'data is not a JSON object' };
  const name = readUserId(payload);
  if (!name) return { ok: false, reason: 'malformed', detail: 'user_id is missing or invalid' };
  const { userId, disguised } = name;
  const clientId = typeof payload.client_id === 'string' ? payload.client_id : null;
  const serverAtMs = serverTime(event.timestamp);
  const base: EventBase = {
    offset: event.offset,
    userId,
    disguised,
    sentAtMs: authorTime(toEpochMs(payload.timestamp), serverAtMs),
    serverAtMs,
  };
  switch (event.event) {
    case CHAT_EVENT.message: {
      if (typeof payload.message !== 'string') {
        return { ok: false, reason: 'malformed', detail: 'message is not text' };
      }
      // Our composer never sends one; another client's blank message is nothing to show.
      if (payload.message.trim() === '') return { ok: false, reason: 'ignored' };
      // A reply to something that cannot be an earlier message is shown as a plain message.
      const replyTo = readTarget(payload.reply_to, event.offset);
      return {
        ok: true,
        event: { ...base, kind: 'message', text: shownText(payload.message), clientId, replyTo },
      };
    }
    case CHAT_EVENT.edited:
    case CHAT_EVENT.deleted:
    case CHAT_EVENT.reaction: {
      const target = readTarget(payload.target, event.offset);
      if (target === null) return { ok: false, reason: 'malformed', detail: 'target is invalid' };
      if (event.event === CHAT_EVENT.deleted) {
        return { ok: true, event: { ...base, kind: 'delete', target, clientId } };
      }
      if (event.event === CHAT_EVENT.edited) {
        if (typeof payload.message !== 'string' || payload.message.trim() === '') {
          return { ok: false, reason: 'malformed', detail: 'an edit without text' };
        }
        const text = shownText(payload.message);
        return { ok: true, event: { ...base, kind: 'edit', target, text, clientId } };
      }
      const emoji = readEmoji(payload.emoji);
      if (emoji === null) return { ok: false, reason: 'malformed', detail: 'emoji is invalid' };
      // A bare reaction means "I react"; `add` other than true or false means nothing sure.
      if (payload.add !== undefined && typeof payload.add !== 'boolean') {
        return { ok: false, reason: 'malformed', detail: 'add is not true or false' };
      }
      const add = payload.add !== false;
      return { ok: true, event: { ...base, kind: 'reaction', target, emoji, add, clientId } };
    }
    case CHAT_EVENT.typing:
      return { ok: true, event: { ...base, kind: 'typing', isTyping: payload.is_typing === true } };
    case CHAT_EVENT.joined:
      return {
        ok: true,
        event: { ...base, kind: 'joined', heartbeat: payload.heartbeat === true },
      };
    default:
      return { ok: true, event: { ...base, kind: 'left' } };
  }
}

/** Long texts are cut for display rather than dropped. */
function shownText(text: string): string {
  return text.length > MAX_DISPLAYED_MESSAGE_CHARS
    ? `${text.slice(0, MAX_DISPLAYED_MESSAGE_CHARS)}…`
    : text;
}

/** The offset of an earlier event, or null: the stream only ever refers back. */
function readTarget(value: unknown, ownOffset: number): number | null {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 && value < ownOffset
    ? value
    : null;
}

export interface Publication {
  event: string;
  /** A JSON string, as the seed's publishers send and its consumers JSON.parse. */
  data: string;
}

export function messagePublication(
  userId: string,
  text: string,
  clientId: string,
  nowMs = Date.now(),
  replyTo: number | null = null,
): Publication {
  const payload: Record<string, unknown> = {
    user_id: userId,
    message: text,
    timestamp: nowMs,
    client_id: clientId,
  };
  // The seed's readers ignore the extra field: a reply is still a message to them.
  if (replyTo !== null) payload.reply_to = replyTo;
  return { event: CHAT_EVENT.message, data: JSON.stringify(payload) };
}

/**
 * What an outgoing item is besides its text; absent: a plain message. An edit's text is the
 * new text, a reaction's the emoji, a delete's empty.
 */
export type OutgoingIntent =
  | { kind: 'reply'; target: number }
  | { kind: 'edit'; target: number }
  | { kind: 'delete'; target: number }
  | { kind: 'reaction'; target: number; add: boolean };

/** Reads an intent back (from storage or another tab); null when absent or malformed. */
export function readIntent(value: unknown): OutgoingIntent | null {
  if (typeof value !== 'object' || value === null) return null;
  const { kind, target, add } = value as Record<string, unknown>;
  if (typeof target !== 'number' || !Number.isSafeInteger(target) || target < 0) return null;
  switch (kind) {
    case 'reply':
    case 'edit':
    case 'delete':
      return { kind, target };
    case 'reaction':
      return typeof add === 'boolean' ? { kind, target, add } : null;
    default:
      return null;
  }
}

/** An outgoing item as published, in the wire format of docs/conversations.md. */
export function outgoingPublication(
  userId: string,
  text: string,
  clientId: string,
  nowMs: number,
  intent: OutgoingIntent | null = null,
): Publication {
  if (intent === null || intent.kind === 'reply') {
    return messagePublication(userId, text, clientId, nowMs, intent?.target ?? null);
  }
  const base = { user_id: userId, target: intent.target, timestamp: nowMs, client_id: clientId };
  switch (intent.kind) {
    case 'edit':
      return { event: CHAT_EVENT.edited, data: JSON.stringify({ ...base, message: text }) };
    case 'delete':
      return { event: CHAT_EVENT.deleted, data: JSON.stringify(base) };
    case 'reaction':
      return {
        event: CHAT_EVENT.reaction,
        data: JSON.stringify({ ...base, emoji: text, add: intent.add }),
      };
  }
}

export function typingPublication(
  userId: string,
  isTyping: boolean,
  nowMs = Date.now(),
): Publication {
  return {
    event: CHAT_EVENT.typing,
    data: JSON.stringify({ user_id: userId, is_typing: isTyping, timestamp: nowMs }),
  };
}

/** `heartbeat` marks a periodic re-announce; the seed's readers simply ignore the extra field. */
export function presencePublication(
  kind: 'joined' | 'left',
  userId: string,
  options: { heartbeat?: boolean; nowMs?: number } = {},
): Publication {
  const payload: Record<string, unknown> = {
    user_id: userId,
    timestamp: options.nowMs ?? Date.now(),
  };
  if (options.heartbeat) payload.heartbeat = true;
  return {
    event: kind === 'joined' ? CHAT_EVENT.joined : CHAT_EVENT.left,
    data: JSON.stringify(payload),
  };
}

/** A client message id: unique enough to recognise one's own echo among everyone's messages. */
export function newClientId(random: () => number = Math.random): string {
  const uuid = globalThis.crypto?.randomUUID?.();
  if (uuid) return uuid;
  return `${Date.now().toString(36)}-${Math.floor(random() * 2 ** 52).toString(36)}`;
}
