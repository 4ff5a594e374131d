import { describe, expect, it } from 'vitest';
import { linkify, type LinkifySegment } from '../../../src/lib/text/linkify';

const links = (text: string) =>
  linkify(text)
    .filter((s): s is Extract<LinkifySegment, { kind: 'link' }> => s.kind === 'link')
    .map((s) => [s.text, s.href]);

describe('linkify', () => {
  it('returns plain text as one text segment, and nothing for empty text', () => {
    expect(linkify('hello world')).toEqual([{ kind: 'text', text: 'hello world' }]);
    expect(linkify('')).toEqual([]);
  });

  it('finds http and https links between text', () => {
    expect(linkify('see http://example.com/a?b=1#c now')).toEqual([
      { kind: 'text', text: 'see ' },
      { kind: 'link', text: 'http://example.com/a?b=1#c', href: 'http://example.com/a?b=1#c' },
      { kind: 'text', text: ' now' },
    ]);
    expect(links('HTTPS://EXAMPLE.COM')).toEqual([['HTTPS://EXAMPLE.COM', 'HTTPS://EXAMPLE.COM']]);
  });

  it('links www. addresses as https', () => {
    expect(links('go to www.example.com')).toEqual([
      ['www.example.com', 'https://www.example.com'],
    ]);
    expect(links('www.example')).toEqual([]);
  });

  it('links email addresses as mailto', () => {
    expect(links('mail bob.smith+tag@mail.example.co.uk.')).toEqual([
      ['bob.smith+tag@mail.example.co.uk', 'mailto:bob.smith+tag@mail.example.co.uk'],
    ]);
    expect(links('a@b, a@localhost, @example.com, bob@example.c')).toEqual([]);
  });

  it('takes a written "mailto:" into the link, whatever its case', () => {
    expect(linkify('write to mailto:bob@example.com today')).toEqual([
      { kind: 'text', text: 'write to ' },
      { kind: 'link', text: 'mailto:bob@example.com', href: 'mailto:bob@example.com' },
      { kind: 'text', text: ' today' },
    ]);
    expect(links('(MailTo:ann@example.org)')).toEqual([
      ['MailTo:ann@example.org', 'mailto:ann@example.org'],
    ]);
    expect(links('notmailto:x@example.org')).toEqual([['x@example.org', 'mailto:x@example.org']]);
  });

  it('keeps every text character: segments join back to the input', () => {
    const input = 'x (http://a.com/b_(c)), www.d.org. e@f.io! "https://g.net/" <http://h.io>';
    expect(
      linkify(input)
        .map((s) => s.text)
        .join(''),
    ).toBe(input);
  });

  it('leaves trailing punctuation out of links', () => {
    expect(links('end http://example.com/path.')).toEqual([
      ['http://example.com/path', 'http://example.com/path'],
    ]);
    expect(links('a http://example.com, b http://example.org; c http://example.net!?')).toEqual([
      ['http://example.com', 'http://example.com'],
      ['http://example.org', 'http://example.org'],
      ['http://example.net', 'http://example.net'],
    ]);
    expect(links('(see http://example.com/x)')).toEqual([
      ['http://example.com/x', 'http://example.com/x'],
    ]);
    expect(links('"http://example.com/q"')).toEqual([
      ['http://example.com/q', 'http://example.com/q'],
    ]);
  });

  it('keeps balanced brackets inside links', () => {
    expect(links('(http://en.wikipedia.org/wiki/Foo_(bar))')).toEqual([
      ['http://en.wikipedia.org/wiki/Foo_(bar)', 'http://en.wikipedia.org/wiki/Foo_(bar)'],
    ]);
    expect(links('http://a.com/x[1]')).toEqual([['http://a.com/x[1]', 'http://a.com/x[1]']]);
  });

  it('supports ports, IPs, IPv6, localhost and international names', () => {
    expect(links('http://localhost:15500/stream')).toEqual([
      ['http://localhost:15500/stream', 'http://localhost:15500/stream'],
    ]);
    expect(links('http://192.168.0.1/x http://[::1]:8080/')).toEqual([
      ['http://192.168.0.1/x', 'http://192.168.0.1/x'],
      ['http://[::1]:8080/', 'http://[::1]:8080/'],
    ]);
    expect(links('https://例え.jp/パス')).toEqual([
      ['https://例え.jp/パス', 'https://例え.jp/パス'],
    ]);
  });

  it.each([
    'javascript:alert(1)',
    'JavaScript:alert(document.cookie)',
    'data:text/html,<script>alert(1)</script>',
    'vbscript:msgbox(1)',
    'file:///etc/passwd',
    'ftp://example.com/',
    'xhttp://example.com',
    'javascript://www.example.com',
    'http://',
    'https://',
    'http:// example.com',
  ])('never links %j', (input) => {
    expect(links(input)).toEqual([]);
    expect(
      linkify(input)
        .map((s) => s.text)
        .join(''),
    ).toBe(input);
  });

  it('never produces an href other than http(s) or mailto', () => {
    const nasty =
      'javascript:alert(1) http://ok.com/"onmouseover="x www.ok.com/<script> mailto:a@b.co ' +
      'data:x,http://a.com \u0000http://b.com\u0000 https://c.com/\u202e';
    for (const segment of linkify(nasty)) {
      if (segment.kind === 'link') expect(segment.href).toMatch(/^(https?:\/\/|mailto:)/i);
    }
    expect(links('http://ok.com/"onmouseover="x')).toEqual([['http://ok.com/', 'http://ok.com/']]);
  });

  it('does not link URLs with credentials (phishing)', () => {
    expect(links('https://bank.example@evil.example/login')).toEqual([]);
    expect(links('www.foo@bar.com')).toEqual([['www.foo@bar.com', 'mailto:www.foo@bar.com']]);
  });

  it('keeps links inside URLs whole (an @ in a path is not an email)', () => {
    expect(links('https://medium.com/@user/post')).toEqual([
      ['https://medium.com/@user/post', 'https://medium.com/@user/post'],
    ]);
  });

  it('never throws on odd input', () => {
    const odd = ['\ud800', '\udfff@\ud800.com', 'http://\ud800', 'www.\u0000.com', '@', '.', '['];
    for (const input of odd) {
      expect(() => linkify(input)).not.toThrow();
    }
    expect(linkify(undefined as unknown as string)).toEqual([]);
  });

  const HOSTILE_INPUTS: Array<[string, string]> = [
    ['http:// repeated', 'http://'.repeat(1_430)],
    ['www. repeated', 'www.'.repeat(2_500)],
    ['a@ repeated', 'a@'.repeat(5_000)],
    ['a. then @', 'a.'.repeat(5_000) + '@'],
    ['@a. repeated', '@a.'.repeat(3_333)],
    ['open brackets', 'http://a.com/' + '('.repeat(10_000)],
    ['close brackets', 'http://a.com/' + ')'.repeat(10_000)],
    ['dots', 'https://a.com/' + '.'.repeat(10_000)],
    ['one long host', 'http://' + 'a'.repeat(10_000)],
    ['long www host without tld', 'www.' + 'a-'.repeat(5_000)],
    ['hyphen chains', 'www.a-'.repeat(1_700)],
    ['letters', 'h'.repeat(10_000)],
    ['ws', 'w'.repeat(10_000)],
    ['emails', ('x'.repeat(99) + '@').repeat(100)],
    ['mixed', 'http://a.b/(@www.'.repeat(600)],
  ];

  // One pass and no backtracking regex (see linkify.ts); speed is the bench's to measure.
  it.each(HOSTILE_INPUTS)('keeps every character of hostile input: %s', (_name, input) => {
    const segments = linkify(input);
    expect(segments.map((s) => s.text).join('')).toBe(input);
  });
});
