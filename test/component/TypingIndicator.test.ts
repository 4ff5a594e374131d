import { render, screen } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import TypingIndicator from '../../src/components/TypingIndicator.svelte';

const line = (container: HTMLElement) => container.querySelector('.typing');

describe('TypingIndicator', () => {
  it('says who is typing, names isolated, the whole line as its title', async () => {
    const { container, rerender } = render(TypingIndicator, { typers: ['Alice'] });
    expect(line(container)).toHaveTextContent('Alice is typing…');
    expect(screen.getByText('Alice').tagName).toBe('BDI');
    expect(line(container)).toHaveAttribute('title', 'Alice is typing…');
    await rerender({ typers: ['Alice', 'Bob'] });
    expect(line(container)).toHaveTextContent('Alice and Bob are typing…');
    expect(screen.getByText('Bob').tagName).toBe('BDI');
    await rerender({ typers: ['Alice', 'Bob', 'Carol'] });
    expect(line(container)).toHaveTextContent('Several people are typing…');
  });

  it('is not a live region: screen readers hear new messages, not every keystroke', () => {
    const { container } = render(TypingIndicator, { typers: ['Alice'] });
    expect(container.querySelector('[aria-live]')).toBeNull();
    expect(container.querySelector('[role="status"], [role="log"]')).toBeNull();
  });

  it('keeps its (empty) line when nobody types, so the layout does not jump', async () => {
    const { container, rerender } = render(TypingIndicator, { typers: ['Alice'] });
    const element = line(container);
    await rerender({ typers: [] });
    expect(line(container)).toBe(element);
    expect(element).toHaveTextContent('');
    expect(element).not.toHaveAttribute('title');
    expect(screen.queryByText(/typing/)).toBeNull();
  });

  it('shows names as text', () => {
    const { container } = render(TypingIndicator, { typers: ['<img src=x onerror=alert(1)>'] });
    expect(line(container)).toHaveTextContent('<img src=x onerror=alert(1)> is typing…');
    expect(document.querySelector('img')).toBeNull();
  });
});
