import { render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import SettingsForm from '../../src/components/SettingsForm.svelte';

const initial = {
  userId: '',
  serverUrl: 'http://localhost:15500',
  apiKey: '',
  rememberApiKey: false,
  roomPrefix: 'chat-room-',
};

function setup(props: Record<string, unknown> = {}) {
  const onSubmit = vi.fn();
  const onCancel = vi.fn();
  render(SettingsForm, { initial, onSubmit, onCancel, ...props });
  return { onSubmit, onCancel, user: userEvent.setup() };
}

describe('SettingsForm', () => {
  it('has the labelled fields, seeded from initial', () => {
    setup();
    expect(screen.getByLabelText('Display name')).toHaveValue('');
    expect(screen.getByLabelText('Server URL')).toHaveValue('http://localhost:15500');
    expect(screen.getByLabelText('API key')).toHaveAttribute('type', 'password');
    expect(screen.getByLabelText('Remember API key on this device')).not.toBeChecked();
    expect(screen.getByLabelText('Room prefix')).toHaveValue('chat-room-');
    expect(screen.getByRole('button', { name: 'Start chatting' })).toBeInTheDocument();
  });

  it('submits trimmed, normalised settings', async () => {
    const { user, onSubmit } = setup();
    await user.type(screen.getByLabelText('Display name'), '  Alice  ');
    await user.clear(screen.getByLabelText('Server URL'));
    await user.type(screen.getByLabelText('Server URL'), 'https://synap.example.com/');
    await user.type(screen.getByLabelText('API key'), 'sk_live_1');
    await user.click(screen.getByLabelText('Remember API key on this device'));
    await user.click(screen.getByRole('button', { name: 'Start chatting' }));
    expect(onSubmit).toHaveBeenCalledExactlyOnceWith({
      userId: 'Alice',
      serverUrl: 'https://synap.example.com',
      apiKey: 'sk_live_1',
      rememberApiKey: true,
      roomPrefix: 'chat-room-',
    });
  });

  it('shows inline messages, focuses the first invalid field, and does not submit', async () => {
    const { user, onSubmit } = setup();
    await user.clear(screen.getByLabelText('Server URL'));
    await user.type(screen.getByLabelText('Server URL'), 'ftp://example.com');
    await user.clear(screen.getByLabelText('Room prefix'));
    await user.type(screen.getByLabelText('Room prefix'), 'chat room/');
    await user.click(screen.getByRole('button', { name: 'Start chatting' }));
    expect(onSubmit).not.toHaveBeenCalled();
    const name = screen.getByLabelText('Display name');
    expect(name).toHaveAttribute('aria-invalid', 'true');
    expect(name).toHaveAccessibleDescription(/Enter a display name/);
    expect(name).toHaveFocus();
    expect(screen.getByLabelText('Server URL')).toHaveAccessibleDescription(
      /http:\/\/ or https:\/\//,
    );
    expect(screen.getByLabelText('Room prefix')).toHaveAccessibleDescription(/letters, digits/i);
  });

  it('clears a message once the field is fixed', async () => {
    const { user } = setup();
    await user.click(screen.getByRole('button', { name: 'Start chatting' }));
    const name = screen.getByLabelText('Display name');
    expect(name).toHaveAttribute('aria-invalid', 'true');
    await user.type(name, 'Bob');
    expect(name).not.toHaveAttribute('aria-invalid');
  });

  it('rejects names over 64 characters', async () => {
    const { user, onSubmit } = setup();
    await user.click(screen.getByLabelText('Display name'));
    await user.paste('x'.repeat(65));
    await user.click(screen.getByRole('button', { name: 'Start chatting' }));
    expect(onSubmit).not.toHaveBeenCalled();
    expect(screen.getByLabelText('Display name')).toHaveAccessibleDescription(/at most 64/);
  });

  it('shows and hides the API key', async () => {
    const { user } = setup();
    await user.click(screen.getByRole('button', { name: 'Show API key' }));
    expect(screen.getByLabelText('API key')).toHaveAttribute('type', 'text');
    await user.click(screen.getByRole('button', { name: 'Hide API key' }));
    expect(screen.getByLabelText('API key')).toHaveAttribute('type', 'password');
  });

  it('shows the server error, the busy state and a custom label', async () => {
    const { user, onSubmit } = setup({
      initial: { ...initial, userId: 'Alice' },
      error: 'The server refused the API key (401)',
      busy: true,
      submitLabel: 'Save',
    });
    expect(screen.getByRole('alert')).toHaveTextContent('The server refused the API key (401)');
    const submit = screen.getByRole('button', { name: 'Connecting…' });
    await user.click(submit);
    expect(onSubmit).not.toHaveBeenCalled();
  });

  it('cancels', async () => {
    const { user, onCancel } = setup({ submitLabel: 'Save' });
    expect(screen.getByRole('button', { name: 'Save' })).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(onCancel).toHaveBeenCalledTimes(1);
  });

  it('has no Cancel without onCancel', () => {
    render(SettingsForm, { initial, onSubmit: vi.fn() });
    expect(screen.queryByRole('button', { name: 'Cancel' })).toBeNull();
  });
});

describe('SettingsForm as Settings', () => {
  it('puts the focus in the first field when asked', () => {
    render(SettingsForm, { initial, onSubmit: vi.fn(), focusFirst: true });
    expect(screen.getByLabelText('Display name')).toHaveFocus();
  });

  it('drops the server error once the address or the key it was about changes', async () => {
    const user = userEvent.setup();
    const { rerender } = render(SettingsForm, {
      initial: { ...initial, userId: 'Alice', serverUrl: 'http://127.0.0.1:9' },
      onSubmit: vi.fn(),
    });
    await user.click(screen.getByRole('button', { name: 'Start chatting' }));
    await rerender({ error: 'Cannot reach http://127.0.0.1:9' });
    expect(screen.getByRole('alert')).toHaveTextContent('Cannot reach');
    const url = screen.getByLabelText('Server URL');
    await user.type(url, '0');
    expect(screen.queryByRole('alert')).toBeNull();
    await user.type(url, '{Backspace}');
    expect(screen.getByRole('alert')).toHaveTextContent('Cannot reach');
    await user.type(screen.getByLabelText('API key'), 'k');
    expect(screen.queryByRole('alert')).toBeNull();
  });

  describe('unsent messages the new settings leave behind', () => {
    const saved = { ...initial, userId: 'Alice' };
    const setAside = {
      rooms: [{ roomId: 'general', count: 2, serverUrl: 'http://localhost:15500' }],
      total: 2,
      servers: ['http://localhost:15500'],
      reason: 'server' as const,
    };

    async function saveOtherServer() {
      const unsentSetAside = vi.fn(() => setAside);
      const onSubmit = vi.fn();
      render(SettingsForm, { initial: saved, submitLabel: 'Save', onSubmit, unsentSetAside });
      const user = userEvent.setup();
      await user.clear(screen.getByLabelText('Server URL'));
      await user.type(screen.getByLabelText('Server URL'), 'http://other.example:15500');
      await user.click(screen.getByRole('button', { name: 'Save' }));
      const next = { ...saved, serverUrl: 'http://other.example:15500' };
      expect(unsentSetAside).toHaveBeenCalledWith(next);
      return { user, onSubmit, next };
    }

    it('says so before saving, with where they are kept; Keep saves and keeps them', async () => {
      const { user, onSubmit, next } = await saveOtherServer();
      expect(onSubmit).not.toHaveBeenCalled();
      const question = screen.getByRole('group', {
        name: '2 unsent messages in #general will not be sent to the new server.',
      });
      expect(question).toBeInTheDocument();
      const keep = screen.getByRole('button', { name: 'Keep them for later' });
      expect(keep).toHaveFocus();
      expect(keep).toHaveAccessibleDescription(
        'Kept on this device for http://localhost:15500: they are sent when you use that server again.',
      );
      await user.click(keep);
      expect(onSubmit).toHaveBeenCalledExactlyOnceWith(next, { discardUnsent: false });
      expect(screen.queryByRole('group')).toBeNull();
    });

    it('Discard saves and discards them', async () => {
      const { user, onSubmit, next } = await saveOtherServer();
      await user.click(screen.getByRole('button', { name: 'Discard them' }));
      expect(onSubmit).toHaveBeenCalledExactlyOnceWith(next, { discardUnsent: true });
    });

    it('Esc goes back to the form without saving', async () => {
      const { user, onSubmit } = await saveOtherServer();
      await user.keyboard('{Escape}');
      expect(onSubmit).not.toHaveBeenCalled();
      expect(screen.queryByRole('group')).toBeNull();
      expect(screen.getByRole('button', { name: 'Save' })).toHaveFocus();
    });

    it('saves at once when nothing is left behind', async () => {
      const onSubmit = vi.fn();
      render(SettingsForm, {
        initial: saved,
        submitLabel: 'Save',
        onSubmit,
        unsentSetAside: () => null,
      });
      await userEvent.setup().click(screen.getByRole('button', { name: 'Save' }));
      expect(onSubmit).toHaveBeenCalledExactlyOnceWith(saved);
    });
  });
});
