import { describe, expect, it } from 'vitest';
import { Outbox, readOutgoing, type OutgoingMessage } from '../../../src/lib/room/outbox';

function deferred() {
  let resolve!: (answer: { offset: number }) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<{ offset: number }>((ok, fail) => {
    resolve = ok;
    reject = fail;
  });
  return { promise, resolve, reject };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('Outbox', () => {
  it('shows a message as pending at once and publishes in order, one at a time', async () => {
    const calls: string[] = [];
    const gates = [deferred(), deferred()];
    const outbox = new Outbox((message) => {
      calls.push(message.text);
      return gates[calls.length - 1]?.promise ?? Promise.resolve({ offset: 99 });
    });
    outbox.send('first', 'c1');
    outbox.send('second', 'c2');
    expect(outbox.items.map((item) => [item.text, item.status])).toEqual([
      ['first', 'pending'],
      ['second', 'pending'],
    ]);
    await settle();
    expect(calls).toEqual(['first']);
    gates[0]?.resolve({ offset: 1 });
    await settle();
    expect(calls).toEqual(['first', 'second']);
  });

  it('keeps a failed message with its reason, and retries it', async () => {
    let fail = true;
    const outbox = new Outbox(() =>
      fail ? Promise.reject(new Error('offline')) : Promise.resolve({ offset: 7 }),
    );
    const changes: (readonly OutgoingMessage[])[] = [];
    outbox.on('change', (items) => changes.push(items));
    outbox.send('hello', 'c1');
    await settle();
    expect(outbox.items[0]).toMatchObject({ status: 'failed', error: 'offline', text: 'hello' });
    fail = false;
    outbox.retry('c1');
    expect(outbox.items[0]?.status).toBe('pending');
    await settle();
    expect(outbox.items).toEqual([]);
    expect(changes.length).toBeGreaterThanOrEqual(4);
  });

  it('dates a retried message when it is sent again, not when it was first written', async () => {
    let nowMs = Date.UTC(2026, 0, 1);
    let fail = true;
    const published: number[] = [];
    const outbox = new Outbox(
      (message) => {
        published.push(message.createdAtMs);
        return fail ? Promise.reject(new Error('offline')) : Promise.resolve({ offset: 1 });
      },
      () => nowMs,
    );
    outbox.send('written yesterday', 'c1');
    await settle();
    nowMs += 86_400_000;
    fail = false;
    outbox.retry('c1');
    expect(outbox.items[0]?.createdAtMs).toBe(nowMs);
    await settle();
    expect(published).toEqual([nowMs - 86_400_000, nowMs]);
  });

  it('settles a message from the offset in the publish answer, before its echo', async () => {
    const gate = deferred();
    const outbox = new Outbox(() => gate.promise);
    const stored: { text: string; clientId: string; offset: number }[] = [];
    outbox.on('stored', ({ message, offset }) =>
      stored.push({ text: message.text, clientId: message.clientId, offset }),
    );
    outbox.send('hello', 'c1');
    await settle();
    expect(outbox.items.map((item) => item.status)).toEqual(['pending']);
    gate.resolve({ offset: 41 });
    await settle();
    expect(stored).toEqual([{ text: 'hello', clientId: 'c1', offset: 41 }]);
    expect(outbox.items).toEqual([]);
    // The echo comes later and finds nothing left to settle.
    expect(outbox.confirm('c1')).toBe(false);
  });

  it('lets the echo settle a message whose publish answer has not come back', async () => {
    const gate = deferred();
    const outbox = new Outbox(() => gate.promise);
    let storedCount = 0;
    outbox.on('stored', () => (storedCount += 1));
    outbox.send('hello', 'c1');
    await settle();
    expect(outbox.confirm('c1')).toBe(true);
    gate.resolve({ offset: 41 });
    await settle();
    expect(storedCount).toBe(0);
    expect(outbox.items).toEqual([]);
  });

  it('discards on request and ignores echoes that are not its own', async () => {
    const outbox = new Outbox(() => Promise.reject(new Error('no')));
    outbox.send('x', 'c1');
    await settle();
    expect(outbox.confirm('someone-else')).toBe(false);
    outbox.discard('c1');
    expect(outbox.items).toEqual([]);
  });
});

describe('Outbox across a reload', () => {
  it('reads back what a closing page left unsent, as failed, dropping junk', () => {
    const stored = [
      { clientId: 'c1', text: 'kept', createdAtMs: 5, status: 'pending' },
      { clientId: 'c2', text: 42, createdAtMs: 5 },
      'junk',
      null,
    ];
    expect(readOutgoing(stored)).toEqual([
      {
        clientId: 'c1',
        text: 'kept',
        createdAtMs: 5,
        status: 'failed',
        error: 'not confirmed before the page closed',
      },
    ]);
    expect(readOutgoing('{"not":"a list"}')).toEqual([]);
  });

  it('keeps what a reply, edit, delete or reaction was, and drops one whose intent is damaged', () => {
    const stored = [
      { clientId: 'e', text: 'new text', createdAtMs: 5, intent: { kind: 'edit', target: 3 } },
      {
        clientId: 'r',
        text: '👍',
        createdAtMs: 5,
        intent: { kind: 'reaction', target: 3, add: true },
      },
      { clientId: 'x', text: 'would say something else', createdAtMs: 5, intent: { kind: 'edit' } },
    ];
    expect(readOutgoing(stored).map((item) => [item.clientId, item.intent])).toEqual([
      ['e', { kind: 'edit', target: 3 }],
      ['r', { kind: 'reaction', target: 3, add: true }],
    ]);
  });

  it('sends an intent with its item, and the item says what it was', async () => {
    const published: OutgoingMessage[] = [];
    const outbox = new Outbox(async (message) => {
      published.push(message);
      return { offset: 4 };
    });
    outbox.send('👍', 'c1', { kind: 'reaction', target: 2, add: true });
    await settle();
    expect(published[0]?.intent).toEqual({ kind: 'reaction', target: 2, add: true });
  });

  it('restores them before new ones, once, and its echo still confirms them', () => {
    const outbox = new Outbox(() => new Promise(() => {}));
    outbox.send('new', 'c9');
    const [restored] = readOutgoing([{ clientId: 'c1', text: 'old', createdAtMs: 1 }]);
    if (!restored) throw new Error('nothing restored');
    outbox.restore([restored]);
    outbox.restore([restored]);
    expect(outbox.items.map((item) => item.clientId)).toEqual(['c1', 'c9']);
    expect(outbox.confirm('c1')).toBe(true);
    expect(outbox.items.map((item) => item.clientId)).toEqual(['c9']);
  });

  it('sends what failed again by itself, in order, leaving refusals to the user', async () => {
    const sent: string[] = [];
    let down = true;
    const outbox = new Outbox(
      (message) => {
        if (message.text === 'refused') return Promise.reject(new Error('forbidden'));
        if (down) return Promise.reject(new Error('offline'));
        sent.push(message.text);
        return Promise.resolve({ offset: sent.length });
      },
      Date.now,
      (error) => error instanceof Error && error.message === 'forbidden',
    );
    for (const text of ['one', 'refused', 'two']) outbox.send(text);
    await settle();
    // Nothing after a failed message goes before it: the others wait, failed with it.
    expect(outbox.items.map((item) => [item.text, item.status, item.refused ?? false])).toEqual([
      ['one', 'failed', false],
      ['refused', 'failed', false],
      ['two', 'failed', false],
    ]);
    down = false;
    outbox.resendFailed();
    await settle();
    expect(sent).toEqual(['one', 'two']);
    expect(outbox.items.map((item) => [item.text, item.refused])).toEqual([['refused', true]]);
  });

  it('keeps a refusal as it was across a reload, instead of "not confirmed"', () => {
    const restored = readOutgoing([
      {
        clientId: 'a',
        text: 'no',
        createdAtMs: 1,
        status: 'failed',
        error: 'Forbidden',
        refused: true,
      },
      { clientId: 'b', text: 'maybe', createdAtMs: 2, status: 'pending' },
    ]);
    expect(restored.map((item) => [item.error, item.refused ?? false])).toEqual([
      ['Forbidden', true],
      ['not confirmed before the page closed', false],
    ]);
  });

  it('sends what failed before a new message first, so the order written is the order stored', async () => {
    const stored: string[] = [];
    let down = true;
    const outbox = new Outbox((message) => {
      if (down) return Promise.reject(new Error('Server error 500'));
      stored.push(message.text);
      return Promise.resolve({ offset: stored.length });
    });
    outbox.send('first');
    outbox.send('second');
    await settle();
    down = false;
    outbox.send('third');
    await settle();
    expect(stored).toEqual(['first', 'second', 'third']);
    expect(outbox.items).toEqual([]);
  });
});

describe('Outbox order under lost answers', () => {
  /** Publishes by the script: a message whose text is in `lost` loses its answer once. */
  function scripted(found: Record<string, number | null> = {}) {
    const calls: string[] = [];
    const lookups: string[] = [];
    const lost = new Set<string>();
    const stored: [string, number][] = [];
    const outbox = new Outbox(
      (message) => {
        calls.push(message.text);
        if (lost.delete(message.text)) return Promise.reject(new Error('no answer within 15 s'));
        return Promise.resolve({ offset: 100 + calls.length });
      },
      Date.now,
      () => false,
      (message) => {
        lookups.push(message.text);
        return Promise.resolve(found[message.text] ?? null);
      },
    );
    outbox.on('stored', ({ message, offset }) => stored.push([message.text, offset]));
    return { outbox, calls, lookups, lost, stored };
  }

  it('holds the next message while the one before may be stored, and never publishes a found one again', async () => {
    const { outbox, calls, lookups, lost, stored } = scripted({ first: 7 });
    lost.add('first');
    outbox.send('first', 'c1');
    outbox.send('second', 'c2');
    await settle();
    expect(calls).toEqual(['first']);
    expect(outbox.items.map((item) => [item.text, item.status])).toEqual([
      ['first', 'failed'],
      ['second', 'failed'],
    ]);
    outbox.resendFailed();
    await settle();
    // The room had it (its answer was lost on the way back): read back, not sent twice.
    expect(lookups).toEqual(['first']);
    expect(calls).toEqual(['first', 'second']);
    expect(stored).toEqual([
      ['first', 7],
      ['second', 102],
    ]);
    expect(outbox.items).toEqual([]);
  });

  it('publishes a message the room does not have again, still before the next one', async () => {
    const { outbox, calls, lookups, lost } = scripted();
    lost.add('first');
    outbox.send('first', 'c1');
    outbox.send('second', 'c2');
    await settle();
    outbox.resendFailed();
    await settle();
    expect(lookups).toEqual(['first']);
    expect(calls).toEqual(['first', 'first', 'second']);
  });

  it('takes the echo of a message whose answer was lost as its answer', async () => {
    const { outbox, calls, lookups, lost } = scripted();
    lost.add('first');
    outbox.send('first', 'c1');
    outbox.send('second', 'c2');
    await settle();
    expect(outbox.confirm('c1')).toBe(true);
    outbox.resendFailed();
    await settle();
    expect(lookups).toEqual([]);
    expect(calls).toEqual(['first', 'second']);
  });

  it('keeps the next message back while the room cannot be read to tell', async () => {
    const calls: string[] = [];
    let readable = false;
    const outbox = new Outbox(
      (message) => {
        calls.push(message.text);
        return calls.length === 1
          ? Promise.reject(new Error('no answer within 15 s'))
          : Promise.resolve({ offset: calls.length });
      },
      Date.now,
      () => false,
      () => (readable ? Promise.resolve(null) : Promise.reject(new Error('offline'))),
    );
    outbox.send('first', 'c1');
    outbox.send('second', 'c2');
    await settle();
    outbox.resendFailed();
    await settle();
    expect(calls).toEqual(['first']);
    expect(outbox.items.map((item) => item.status)).toEqual(['failed', 'failed']);
    readable = true;
    outbox.resendFailed();
    await settle();
    expect(calls).toEqual(['first', 'first', 'second']);
  });

  it('looks for a message left unconfirmed by a closed page before sending it again', async () => {
    const { outbox, calls, lookups, stored } = scripted({ old: 3 });
    outbox.restore(readOutgoing([{ clientId: 'c0', text: 'old', createdAtMs: 1 }]));
    outbox.send('new', 'c1');
    await settle();
    expect(lookups).toEqual(['old']);
    expect(calls).toEqual(['new']);
    expect(stored.map(([text]) => text)).toEqual(['old', 'new']);
  });

  it('retrying one message sends the failed ones written before it first', async () => {
    const { outbox, calls, lost } = scripted();
    lost.add('first');
    outbox.send('first', 'c1');
    outbox.send('second', 'c2');
    await settle();
    outbox.retry('c2');
    await settle();
    expect(calls).toEqual(['first', 'first', 'second']);
  });
});
