import { render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import JumpProgress from '../../src/components/JumpProgress.svelte';

describe('JumpProgress', () => {
  it('says how far a jump has read back, and Cancel stops it', async () => {
    const user = userEvent.setup();
    const onCancel = vi.fn();
    render(JumpProgress, { read: 2_000, total: 7_250, onCancel, locale: 'en-US' });
    expect(screen.getByRole('status')).toHaveTextContent('Reading back… 2,000 of 7,250 events');
    await user.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(onCancel).toHaveBeenCalledOnce();
  });
});
