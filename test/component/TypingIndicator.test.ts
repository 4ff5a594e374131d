import { render, screen } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import TypingIndicator from '../../src/components/TypingIndicator.svelte';

describe('TypingIndicator', () => {
  it('announces who is typing politely', async () => {
    const { container, rerender } = render(TypingIndicator, { typers: ['Alice'] });
    const region = container.querySelector('[aria-live="polite"]');
    expect(region).toHaveTextContent('Alice is typing…');
    await rerender({ typers: ['Alice', 'Bob'] });
    expect(region).toHaveTextContent('Alice and Bob are typing…');
    await rerender({ typers: ['Alice', 'Bob', 'Carol'] });
    expect(region).toHaveTextContent('Several people are typing…');
  });

  it('keeps its (empty) line when nobody types, so the layout does not jump', async () => {
    const { container, rerender } = render(TypingIndicator, { typers: ['Alice'] });
    const region = container.querySelector('[aria-live="polite"]');
    await rerender({ typers: [] });
    expect(container.querySelector('[aria-live="polite"]')).toBe(region);
    expect(region).toBeInTheDocument();
    expect(region).toHaveTextContent('');
    expect(screen.queryByText(/typing/)).toBeNull();
  });

  it('shows names as text', () => {
    render(TypingIndicator, { typers: ['<img src=x onerror=alert(1)>'] });
    expect(screen.getByText('<img src=x onerror=alert(1)> is typing…')).toBeInTheDocument();
    expect(document.querySelector('img')).toBeNull();
  });
});
