import { describe, expect, it } from 'vitest';
import { hueForName, initialForName } from '../../src/components/avatar';

describe('avatar helpers', () => {
  it('gives each name a stable hue in range', () => {
    expect(hueForName('alice')).toBe(hueForName('alice'));
    expect(hueForName('alice')).not.toBe(hueForName('alicf'));
    for (const name of ['', 'a', 'bob', '😀', 'x'.repeat(1_000)]) {
      const hue = hueForName(name);
      expect(Number.isInteger(hue) && hue >= 0 && hue < 360).toBe(true);
    }
  });

  it('takes a whole first character, upper-cased', () => {
    expect(initialForName('  alice')).toBe('A');
    expect(initialForName('😀 smile')).toBe('😀');
    expect(initialForName('élodie')).toBe('É');
    expect(initialForName('   ')).toBe('?');
  });
});
