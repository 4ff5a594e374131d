import { describe, expect, it } from 'vitest';
import { mentionRanges, mentions } from '../../../src/lib/text/mentions';

describe('mentions', () => {
  it('finds "@name" anywhere, whatever its case', () => {
    expect(mentions('hi @alice!', 'alice')).toBe(true);
    expect(mentions('@Alice can you look', 'alice')).toBe(true);
    expect(mentions('(@ALICE)', 'Alice')).toBe(true);
  });

  it('does not take a longer name or an e-mail address for a mention', () => {
    expect(mentions('hi @alicea', 'alice')).toBe(false);
    expect(mentions('write to bob@alice', 'alice')).toBe(false);
    expect(mentions('hi alice', 'alice')).toBe(false);
  });

  it('matches names with spaces, accents and symbols literally', () => {
    expect(mentions('ping @Zoë Martin about it', 'Zoë Martin')).toBe(true);
    expect(mentions('ping @Zoë', 'Zoë Martin')).toBe(false);
    expect(mentions('@a.b+c here', 'a.b+c')).toBe(true);
    expect(mentions('@aXb here', 'a.b')).toBe(false);
  });

  it('gives the ranges to highlight, in order', () => {
    expect(mentionRanges('@bob and @Bob', 'bob')).toEqual([
      [0, 4],
      [9, 13],
    ]);
    expect(mentionRanges('no one', 'bob')).toEqual([]);
    expect(mentionRanges('@ alone', '')).toEqual([]);
  });
});
