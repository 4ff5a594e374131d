import { describe, expect, it } from 'vitest';
import {
  DesktopNotifier,
  NotificationPreferences,
  shouldNotify,
  type NotificationConstructorLike,
  type NotificationLike,
} from '../../../src/lib/device/desktop-notifications';
import { SafeStorage } from '../../../src/lib/device/safe-storage';
import { MapStorage } from '../helpers';

const news = { own: false, mention: false, seen: false };

describe('shouldNotify', () => {
  it('notifies every message of others in an "all" room the user is not looking at', () => {
    expect(shouldNotify('all', news)).toBe(true);
    expect(shouldNotify('all', { ...news, seen: true })).toBe(false);
    expect(shouldNotify('all', { ...news, own: true })).toBe(false);
  });

  it('notifies only mentions in a "mentions" room, and nothing in an "off" room', () => {
    expect(shouldNotify('mentions', news)).toBe(false);
    expect(shouldNotify('mentions', { ...news, mention: true })).toBe(true);
    expect(shouldNotify('off', { ...news, mention: true })).toBe(false);
  });
});

describe('NotificationPreferences', () => {
  it('is off until the user opts in, and remembers each room’s level across a reload', () => {
    const map = new MapStorage();
    const preferences = new NotificationPreferences(new SafeStorage(() => map));
    expect(preferences.enabled).toBe(false);
    expect(preferences.levelFor('room-a')).toBe('all');
    preferences.setEnabled(true);
    preferences.setLevel('room-a', 'mentions');
    const again = new NotificationPreferences(new SafeStorage(() => map));
    expect(again.enabled).toBe(true);
    expect(again.levelFor('room-a')).toBe('mentions');
    expect(again.levelFor('room-b')).toBe('all');
  });

  it('drops stored levels it does not know', () => {
    const map = new MapStorage();
    map.setItem(
      'synap-chat:notifications',
      JSON.stringify({ enabled: 'yes', levels: { a: 'loud', b: 'off' } }),
    );
    const preferences = new NotificationPreferences(new SafeStorage(() => map));
    expect(preferences.enabled).toBe(false);
    expect(preferences.levelFor('a')).toBe('all');
    expect(preferences.levelFor('b')).toBe('off');
  });
});

function fakeNotification(permission: NotificationPermission) {
  const shown: Array<{ title: string; body?: string; tag?: string; item: NotificationLike }> = [];
  const Fake = class implements NotificationLike {
    static permission = permission;
    static requestPermission = () => Promise.resolve<NotificationPermission>('granted');
    onclick: ((event: Event) => void) | null = null;
    closed = false;
    constructor(title: string, options: { body?: string; tag?: string } = {}) {
      shown.push({ title, ...options, item: this });
    }
    close() {
      this.closed = true;
    }
  };
  return { Fake: Fake as unknown as NotificationConstructorLike, shown };
}

describe('DesktopNotifier', () => {
  it('shows a notification only with permission, and a click opens the room', () => {
    const { Fake, shown } = fakeNotification('granted');
    let focused = 0;
    const notifier = new DesktopNotifier(Fake, () => (focused += 1));
    const opened: string[] = [];
    notifier.show('bob in #general', 'x'.repeat(500), 'general', () => opened.push('general'));
    expect(shown).toHaveLength(1);
    expect(shown[0]?.body?.length).toBe(161);
    expect(shown[0]?.tag).toBe('general');
    shown[0]?.item.onclick?.(new Event('click'));
    expect(opened).toEqual(['general']);
    expect(focused).toBe(1);

    const denied = fakeNotification('denied');
    new DesktopNotifier(denied.Fake).show('t', 'b', 'g', () => {});
    expect(denied.shown).toHaveLength(0);
  });

  it('asks for permission once, and says when the browser has no notifications', async () => {
    const { Fake } = fakeNotification('default');
    expect(await new DesktopNotifier(Fake).requestPermission()).toBe('granted');
    expect(await new DesktopNotifier(null).requestPermission()).toBe('unsupported');
    expect(new DesktopNotifier(null).supported).toBe(false);
  });
});
