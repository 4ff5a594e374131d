import { describe, expect, it } from 'vitest';
import { copyText } from '../../../src/lib/device/clipboard';

describe('copyText', () => {
  it('says whether the text was copied: yes, refused, or no clipboard at all', async () => {
    const written: string[] = [];
    const clipboard = { writeText: async (text: string) => void written.push(text) };
    await expect(copyText('hello', clipboard)).resolves.toBe(true);
    expect(written).toEqual(['hello']);
    const refusing = { writeText: () => Promise.reject(new Error('denied')) };
    await expect(copyText('x', refusing)).resolves.toBe(false);
    await expect(copyText('x', {})).resolves.toBe(false);
  });
});
