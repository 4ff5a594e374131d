import { render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import Composer from '../../src/components/Composer.svelte';

function setup(props: Record<string, unknown> = {}) {
  const onSend = vi.fn();
  const onTyping = vi.fn();
  const result = render(Composer, { onSend, onTyping, locale: 'en-US', ...props });
  const field = screen.getByRole('textbox', { name: 'Message' });
  const sendButton = screen.getByRole('button', { name: 'Send' });
  return { ...result, onSend, onTyping, field, sendButton };
}

describe('Composer', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sends trimmed text on Enter, clears the field and keeps focus', async () => {
    const user = userEvent.setup();
    const { field, onSend } = setup();
    await user.type(field, '  hello there  {Enter}');
    expect(onSend).toHaveBeenCalledExactlyOnceWith('hello there');
    expect(field).toHaveValue('');
    expect(field).toHaveFocus();
  });

  it('inserts a newline on Shift+Enter', async () => {
    const user = userEvent.setup();
    const { field, onSend } = setup();
    await user.type(field, 'one{Shift>}{Enter}{/Shift}two');
    expect(onSend).not.toHaveBeenCalled();
    expect(field).toHaveValue('one\ntwo');
    await user.keyboard('{Enter}');
    expect(onSend).toHaveBeenCalledWith('one\ntwo');
  });

  it('does not send the Enter that ends an IME composition', async () => {
    const user = userEvent.setup();
    const { field, onSend } = setup();
    await user.type(field, 'nihon');
    field.dispatchEvent(
      new KeyboardEvent('keydown', {
        key: 'Enter',
        isComposing: true,
        bubbles: true,
        cancelable: true,
      }),
    );
    expect(onSend).not.toHaveBeenCalled();
  });

  it('sends with the Send button', async () => {
    const user = userEvent.setup();
    const { field, sendButton, onSend } = setup();
    await user.type(field, 'by click');
    await user.click(sendButton);
    expect(onSend).toHaveBeenCalledWith('by click');
  });

  it('never sends empty or whitespace-only text', async () => {
    const user = userEvent.setup();
    const { field, sendButton, onSend } = setup();
    await user.type(field, '{Enter}');
    await user.type(field, '   {Enter}');
    await user.type(field, '{Shift>}{Enter}{/Shift}{Enter}');
    expect(onSend).not.toHaveBeenCalled();
    expect(sendButton).toBeDisabled();
  });

  it('shows a counter near the limit and blocks sending over it', async () => {
    const user = userEvent.setup();
    const { field, sendButton, onSend } = setup({ maxLength: 2_000 });
    expect(screen.queryByText(/\/ 2,000/)).toBeNull();
    await user.click(field);
    await user.paste('a'.repeat(1_980));
    expect(screen.getByText('1,980 / 2,000')).toBeInTheDocument();
    expect(field).toHaveAccessibleDescription('1,980 / 2,000');
    expect(sendButton).toBeEnabled();

    await user.paste('b'.repeat(21));
    expect(screen.getByText('Too long to send: 2,001 / 2,000')).toBeInTheDocument();
    expect(field).toHaveAttribute('aria-invalid', 'true');
    expect(sendButton).toBeDisabled();
    await user.keyboard('{Enter}');
    expect(onSend).not.toHaveBeenCalled();
    expect(field).toHaveValue('a'.repeat(1_980) + 'b'.repeat(21));

    await user.keyboard('{Backspace}{Enter}');
    expect(onSend).toHaveBeenCalledTimes(1);
  });

  it('counts characters, not UTF-16 units', async () => {
    const user = userEvent.setup();
    const { field } = setup({ maxLength: 10 });
    await user.click(field);
    await user.paste('😀'.repeat(10));
    expect(screen.getByText('10 / 10')).toBeInTheDocument();
  });

  it('reports typing: true on the first keystroke, false on send', async () => {
    const user = userEvent.setup();
    const { field, onTyping } = setup();
    await user.type(field, 'hey');
    expect(onTyping.mock.calls).toEqual([[true]]);
    await user.keyboard('{Enter}');
    expect(onTyping.mock.calls).toEqual([[true], [false]]);
  });

  it('reports typing false when the text is cleared', async () => {
    const user = userEvent.setup();
    const { field, onTyping } = setup();
    await user.type(field, 'ab{Backspace}{Backspace}');
    expect(onTyping.mock.calls).toEqual([[true], [false]]);
  });

  it('reports typing false on blur', async () => {
    const user = userEvent.setup();
    const { field, onTyping } = setup();
    await user.type(field, 'ab');
    await user.tab();
    expect(onTyping.mock.calls).toEqual([[true], [false]]);
  });

  it('reports typing false after a pause, and true again on the next keystroke', async () => {
    vi.useFakeTimers();
    const user = userEvent.setup({ advanceTimers: vi.advanceTimersByTime });
    const { field, onTyping } = setup();
    await user.type(field, 'ab');
    vi.advanceTimersByTime(5_000);
    expect(onTyping.mock.calls).toEqual([[true], [false]]);
    await user.type(field, 'c');
    expect(onTyping.mock.calls).toEqual([[true], [false], [true]]);
  });

  it('refreshes typing while typing continues', async () => {
    vi.useFakeTimers();
    const user = userEvent.setup({ advanceTimers: vi.advanceTimersByTime });
    const { field, onTyping } = setup();
    await user.type(field, 'a');
    vi.advanceTimersByTime(2_000);
    await user.type(field, 'b');
    vi.advanceTimersByTime(1_500);
    await user.type(field, 'c');
    expect(onTyping.mock.calls).toEqual([[true], [true]]);
  });

  it('reports typing false when unmounted mid-typing', async () => {
    const user = userEvent.setup();
    const { field, onTyping, unmount } = setup();
    await user.type(field, 'a');
    unmount();
    expect(onTyping.mock.calls).toEqual([[true], [false]]);
  });

  it('cannot be used while disabled', () => {
    const { field, sendButton } = setup({ disabled: true });
    expect(field).toBeDisabled();
    expect(sendButton).toBeDisabled();
  });

  it('shows the placeholder', () => {
    const { field } = setup({ placeholder: 'Message #general' });
    expect(field).toHaveAttribute('placeholder', 'Message #general');
  });
});

describe('Composer focus', () => {
  it('takes the focus when asked to, so a newly opened room can be typed into at once', () => {
    render(Composer, { onSend: () => {}, focusOnMount: true });
    expect(screen.getByRole('textbox', { name: 'Message' })).toHaveFocus();
  });

  it('leaves the focus alone otherwise (a phone keyboard should not pop up by itself)', () => {
    render(Composer, { onSend: () => {} });
    expect(screen.getByRole('textbox', { name: 'Message' })).not.toHaveFocus();
  });
});

describe('Composer draft', () => {
  it('starts from the draft and reports every change, the send included', async () => {
    const user = userEvent.setup();
    const { field, onSend, onDraftChange } = setupDraft({ draft: 'half written' });
    expect(field).toHaveValue('half written');
    await user.type(field, '!');
    expect(onDraftChange).toHaveBeenLastCalledWith('half written!');
    await user.keyboard('{Enter}');
    expect(onSend).toHaveBeenCalledWith('half written!');
    expect(onDraftChange).toHaveBeenLastCalledWith('');
  });

  it('asks to edit the last message with ↑ in the empty field, not over text or with a modifier', async () => {
    const user = userEvent.setup();
    const editLast = vi.fn(() => true);
    const { field } = setupDraft({ editLast });
    await user.click(field);
    await user.keyboard('{ArrowUp}');
    expect(editLast).toHaveBeenCalledOnce();
    await user.type(field, 'x');
    await user.keyboard('{ArrowUp}');
    await user.clear(field);
    // Alt+↑ moves between rooms.
    await user.keyboard('{Alt>}{ArrowUp}{/Alt}');
    expect(editLast).toHaveBeenCalledOnce();
  });

  it('edits a message in the field: its text to change, Save, the draft set aside and back after', async () => {
    const user = userEvent.setup();
    const onSend = vi.fn();
    const onDraftChange = vi.fn();
    const result = render(Composer, {
      onSend,
      onDraftChange,
      draft: 'half written',
      mode: { kind: 'edit', offset: 4, text: 'sent text' },
    });
    const field = screen.getByRole('textbox', { name: 'Edit message' });
    expect(field).toHaveValue('sent text');
    expect(screen.getByText('Editing your message')).toBeInTheDocument();
    await user.type(field, '!');
    // What is typed into an edit is not the room's draft.
    expect(onDraftChange).not.toHaveBeenCalled();
    await user.click(screen.getByRole('button', { name: 'Save' }));
    expect(onSend).toHaveBeenCalledWith('sent text!');
    await result.rerender({ mode: null });
    expect(screen.getByRole('textbox', { name: 'Message' })).toHaveValue('half written');
  });

  it('shows whom a reply answers, and Esc or ✕ cancels it', async () => {
    const user = userEvent.setup();
    const onCancelMode = vi.fn();
    const onSend = vi.fn();
    render(Composer, {
      onSend,
      onCancelMode,
      mode: { kind: 'reply', offset: 3, userId: 'Alice', own: false, text: 'Lunch at noon?' },
    });
    const field = screen.getByRole('textbox', { name: 'Reply' });
    expect(screen.getByText('Alice').closest('p')).toHaveTextContent(
      'Replying to Alice: Lunch at noon?',
    );
    await user.type(field, 'Yes{Enter}');
    expect(onSend).toHaveBeenCalledWith('Yes');
    await user.keyboard('{Escape}');
    await user.click(screen.getByRole('button', { name: 'Cancel reply' }));
    expect(onCancelMode).toHaveBeenCalledTimes(2);
  });

  it('leaves ↑ alone when there is nothing to edit', async () => {
    const user = userEvent.setup();
    const { field } = setupDraft({ editLast: () => false });
    await user.click(field);
    await user.keyboard('{ArrowUp}');
    expect(field).toHaveValue('');
  });
});

describe('Composer on a touch keyboard', () => {
  it('makes Enter a new line; the Send button sends', async () => {
    const user = userEvent.setup();
    const { field, sendButton, onSend } = setupDraft({ enterSends: false });
    expect(field).toHaveAttribute('enterkeyhint', 'enter');
    await user.type(field, 'one{Enter}two');
    expect(onSend).not.toHaveBeenCalled();
    expect(field).toHaveValue('one\ntwo');
    await user.click(sendButton);
    expect(onSend).toHaveBeenCalledWith('one\ntwo');
  });

  it('says "send" on the Enter key of a hardware-keyboard composer', () => {
    const { field } = setupDraft();
    expect(field).toHaveAttribute('enterkeyhint', 'send');
  });
});

function setupDraft(props: Record<string, unknown> = {}) {
  const onDraftChange = vi.fn();
  return { ...setup({ onDraftChange, ...props }), onDraftChange };
}
