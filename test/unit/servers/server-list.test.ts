import { describe, expect, it } from 'vitest';
import { placeRoom } from '../../../src/lib/servers/placement';
import {
  MAX_SERVERS,
  formatServerList,
  ordinal,
  parseServerList,
  serverForRoom,
  type ServerEntry,
} from '../../../src/lib/servers/server-list';
import { normalizeServerUrl, validateSettings } from '../../../src/lib/servers/settings-validation';

function servers(urls: string, apiKeys = ''): ServerEntry[] {
  const result = parseServerList(urls, apiKeys);
  if (!result.ok) throw new Error(`expected a valid list, got: ${result.error}`);
  return result.servers;
}

function error(urls: string, apiKeys = ''): string {
  const result = parseServerList(urls, apiKeys);
  if (result.ok)
    throw new Error(`expected an error, got ${JSON.stringify(result.servers).slice(0, 200)}`);
  return result.error;
}

describe('parseServerList with one URL', () => {
  it('reads one URL and key exactly as the single server setting always has', () => {
    expect(servers(' https://synap.example.com/api/ ', ' sk_123 ')).toEqual([
      { url: 'https://synap.example.com/api', apiKey: 'sk_123' },
    ]);
    expect(servers('http://localhost:15500')).toEqual([
      { url: 'http://localhost:15500', apiKey: '' },
    ]);
    const settings = validateSettings({
      userId: 'Alice',
      serverUrl: 'HTTP://LocalHost:15500/',
      apiKey: 'sk_1',
      rememberApiKey: false,
      roomPrefix: 'chat-room-',
    });
    expect(settings.ok && [{ url: settings.settings.serverUrl, apiKey: 'sk_1' }]).toEqual(
      servers('HTTP://LocalHost:15500/', 'sk_1'),
    );
  });

  it("gives the single server setting's own error messages", () => {
    for (const bad of ['', '   ', 'localhost:15500', 'ftp://x.example', 'http://256.1.1.1:1']) {
      const expected = normalizeServerUrl(bad);
      expect(expected.ok).toBe(false);
      expect(error(bad)).toBe(expected.ok ? '' : expected.error);
    }
    expect(error('http://localhost:15500', 'sk 1')).toBe(
      'The API key cannot contain spaces or line breaks.',
    );
  });

  it('takes the whole key field as the key of a single server, commas included', () => {
    expect(servers('http://localhost:15500', 'a,b')).toEqual([
      { url: 'http://localhost:15500', apiKey: 'a,b' },
    ]);
  });
});

describe('parseServerList with several URLs', () => {
  it('splits URLs on commas, spaces and line breaks in any mix', () => {
    const expected = ['https://a.example', 'https://b.example', 'https://c.example'];
    for (const typed of [
      'https://a.example,https://b.example,https://c.example',
      'https://a.example, https://b.example , https://c.example,',
      'https://a.example\nhttps://b.example\r\n\thttps://c.example\n',
      ',, https://a.example  https://b.example,\n,https://c.example ,',
    ]) {
      expect(servers(typed).map((server) => server.url)).toEqual(expected);
    }
  });

  it('normalises each URL as the single server setting does', () => {
    expect(
      servers('HTTP://LocalHost:15500/, https://Synap.Example.ORG:443/Chat//').map((s) => s.url),
    ).toEqual(['http://localhost:15500', 'https://synap.example.org/Chat']);
  });

  it('sorts the servers, keys following their URLs, so the typed order does not matter', () => {
    const typed = servers('https://c.example, https://a.example, https://b.example', 'kc,ka,kb');
    expect(typed).toEqual([
      { url: 'https://a.example', apiKey: 'ka' },
      { url: 'https://b.example', apiKey: 'kb' },
      { url: 'https://c.example', apiKey: 'kc' },
    ]);
    expect(servers('https://b.example https://a.example https://c.example', 'kb, ka, kc')).toEqual(
      typed,
    );
  });

  it('uses one key for every server, and no key at all when the field is empty', () => {
    expect(servers('https://a.example, https://b.example', ' sk_all ')).toEqual([
      { url: 'https://a.example', apiKey: 'sk_all' },
      { url: 'https://b.example', apiKey: 'sk_all' },
    ]);
    expect(servers('https://a.example, https://b.example', '')).toEqual([
      { url: 'https://a.example', apiKey: '' },
      { url: 'https://b.example', apiKey: '' },
    ]);
  });

  it('gives a server no key where its entry in the key list is empty', () => {
    expect(servers('https://a.example, https://b.example, https://c.example', 'ka, , kc')).toEqual([
      { url: 'https://a.example', apiKey: 'ka' },
      { url: 'https://b.example', apiKey: '' },
      { url: 'https://c.example', apiKey: 'kc' },
    ]);
  });

  it('refuses a number of keys that is neither one nor one per server', () => {
    expect(error('https://a.example, https://b.example, https://c.example', 'ka,kb')).toBe(
      'There are 3 server URLs but 2 API keys: give one key for every server, or one per server ' +
        'separated by commas, in the order of the URLs (leave an entry empty for a server ' +
        'without a key).',
    );
    expect(error('https://a.example, https://b.example', 'ka,kb,')).toMatch(/2 server URLs but 3/);
  });

  it('names the URL that is wrong by its place in the list', () => {
    expect(error('https://a.example, synap.example, https://c.example')).toBe(
      'The 2nd server URL is not valid: enter a full URL starting with http:// or https://.',
    );
    expect(error('https://a.example https://b.example ftp://c.example')).toBe(
      'The 3rd server URL is not valid: the server URL must start with http:// or https://.',
    );
    expect(error('https://user:pw@a.example, https://b.example')).toBe(
      'The 1st server URL is not valid: put credentials in the API key field, not in the URL.',
    );
  });

  it('names the key that is wrong by its place in the list', () => {
    expect(error('https://a.example, https://b.example', 'ka, k\u0000b')).toBe(
      'The 2nd API key cannot contain spaces or line breaks (separate keys with commas).',
    );
    expect(error('https://a.example, https://b.example', 'k a')).toBe(
      'The API key cannot contain spaces or line breaks.',
    );
  });

  it('refuses the same server twice, however it was written, naming both places', () => {
    expect(
      error('http://localhost:15500, https://b.example, HTTP://LOCALHOST:15500/', 'k1,k2,k3'),
    ).toBe('The 1st and 3rd server URLs are the same server: list each server once.');
    expect(error('https://a.example:443, https://a.example')).toMatch(/1st and 2nd/);
  });

  it(`takes up to ${MAX_SERVERS} servers and refuses more`, () => {
    const urls = (n: number) =>
      Array.from({ length: n }, (_, i) => `https://synap${i}.example`).join(',');
    expect(servers(urls(MAX_SERVERS))).toHaveLength(MAX_SERVERS);
    expect(error(urls(MAX_SERVERS + 1))).toBe(
      `At most ${MAX_SERVERS} servers can share the rooms; this list has ${MAX_SERVERS + 1}.`,
    );
  });
});

describe('parseServerList against hostile input', () => {
  it('refuses script, data and file URLs, queries and fragments', () => {
    for (const bad of [
      'javascript:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      'file:///etc/passwd',
      'https://a.example/?key=1',
      'https://a.example/#x',
      'http://a\u202e.example',
    ]) {
      expect(error(`https://ok.example, ${bad}`)).toMatch(/^The 2nd server URL is not valid: /);
    }
  });

  it('only ever accepts printable ASCII keys, which read back as themselves', () => {
    const hostile = [
      'https://bücher.example/é',
      'http://0x7f.1:15500',
      'http://a.example/\u202e/%00',
      'http://[::1]:15500/x/../y',
      'https://a.example/<script>',
      'https://a.example/\u0000',
    ];
    for (const typed of hostile) {
      const result = parseServerList(typed, '');
      if (!result.ok) continue;
      for (const { url } of result.servers) {
        expect(url).toMatch(/^https?:\/\/[!-~]+$/);
        expect(url).not.toMatch(/[,<>]/);
        expect(servers(url)).toEqual(result.servers);
      }
    }
    expect(servers(hostile.join(' ')).length).toBeGreaterThan(3);
  });

  // How fast is the bench's to say (scripts/bench/parse-figures.ts), not a wall-clock limit here.
  it('answers for a huge field, whatever it holds', () => {
    expect(error(',\n '.repeat(300_000))).toMatch(/Enter the server URL/);
    expect(error('https://a.example '.repeat(100_000))).toMatch(/At most 16 servers/);
    expect(error('https://a.example', 'x'.repeat(1_000_000) + ' y')).toMatch(/spaces/);
    expect(servers('https://a.example/' + 'a'.repeat(100_000))).toHaveLength(1);
  });
});

describe('formatServerList', () => {
  it('writes a list back into the form in a way that reads back to the same list', () => {
    for (const [urls, keys] of [
      ['http://localhost:15500', ''],
      ['http://localhost:15500', 'sk_1'],
      ['https://c.example, https://a.example, https://b.example', 'shared'],
      ['https://c.example, https://a.example, https://b.example', 'kc, , kb'],
      ['https://a.example, https://b.example', ''],
    ] as const) {
      const list = servers(urls, keys);
      const form = formatServerList(list);
      expect(servers(form.urls, form.apiKeys)).toEqual(list);
    }
  });

  it('shows a shared key once and distinct keys in the order of the URLs', () => {
    expect(
      formatServerList([
        { url: 'https://a.example', apiKey: 'k' },
        { url: 'https://b.example', apiKey: 'k' },
      ]),
    ).toEqual({ urls: 'https://a.example, https://b.example', apiKeys: 'k' });
    expect(
      formatServerList([
        { url: 'https://a.example', apiKey: 'ka' },
        { url: 'https://b.example', apiKey: '' },
      ]),
    ).toEqual({ urls: 'https://a.example, https://b.example', apiKeys: 'ka, ' });
    expect(formatServerList([])).toEqual({ urls: '', apiKeys: '' });
  });
});

describe('serverForRoom', () => {
  it("returns the placed server's entry, key included", () => {
    const list = servers(
      'https://synap1.example.org, https://synap2.example.org, https://synap3.example.org',
      'k1, k2, k3',
    );
    expect(serverForRoom('chat-room-general', list)).toEqual({
      url: 'https://synap2.example.org',
      apiKey: 'k2',
    });
    for (const room of ['chat-room-lobby', 'chat-room-off-topic', 'chat-room-🎉']) {
      expect(serverForRoom(room, list).url).toBe(
        placeRoom(
          room,
          list.map((server) => server.url),
        ),
      );
    }
    expect(() => serverForRoom('chat-room-general', [])).toThrow(RangeError);
  });
});

describe('ordinal', () => {
  it('writes English ordinals, teens included', () => {
    expect([1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 101, 111, 112].map(ordinal)).toEqual([
      '1st',
      '2nd',
      '3rd',
      '4th',
      '11th',
      '12th',
      '13th',
      '21st',
      '22nd',
      '23rd',
      '101st',
      '111th',
      '112th',
    ]);
  });
});
