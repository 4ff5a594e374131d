// The user's settings: who they are, which Synap they talk to, and how rooms are named.
import { DEFAULT_ROOM_PREFIX } from '../lib/servers/room-names';
import type { SafeStorage } from '../lib/device/safe-storage';
import type { ChatSettings } from '../lib/servers/settings-validation';
import { parseThemeChoice, type ThemeChoice } from '../lib/device/theme';

export type { ChatSettings, ThemeChoice };

const SETTINGS_KEY = 'synap-chat:settings';
/** Kept apart so that "do not remember" can drop it without touching the rest. */
const API_KEY_KEY = 'synap-chat:api-key';
/** A setting of this device, not of the chat: saved at once, whatever the form does. */
const THEME_KEY = 'synap-chat:theme';

function text(value: unknown, fallback: string): string {
  return typeof value === 'string' ? value : fallback;
}

export class SettingsStore {
  readonly #storage: SafeStorage;
  readonly #defaultServerUrl: string;
  #current = $state.raw<ChatSettings>({
    userId: '',
    serverUrl: '',
    apiKey: '',
    // A key is a secret: kept on this device only when the user asks (as the README says).
    rememberApiKey: false,
    roomPrefix: DEFAULT_ROOM_PREFIX,
  });
  #saved = $state(false);
  #theme = $state<ThemeChoice>('system');

  constructor(storage: SafeStorage, defaultServerUrl: string) {
    this.#storage = storage;
    this.#defaultServerUrl = defaultServerUrl;
    this.#load();
  }

  #load(): void {
    const storage = this.#storage;
    const defaultServerUrl = this.#defaultServerUrl;
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
    this.#theme = parseThemeChoice(storage.getText(THEME_KEY));
  }

  /** The theme chosen on this device. */
  get theme(): ThemeChoice {
    return this.#theme;
  }

  setTheme(theme: ThemeChoice): void {
    this.#theme = theme;
    if (theme === 'system') this.#storage.remove(THEME_KEY);
    else this.#storage.setText(THEME_KEY, theme);
  }

  /** Another tab changed a stored value (a `storage` event): the theme follows at once. */
  storageChanged(key: string | null, newValue: string | null): void {
    if (key === THEME_KEY) this.#theme = parseThemeChoice(newValue);
  }

  /** Reads storage again: after "Forget this device" emptied it, the first-run defaults. */
  reload(): void {
    this.#load();
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
