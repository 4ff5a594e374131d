import { render, screen, within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import PresenceList from '../../src/components/PresenceList.svelte';
import { AVATAR_TEXT, avatarColor } from '../../src/components/avatar';

const users = [
  { userId: 'me', lastSeenMs: 0, own: true },
  { userId: 'alice', lastSeenMs: 0, own: false },
  { userId: 'bob', lastSeenMs: 0, own: false },
];

describe('PresenceList', () => {
  it('has a count heading and a list labelled Online', () => {
    render(PresenceList, { users });
    expect(screen.getByRole('heading', { name: 'Online — 3' })).toBeInTheDocument();
    const list = screen.getByRole('list', { name: 'Online' });
    const items = within(list).getAllByRole('listitem');
    expect(items.map((item) => item.textContent?.replace(/\s+/g, ' ').trim())).toEqual([
      'M me (you)',
      'A alice',
      'B bob',
    ]);
  });

  it('marks only the own user "(you)"', () => {
    render(PresenceList, { users });
    expect(screen.getAllByText('(you)')).toHaveLength(1);
    const own = screen.getByText('me').closest('li');
    expect(own).toHaveTextContent('(you)');
  });

  it('marks names that read like another one in the list, never the own name', () => {
    render(PresenceList, {
      users: [
        { userId: 'Alice', lastSeenMs: 0, own: true },
        { userId: 'ALICE', lastSeenMs: 0, own: false },
        { userId: '\u0410lice', lastSeenMs: 0, own: false },
        { userId: 'bob', lastSeenMs: 0, own: false },
      ],
    });
    const marked = screen
      .getAllByText('look-alike')
      .map((mark) => mark.closest('li')?.querySelector('bdi')?.textContent);
    expect(marked).toEqual(['ALICE', '\u0410lice']);
    expect(screen.getByText('bob').closest('li')).not.toHaveTextContent('look-alike');
    expect(screen.getByText('Alice').closest('li')).not.toHaveTextContent('look-alike');
  });

  it('isolates each name, so a right-to-left one cannot reorder what follows it', () => {
    render(PresenceList, { users });
    expect(screen.getByText('alice').tagName).toBe('BDI');
  });

  it('updates the count', async () => {
    const { rerender } = render(PresenceList, { users });
    await rerender({ users: users.slice(0, 1) });
    expect(screen.getByRole('heading', { name: 'Online — 1' })).toBeInTheDocument();
    expect(screen.getAllByRole('listitem')).toHaveLength(1);
  });

  it("paints each avatar in its name's readable colour, under white initials", () => {
    const { container } = render(PresenceList, { users });
    const avatars = [...container.querySelectorAll<HTMLElement>('.avatar')];
    expect(avatars.map((avatar) => avatar.style.getPropertyValue('--avatar-bg'))).toEqual(
      users.map((user) => avatarColor(user.userId)),
    );
    expect(avatars[0]?.style.getPropertyValue('--avatar-fg')).toBe(AVATAR_TEXT);
  });

  it('shows every dot as unknown, and says so, while the room is not connected', async () => {
    const { container, rerender } = render(PresenceList, { users, statusUnknown: true });
    const dots = [...container.querySelectorAll('.dot')];
    expect(dots).toHaveLength(3);
    for (const dot of dots) expect(dot).toHaveClass('unknown');
    const items = within(screen.getByRole('list', { name: 'Online' })).getAllByRole('listitem');
    for (const item of items) expect(item).toHaveTextContent('status unknown while offline');

    await rerender({ statusUnknown: false });
    for (const dot of container.querySelectorAll('.dot')) expect(dot).not.toHaveClass('unknown');
    expect(screen.queryByText('status unknown while offline')).toBeNull();
  });
});
