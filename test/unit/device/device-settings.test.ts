// What Settings keeps per device beside the chat settings: the theme, "Forget this device"
// (every synap-chat: key), and the service worker that keeps the app shell.
import { describe, expect, it, vi } from 'vitest';
import { registerAppShell } from '../../../src/lib/device/app-shell';
import { SafeStorage } from '../../../src/lib/device/safe-storage';
import { applyTheme, parseThemeChoice } from '../../../src/lib/device/theme';
import { MapStorage } from '../helpers';

/** localStorage's listing too (length and key(i)), as the browser's has. */
class ListedStorage extends MapStorage {
  get length(): number {
    return this.map.size;
  }
  key(index: number): string | null {
    return [...this.map.keys()][index] ?? null;
  }
}

describe('theme choice', () => {
  it('reads only the three choices; anything else follows the system', () => {
    expect(parseThemeChoice('dark')).toBe('dark');
    expect(parseThemeChoice('light')).toBe('light');
    expect(parseThemeChoice('system')).toBe('system');
    for (const other of [null, undefined, '', 'Dark', 'blue', 1]) {
      expect(parseThemeChoice(other)).toBe('system');
    }
  });

  it('puts the choice on the root element, and nothing for the system', () => {
    const root = { dataset: {} as Record<string, string> } as unknown as HTMLElement;
    applyTheme(root, 'dark');
    expect(root.dataset.theme).toBe('dark');
    applyTheme(root, 'light');
    expect(root.dataset.theme).toBe('light');
    applyTheme(root, 'system');
    expect('theme' in root.dataset).toBe(false);
  });
});

describe('SafeStorage.removeAll', () => {
  it('removes every key with the prefix, stored or held in memory, and nothing else', () => {
    const backing = new ListedStorage();
    const storage = new SafeStorage(() => backing);
    backing.setItem('other-app:x', '1');
    for (const key of ['synap-chat:settings', 'synap-chat:cursor:["a"]', 'synap-chat:draft:1']) {
      storage.setText(key, 'v');
    }
    storage.removeAll('synap-chat:');
    expect([...backing.map.keys()]).toEqual(['other-app:x']);
  });

  it('clears what only memory holds when storage is blocked, and never throws', () => {
    const storage = new SafeStorage(() => {
      throw new Error('blocked');
    });
    storage.setText('synap-chat:settings', 'v');
    expect(storage.getText('synap-chat:settings')).toBe('v');
    expect(() => storage.removeAll('synap-chat:')).not.toThrow();
    expect(storage.getText('synap-chat:settings')).toBeNull();
  });

  it('does what it can with a storage that cannot list its keys', () => {
    const storage = new SafeStorage(() => new MapStorage());
    expect(() => storage.removeAll('synap-chat:')).not.toThrow();
  });
});

describe('registerAppShell', () => {
  it('registers the service worker on http and https', async () => {
    for (const protocol of ['http:', 'https:']) {
      const register = vi.fn(() => Promise.resolve({}));
      expect(registerAppShell({ protocol, serviceWorker: { register } })).toBe(true);
      expect(register).toHaveBeenCalledExactlyOnceWith('./sw.js');
    }
  });

  it('vouches for the worker URL, and only it, through a Trusted Types policy', () => {
    const register = vi.fn(() => Promise.resolve({}));
    let rules: { createScriptURL: (url: string) => string } | null = null;
    const trustedTypes = {
      createPolicy: vi.fn((name: string, given: typeof rules & object) => {
        rules = given;
        return { createScriptURL: (url: string) => ({ trusted: given.createScriptURL(url) }) };
      }),
    };
    expect(
      registerAppShell({ protocol: 'https:', serviceWorker: { register }, trustedTypes }),
    ).toBe(true);
    expect(trustedTypes.createPolicy).toHaveBeenCalledWith('synap-chat-sw', expect.anything());
    expect(register).toHaveBeenCalledExactlyOnceWith({ trusted: './sw.js' });
    expect(() => rules?.createScriptURL('https://evil.example/x.js')).toThrow(TypeError);
  });

  it('does nothing from file:// or without service workers', () => {
    const register = vi.fn(() => Promise.resolve({}));
    expect(registerAppShell({ protocol: 'file:', serviceWorker: { register } })).toBe(false);
    expect(registerAppShell({ protocol: 'https:', serviceWorker: undefined })).toBe(false);
    expect(register).not.toHaveBeenCalled();
  });

  it('swallows a refused registration', async () => {
    const refused = Promise.reject(new Error('SecurityError'));
    const register = vi.fn(() => refused);
    expect(registerAppShell({ protocol: 'https:', serviceWorker: { register } })).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 0));
    const throwing = {
      register: () => {
        throw new Error('no');
      },
    };
    expect(registerAppShell({ protocol: 'https:', serviceWorker: throwing })).toBe(false);
  });
});
