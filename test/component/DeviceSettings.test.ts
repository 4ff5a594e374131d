import { render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import DeviceSettings from '../../src/components/DeviceSettings.svelte';

type Permission = 'default' | 'granted' | 'denied' | 'unsupported';

function setup(props: Record<string, unknown> = {}) {
  const onTheme = vi.fn();
  const onNotifications = vi.fn();
  const onForget = vi.fn();
  const result = render(DeviceSettings, {
    theme: 'system',
    notificationsOn: false,
    notificationPermission: 'default' as Permission,
    onTheme,
    onNotifications,
    onForget,
    ...props,
  });
  return { onTheme, onNotifications, onForget, user: userEvent.setup(), ...result };
}

describe('DeviceSettings', () => {
  it('offers the three themes, with the current one chosen', async () => {
    const { user, onTheme } = setup({ theme: 'dark' });
    const group = screen.getByRole('group', { name: 'Theme' });
    expect(group).toBeInTheDocument();
    expect(screen.getByLabelText('Dark')).toBeChecked();
    expect(screen.getByLabelText('Follow the system')).not.toBeChecked();
    await user.click(screen.getByLabelText('Light'));
    expect(onTheme).toHaveBeenCalledExactlyOnceWith('light');
  });

  it('turns notifications on from a click, and shows what the browser allowed', async () => {
    const { user, onNotifications, rerender } = setup();
    const toggle = screen.getByLabelText('Desktop notifications');
    expect(toggle).toHaveAccessibleDescription(/asks the browser for permission/);
    // The browser says no: the box goes back to unticked.
    onNotifications.mockImplementation(() =>
      rerender({ notificationPermission: 'denied' as Permission }),
    );
    await user.click(toggle);
    expect(onNotifications).toHaveBeenCalledExactlyOnceWith(true);
    expect(toggle).not.toBeChecked();
    expect(toggle).toHaveAccessibleDescription(/blocks notifications/);
  });

  it('shows notifications on, and turns them off', async () => {
    const { user, onNotifications } = setup({
      notificationsOn: true,
      notificationPermission: 'granted',
    });
    const toggle = screen.getByLabelText('Desktop notifications');
    expect(toggle).toBeChecked();
    expect(toggle).toHaveAccessibleDescription(/^On/);
    await user.click(toggle);
    expect(onNotifications).toHaveBeenCalledExactlyOnceWith(false);
  });

  it('says when the browser has no notifications, and offers none', () => {
    setup({ notificationPermission: 'unsupported' });
    const toggle = screen.getByLabelText('Desktop notifications');
    expect(toggle).toBeDisabled();
    expect(toggle).toHaveAccessibleDescription(/cannot show desktop notifications/);
  });

  it('asks before forgetting the device; Keep and Esc answer no', async () => {
    const { user, onForget } = setup();
    await user.click(screen.getByRole('button', { name: 'Forget this device…' }));
    expect(screen.getByRole('button', { name: 'Keep' })).toHaveFocus();
    expect(screen.getByRole('group', { name: /Remove everything/ })).toBeInTheDocument();
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('button', { name: 'Keep' })).toBeNull();
    expect(screen.getByRole('button', { name: 'Forget this device…' })).toHaveFocus();

    await user.click(screen.getByRole('button', { name: 'Forget this device…' }));
    await user.click(screen.getByRole('button', { name: 'Keep' }));
    expect(onForget).not.toHaveBeenCalled();

    await user.click(screen.getByRole('button', { name: 'Forget this device…' }));
    await user.click(screen.getByRole('button', { name: 'Forget this device' }));
    expect(onForget).toHaveBeenCalledTimes(1);
  });

  it('keeps Esc from closing Settings while it asks', async () => {
    const { user } = setup();
    const closed = vi.fn();
    window.addEventListener('keydown', closed);
    await user.click(screen.getByRole('button', { name: 'Forget this device…' }));
    await user.keyboard('{Escape}');
    expect(closed).not.toHaveBeenCalled();
    await user.keyboard('{Escape}');
    expect(closed).toHaveBeenCalledTimes(1);
    window.removeEventListener('keydown', closed);
  });
});
