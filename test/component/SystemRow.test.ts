import { render, screen } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import SystemRow from '../../src/components/SystemRow.svelte';
import { systemLine } from './fixtures';

describe('SystemRow', () => {
  it('says who joined or left, the name isolated, with a machine-readable time', () => {
    const atMs = Date.UTC(2025, 0, 2, 22, 34);
    const { container } = render(SystemRow, {
      line: systemLine('עברית', 'joined', { atMs }),
      locale: 'en-US',
      timeZone: 'UTC',
    });
    expect(container.querySelector('p')).toHaveTextContent('עברית joined 10:34 PM');
    expect(screen.getByText('עברית').tagName).toBe('BDI');
    expect(container.querySelector('time')).toHaveAttribute(
      'datetime',
      new Date(atMs).toISOString(),
    );
  });

  it('says "left" for a leave', () => {
    const { container } = render(SystemRow, { line: systemLine('bob', 'left') });
    expect(container.querySelector('.what')).toHaveTextContent('bob left');
  });
});
