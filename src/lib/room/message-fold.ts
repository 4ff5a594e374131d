// Edits, deletes and reactions are events of their own on the room's stream, each naming an
// earlier message by its offset (docs/conversations.md); a reply is a message that names the
// one it answers. This folds them into the messages the timeline shows.
//
// They are kept by target offset, so one read before its target (history comes newest first)
// applies when the target arrives, in O(1), without scanning what is loaded. The rules, since
// Synap has no accounts and a name is all there is:
// - An edit or delete counts only when its user_id is the target's author; others' are
//   ignored. Anyone can take the author's name, so an edited message always says so and keeps
//   its first text to show.
// - The newest edit (highest offset) wins, whatever order they arrive in; a delete is final.
// - Reactions: per user and emoji the newest event wins (added or taken back); anyone may react.
// - What targets a message the server no longer holds (retention) is dropped; a reply to one
//   quotes it as "no longer available".
// The user's own changes still on their way are laid over the stored ones until stored.
import type { OutgoingIntent } from './chat-events';
import type { ChatMessage, PendingChange, Reaction, ReplyQuote } from '../timeline/entries';
import type { OutgoingMessage } from './outbox';
import type { TimelineModel } from '../timeline/timeline-model';

/** What the fold needs of an edit, delete or reaction (a decoded ChatEvent of theirs is one). */
export type Annotation =
  | { kind: 'edit'; offset: number; target: number; userId: string; text: string; sentAtMs: number }
  | { kind: 'delete'; offset: number; target: number; userId: string; sentAtMs: number }
  | {
      kind: 'reaction';
      offset: number;
      target: number;
      userId: string;
      emoji: string;
      add: boolean;
    };

type Edit = Extract<Annotation, { kind: 'edit' }>;
type Delete = Extract<Annotation, { kind: 'delete' }>;
type StoredMessage = ChatMessage & { offset: number };

/** An own edit, delete or reaction stored at `offset`, as if its event had been read. */
export function annotationOfOutgoing(
  item: OutgoingMessage,
  offset: number,
  userId: string,
): Annotation | null {
  const intent = item.intent;
  if (!intent || intent.kind === 'reply') return null;
  const base = { offset, target: intent.target, userId };
  switch (intent.kind) {
    case 'edit':
      return { ...base, kind: 'edit', text: item.text, sentAtMs: item.createdAtMs };
    case 'delete':
      return { ...base, kind: 'delete', sentAtMs: item.createdAtMs };
    case 'reaction':
      return { ...base, kind: 'reaction', emoji: item.text, add: intent.add };
  }
}

/** Targets remembered at most; beyond it the oldest go (they are the likeliest lost). */
export const MAX_ANNOTATED_TARGETS = 20_000;
/** Edits or deletes kept per target: a flood under someone's name keeps only the newest. */
export const MAX_CHANGES_PER_TARGET = 20;
/** Different emoji per message at most: a flood of new ones is not shown. */
export const MAX_EMOJI_PER_MESSAGE = 20;

interface Notes {
  edits: Edit[];
  deletes: Delete[];
  /**
   * emoji (by reactionKey) → how it was first spelt, and user → the newest reaction event's
   * offset and whether it added.
   */
  reactions: Map<string, { emoji: string; users: Map<string, { offset: number; add: boolean }> }>;
}

type ChangeIntent = Exclude<OutgoingIntent, { kind: 'reply' }>;
/** One of the user's own changes, not yet stored. */
interface LocalChange {
  item: OutgoingMessage;
  intent: ChangeIntent;
}

function isChange(intent: OutgoingIntent | undefined): intent is ChangeIntent {
  return intent !== undefined && intent.kind !== 'reply';
}

/** The message as first stored: what the fold starts from each time. */
function baseOf(message: ChatMessage): ChatMessage {
  const { edited, deleted: _deleted, reactions: _reactions, change: _change, ...rest } = message;
  return edited ? { ...rest, text: edited.originalText } : rest;
}

/**
 * One emoji whether or not it carries the emoji-style selector (U+FE0F): "❤" and "❤️" are the
 * same reaction, as other clients may send either.
 */
export function reactionKey(emoji: string): string {
  return emoji.replace(/\uFE0F/g, '');
}

function keepNewest<T extends { offset: number }>(list: T[], item: T): void {
  list.push(item);
  list.sort((a, b) => a.offset - b.offset);
  if (list.length > MAX_CHANGES_PER_TARGET) list.shift();
}

export class MessageFold {
  readonly #model: TimelineModel;
  readonly #userId: string;
  readonly #notes = new Map<number, Notes>();
  /** Offsets of annotations noted: one read again (history overlapping live) counts once. */
  readonly #seen = new Set<number>();
  /** Reply offsets by the offset they answer, for the replies loaded. */
  readonly #replies = new Map<number, Set<number>>();
  #local = new Map<number, LocalChange[]>();
  #earliestOffset = 0;

  constructor(model: TimelineModel, userId: string) {
    this.#model = model;
    this.#userId = userId;
  }

  /** Adds a stored message, folded; false when it is shown already. */
  addMessage(message: StoredMessage): boolean {
    this.#seed(message);
    const folded = this.#fold(baseOf(message) as StoredMessage);
    if (!this.#model.addMessage(folded)) return false;
    if (folded.replyTo) {
      const replies = this.#replies.get(folded.replyTo.offset) ?? new Set<number>();
      replies.add(folded.offset as number);
      this.#replies.set(folded.replyTo.offset, replies);
    }
    this.#refreshReplies(message.offset);
    return true;
  }

  /** Notes an edit, delete or reaction; the target shows it now if loaded, else when it is. */
  annotate(annotation: Annotation): void {
    if (this.#seen.has(annotation.offset) || this.#lost(annotation.target)) return;
    this.#seen.add(annotation.offset);
    const notes = this.#notesOf(annotation.target);
    switch (annotation.kind) {
      case 'edit':
        keepNewest(notes.edits, annotation);
        break;
      case 'delete':
        keepNewest(notes.deletes, annotation);
        break;
      case 'reaction': {
        const key = reactionKey(annotation.emoji);
        let users = notes.reactions.get(key)?.users;
        if (!users) {
          if (notes.reactions.size >= MAX_EMOJI_PER_MESSAGE) return;
          users = new Map();
          notes.reactions.set(key, { emoji: annotation.emoji, users });
        }
        const previous = users.get(annotation.userId);
        if (!previous || previous.offset < annotation.offset) {
          users.set(annotation.userId, { offset: annotation.offset, add: annotation.add });
        }
        break;
      }
    }
    this.#refresh(annotation.target);
  }

  /** The user's own unsent items: their edits, deletes and reactions show at once. */
  setPending(items: readonly OutgoingMessage[]): void {
    const next = new Map<number, LocalChange[]>();
    for (const item of items) {
      if (!isChange(item.intent)) continue;
      const list = next.get(item.intent.target) ?? [];
      list.push({ item, intent: item.intent });
      next.set(item.intent.target, list);
    }
    const touched = new Set([...this.#local.keys(), ...next.keys()]);
    this.#local = next;
    for (const target of touched) this.#refresh(target);
  }

  /** The server holds nothing before `offset` now: what targets older messages goes. */
  setEarliest(offset: number): void {
    this.#earliestOffset = offset;
    for (const target of this.#notes.keys()) if (this.#lost(target)) this.#notes.delete(target);
  }

  /**
   * Below the earliest offset the server holds. Negative offsets are the history a moved room
   * had on its previous server (see RoomSession), which this server's retention does not touch.
   */
  #lost(offset: number): boolean {
    return offset >= 0 && offset < this.#earliestOffset;
  }

  /** The quoted line of the message at `offset`, as it stands now. */
  quote(offset: number): ReplyQuote {
    const target = this.#model.get(offset);
    if (target?.type === 'message') {
      if (target.deleted) return { offset, state: 'deleted', userId: target.userId };
      return { offset, state: 'shown', userId: target.userId, own: target.own, text: target.text };
    }
    return { offset, state: this.#lost(offset) || target ? 'lost' : 'unloaded' };
  }

  /** Everything goes (the room was reset). */
  clear(): void {
    this.#notes.clear();
    this.#seen.clear();
    this.#replies.clear();
    this.#earliestOffset = 0;
  }

  // --- internals ------------------------------------------------------------------------
  #notesOf(target: number): Notes {
    let notes = this.#notes.get(target);
    if (!notes) {
      if (this.#notes.size >= MAX_ANNOTATED_TARGETS) this.#forgetOldestTarget();
      notes = { edits: [], deletes: [], reactions: new Map() };
      this.#notes.set(target, notes);
    }
    return notes;
  }

  #forgetOldestTarget(): void {
    let oldest = Infinity;
    for (const target of this.#notes.keys()) oldest = Math.min(oldest, target);
    this.#notes.delete(oldest);
  }

  /** Shows the message at `target` anew, and the replies quoting it. */
  #refresh(target: number): void {
    const current = this.#model.get(target);
    if (current?.type !== 'message') return;
    const folded = this.#fold(baseOf(current) as StoredMessage);
    this.#model.replaceMessage(target, folded);
    this.#refreshReplies(target);
  }

  #refreshReplies(target: number): void {
    const replies = this.#replies.get(target);
    if (!replies) return;
    const quote = this.quote(target);
    for (const offset of replies) {
      const reply = this.#model.get(offset);
      if (reply?.type !== 'message') {
        replies.delete(offset);
        continue;
      }
      this.#model.replaceMessage(offset, { ...reply, replyTo: quote });
    }
  }

  /**
   * A message shown by an earlier page load (the cached tail) comes with its edit, delete and
   * reactions but without the events that made them: they are noted as older than any event,
   * so they hold until those events are read again, and anything newer wins.
   */
  #seed(message: StoredMessage): void {
    const { edited, deleted, reactions } = message;
    if ((!edited && !deleted && !reactions) || this.#notes.has(message.offset)) return;
    const notes = this.#notesOf(message.offset);
    const base = { offset: -1, target: message.offset, userId: message.userId };
    if (edited) {
      notes.edits.push({ ...base, kind: 'edit', text: message.text, sentAtMs: edited.atMs });
    }
    if (deleted) notes.deletes.push({ ...base, kind: 'delete', sentAtMs: deleted.atMs });
    for (const reaction of reactions ?? []) {
      const users = new Map<string, { offset: number; add: boolean }>();
      // Kept in the order shown, all before any real event.
      reaction.users.forEach((userId, index) =>
        users.set(userId, { offset: index - 1e6, add: true }),
      );
      notes.reactions.set(reactionKey(reaction.emoji), { emoji: reaction.emoji, users });
    }
  }

  /** The message (as first stored) with everything noted about it. */
  #fold(message: StoredMessage): StoredMessage {
    const notes = this.#notes.get(message.offset);
    const local = this.#local.get(message.offset);
    if (!notes && !local && !message.replyTo) return message;
    const author = message.userId;
    const mine = author === this.#userId;
    let folded: StoredMessage = { ...message };
    if (message.replyTo) folded.replyTo = this.quote(message.replyTo.offset);

    let edit: { text: string; atMs: number } | null = null;
    for (const candidate of notes?.edits ?? []) {
      if (candidate.userId === author) edit = { text: candidate.text, atMs: candidate.sentAtMs };
    }
    let deletedAtMs = notes?.deletes.find((candidate) => candidate.userId === author)?.sentAtMs;
    let change: PendingChange | undefined;
    for (const { item, intent } of local ?? []) {
      if (intent.kind === 'edit' && mine) edit = { text: item.text, atMs: item.createdAtMs };
      if (intent.kind === 'delete' && mine) deletedAtMs ??= item.createdAtMs;
      change = {
        clientId: item.clientId,
        status: item.status,
        kind: intent.kind,
        ...(item.error ? { error: item.error } : {}),
      };
    }

    if (deletedAtMs !== undefined) {
      folded = { ...folded, text: '', deleted: { atMs: deletedAtMs } };
    } else {
      if (edit) {
        folded.edited = { originalText: folded.text, atMs: edit.atMs };
        folded.text = edit.text;
      }
      const reactions = this.#reactions(notes, local);
      if (reactions.length > 0) folded.reactions = reactions;
    }
    if (change) folded.change = change;
    return folded;
  }

  #reactions(notes: Notes | undefined, local: LocalChange[] | undefined): Reaction[] {
    const byEmoji = new Map<string, { emoji: string; users: Map<string, number> }>();
    for (const [key, { emoji, users }] of notes?.reactions ?? []) {
      const current = new Map<string, number>();
      for (const [userId, { offset, add }] of users) if (add) current.set(userId, offset);
      byEmoji.set(key, { emoji, users: current });
    }
    // Own reactions on their way count as made, newest of all.
    for (const { item, intent } of local ?? []) {
      if (intent.kind !== 'reaction') continue;
      const key = reactionKey(item.text);
      const entry = byEmoji.get(key) ?? { emoji: item.text, users: new Map<string, number>() };
      if (intent.add) entry.users.set(this.#userId, Infinity);
      else entry.users.delete(this.#userId);
      byEmoji.set(key, entry);
    }
    const reactions: { reaction: Reaction; first: number }[] = [];
    for (const { emoji, users } of byEmoji.values()) {
      if (users.size === 0) continue;
      const ordered = [...users].sort((a, b) => a[1] - b[1]);
      reactions.push({
        first: ordered[0]?.[1] ?? Infinity,
        reaction: {
          emoji,
          users: ordered.map(([userId]) => userId),
          mine: users.has(this.#userId),
        },
      });
    }
    return reactions.sort((a, b) => a.first - b.first).map(({ reaction }) => reaction);
  }
}
