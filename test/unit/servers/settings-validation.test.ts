import { describe, expect, it } from 'vitest';
import {
  displayNameProblem,
  normalizeServerUrl,
  validateSettings,
  type ChatSettings,
} from '../../../src/lib/servers/settings-validation';

const valid: ChatSettings = {
  userId: 'Alice',
  serverUrl: 'http://localhost:15500',
  apiKey: '',
  rememberApiKey: false,
  roomPrefix: 'chat-room-',
};

describe('validateSettings', () => {
  it('accepts and trims valid settings', () => {
    expect(
      validateSettings({
        userId: '  Alice ',
        serverUrl: ' https://synap.example.com/api/ ',
        apiKey: ' sk_123 ',
        rememberApiKey: true,
        roomPrefix: ' chat-room- ',
      }),
    ).toEqual({
      ok: true,
      settings: {
        userId: 'Alice',
        serverUrl: 'https://synap.example.com/api',
        apiKey: 'sk_123',
        rememberApiKey: true,
        roomPrefix: 'chat-room-',
      },
    });
  });

  it('does not remember an empty API key', () => {
    const result = validateSettings({ ...valid, rememberApiKey: true });
    expect(result.ok && result.settings.rememberApiKey).toBe(false);
  });

  it('reports every invalid field at once', () => {
    const result = validateSettings({
      userId: '   ',
      serverUrl: 'ftp://x',
      apiKey: 'two words',
      rememberApiKey: false,
      roomPrefix: 'chat room/',
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(Object.keys(result.errors).sort()).toEqual([
      'apiKey',
      'roomPrefix',
      'serverUrl',
      'userId',
    ]);
  });

  it('accepts an empty room prefix', () => {
    expect(validateSettings({ ...valid, roomPrefix: '' }).ok).toBe(true);
  });

  it('rejects a too long room prefix', () => {
    expect(validateSettings({ ...valid, roomPrefix: 'a'.repeat(65) }).ok).toBe(false);
  });
});

describe('displayNameProblem', () => {
  it('requires a name of at most 64 characters', () => {
    expect(displayNameProblem('')).toMatch(/enter a display name/i);
    expect(displayNameProblem('a'.repeat(64))).toBeNull();
    expect(displayNameProblem('a'.repeat(65))).toMatch(/64/);
  });

  it('counts characters, not UTF-16 units', () => {
    expect(displayNameProblem('😀'.repeat(64))).toBeNull();
  });

  it('rejects control characters', () => {
    expect(displayNameProblem('bob\u0000')).toMatch(/control/);
    expect(displayNameProblem('a\nb')).toMatch(/control/);
  });
});

describe('normalizeServerUrl', () => {
  it('accepts http and https URLs with a host', () => {
    expect(normalizeServerUrl('http://localhost:15500/')).toEqual({
      ok: true,
      url: 'http://localhost:15500',
    });
    expect(normalizeServerUrl('HTTPS://Example.COM')).toEqual({
      ok: true,
      url: 'https://example.com',
    });
  });

  it.each([
    ['', /enter the server url/i],
    ['localhost:15500', /http/],
    ['not a url', /http/],
    ['ws://localhost:15500', /http/],
    ['javascript:alert(1)', /http/],
    ['file:///etc/passwd', /http/],
    ['http://user:pw@host', /API key/],
    ['http://host/?a=1', /query/],
    ['http://host/#x', /fragment/],
    // Starts right: the address itself is what is wrong, not the scheme.
    ['http://256.1.1.1:1', /not a valid address.*0 to 255/],
    ['https://host:99999', /port/],
  ])('rejects %j', (input, message) => {
    const result = normalizeServerUrl(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(message);
  });
});
