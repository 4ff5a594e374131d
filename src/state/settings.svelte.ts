// The user's settings: who they are, which Synap they talk to, and how rooms are named.
import { DEFAULT_ROOM_PREFIX } from '../lib/room-names';
import type { SafeStorage } from '../lib/safe-storage';
import type { ChatSettings } from '../lib/settings-validation';

export type { ChatSettings };

const SETTINGS_KEY = 'synap-chat:settings';
/** Kept apart so that "do not remember" can drop it without touching the rest. */
const API_KEY_KEY = 'synap-chat:api-key';

function text(value: unknown, fallback: string): string {
  return typeof value === 'string' ? value : fallback;
}

export class SettingsStore {
  readonly #storage: SafeStorage;
  #current = $state.raw<ChatSettings>({
    userId: '',
    serverUrl: '',
    apiKey: '',
    // A key is a secret: kept on this device only when the user asks (as the README says).
    rememberApiKey: false,
    roomPrefix: DEFAULT_ROOM_PREFIX,
  });
  #saved = $state(false);

  constructor(storage: SafeStorage, defaultServerUrl: string) {
    this.#storage = storage;
    const stored = storage.getJson(SETTINGS_KEY);
    const record =
      typeof stored === 'object' && stored !== null ? (stored as Record<string, unknown>) : {};
    const apiKey = storage.getText(API_KEY_KEY) ?? '';
    this.#current = {
      userId: text(record.userId, ''),
      serverUrl: text(record.serverUrl, defaultServerUrl) || defaultServerUrl,
      apiKey,
      rememberApiKey: record.rememberApiKey === true,
      roomPrefix: text(record.roomPrefix, DEFAULT_ROOM_PREFIX),
    };
    this.#saved = this.#current.userId !== '';
  }

  get current(): ChatSettings {
    return this.#current;
  }

  /** A display name was chosen before: the app can start straight away. */
  get saved(): boolean {
    return this.#saved;
  }

  save(settings: ChatSettings): void {
    this.#current = { ...settings };
    this.#storage.setJson(SETTINGS_KEY, {
      userId: settings.userId,
      serverUrl: settings.serverUrl,
      rememberApiKey: settings.rememberApiKey,
      roomPrefix: settings.roomPrefix,
    });
    if (settings.rememberApiKey && settings.apiKey)
      this.#storage.setText(API_KEY_KEY, settings.apiKey);
    else this.#storage.remove(API_KEY_KEY);
    this.#saved = true;
  }
}
