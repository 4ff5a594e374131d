// The server never forgets a subscriber, so one id per user and device, not per page load.
import type { SafeStorage } from '../device/safe-storage';

const DEVICE_KEY = 'synap-chat:device-id';
const DEVICE_ID_CHARS = 10;

function randomDeviceId(random: () => number): string {
  let id = '';
  for (let i = 0; i < DEVICE_ID_CHARS; i += 1) id += Math.floor(random() * 36).toString(36);
  return id;
}

/** This browser's device id, made once and kept. */
export function deviceId(storage: SafeStorage, random: () => number = Math.random): string {
  const stored = storage.getText(DEVICE_KEY);
  if (stored && /^[a-z0-9]{4,32}$/.test(stored)) return stored;
  const id = randomDeviceId(random);
  storage.setText(DEVICE_KEY, id);
  return id;
}

/** FNV-1a: a short, stable fingerprint, so names that slug alike ("Bob", "bob!") stay apart. */
function fingerprint(text: string): string {
  let hash = 0x811c9dc5;
  for (const char of text) {
    hash ^= char.codePointAt(0) ?? 0;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(36);
}

/** A readable, URL-safe subscriber id for this user on this device. */
export function subscriberIdFor(userId: string, device: string): string {
  const slug =
    userId
      .normalize('NFKD')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 32) || 'user';
  return `${slug}-${fingerprint(userId)}-${device}`;
}
