import { describe, expect, it } from 'vitest';
import { tabTitle } from '../../../src/lib/app/tab-title';

describe('tabTitle', () => {
  it('counts mentions apart from unread messages', () => {
    expect(tabTitle(0, 0)).toBe('Synap Chat');
    expect(tabTitle(5, 0)).toBe('(5) Synap Chat');
    expect(tabTitle(5, 2)).toBe('(@2) (5) Synap Chat');
  });
});
