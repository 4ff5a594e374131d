import { describe, expect, it } from 'vitest';
import { formatTyping } from '../../../src/lib/text/typing-text';

describe('formatTyping', () => {
  it('is empty when nobody types', () => {
    expect(formatTyping([])).toBe('');
  });

  it('names one or two typers', () => {
    expect(formatTyping(['Alice'])).toBe('Alice is typing…');
    expect(formatTyping(['Alice', 'Bob'])).toBe('Alice and Bob are typing…');
  });

  it('stops naming people from three on', () => {
    expect(formatTyping(['Alice', 'Bob', 'Carol'])).toBe('Several people are typing…');
    expect(formatTyping(Array.from({ length: 50 }, (_, i) => `u${i}`))).toBe(
      'Several people are typing…',
    );
  });

  it('keeps names as given (rendering escapes them)', () => {
    expect(formatTyping(['<b>x</b>'])).toBe('<b>x</b> is typing…');
  });
});
