import { render, screen } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import MessageRow from '../../src/components/MessageRow.svelte';
import { authorColor } from '../../src/components/avatar';
import MentionHarness from './MentionHarness.svelte';
import { message } from './fixtures';

describe('MessageRow mentions', () => {
  it("highlights mentions of the user in others' messages, not in the user's own", () => {
    const { container } = render(MentionHarness, {
      name: 'me',
      messages: [
        message('alice', 'hey @me, look', { key: 'a' }),
        message('me', 'talking about @me', { key: 'b', own: true }),
      ],
    });
    const marks = container.querySelectorAll('mark');
    expect(marks).toHaveLength(1);
    expect(marks[0]?.textContent).toBe('@me');
    expect(screen.getByText('talking about @me')).toBeInTheDocument();
  });

  it('highlights nothing where no screen gave the user name', () => {
    const { container } = render(MessageRow, { message: message('alice', 'hey @me') });
    expect(container.querySelector('mark')).toBeNull();
  });
});

describe('MessageRow author', () => {
  it("colours the author's name with its readable colour for both themes", () => {
    const { container } = render(MessageRow, { message: message('alice', 'hi') });
    const row = container.querySelector<HTMLElement>('.message');
    expect(row?.style.getPropertyValue('--author-color')).toBe(authorColor('alice'));
    expect(authorColor('alice')).toMatch(/^light-dark\(#[0-9a-f]{6}, #[0-9a-f]{6}\)$/);
  });
});
