import { describe, expect, it } from 'vitest';
import { statusView } from '../../src/components/app/status-view';

describe('statusView', () => {
  it('says a 401 means a missing key when the server was given none, a wrong one otherwise', () => {
    const refused = { kind: 'unauthorized', forbidden: false, message: 'Unauthorized' } as const;
    expect(statusView(refused, false)).toEqual({
      kind: 'unauthorized',
      forbidden: false,
      keyMissing: true,
    });
    expect(statusView(refused, true)).toEqual({
      kind: 'unauthorized',
      forbidden: false,
      keyMissing: false,
    });
    // A 403 is about what the key may do, whatever it is.
    expect(statusView({ ...refused, forbidden: true }, false)).toMatchObject({ keyMissing: false });
  });
});
